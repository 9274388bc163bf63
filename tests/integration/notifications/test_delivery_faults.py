"""Fault tests of e-mail delivery with real processes: `python -m backend.scheduler` against a
real SMTP server (aiosmtpd) on this host, killed with SIGKILL mid-batch, or run twice at once
behind a relay slower than the lease.

The guarantee (docs/notifications.md): each notification is recorded `sent` exactly once in
the state log; the relay receives each Message-ID once, except the one message in flight when
a sender is killed, which may arrive twice (same Message-ID, so receivers fold it).
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import func, select

from backend import clock
from backend.config import ROOT
from backend.extensions import db
from backend.models.notifications import Notification, NotificationEvent
from backend.services.notifications import insert_once, new_row
from tests import factories
from tests.conftest import START
from tests.integration.notifications.conftest import Mailbox, free_port


class SlowRelay(Mailbox):
    """A relay that takes `delay` seconds per message."""

    def __init__(self, delay: float):
        super().__init__()
        self.delay = delay

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd hook
        await asyncio.sleep(self.delay)
        return await super().handle_DATA(server, session, envelope)

    def message_ids(self) -> Counter:
        with self._lock:
            return Counter(m["Message-ID"] for _, m in self.messages)


@pytest.fixture
def relay():
    relays = []

    def start(delay: float) -> tuple[SlowRelay, int]:
        mailbox, port = SlowRelay(delay), free_port()
        controller = Controller(mailbox, hostname="127.0.0.1", port=port)
        controller.start()
        relays.append(controller)
        return mailbox, port

    yield start
    for controller in relays:
        controller.stop()


class Scheduler:
    """One `python -m backend.scheduler` process; its log goes to a file."""

    def __init__(self, app, tmp_path: Path, name: str, port: int, **settings):
        self.log = tmp_path / f"{name}.log"
        env = {
            **os.environ,
            "ONWARD_ENV": "test",
            "ONWARD_DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
            "ONWARD_INSTANCE_DIR": str(tmp_path),
            "ONWARD_LOG_LEVEL": "INFO",
            "ONWARD_SMTP_HOST": "127.0.0.1",
            "ONWARD_SMTP_PORT": str(port),
            "ONWARD_NOTIFY_DISPATCH_SECONDS": "1",
            # Short leases need short timeouts (backend.notify.check).
            **{f"ONWARD_{c}_TIMEOUT": "0.4" for c in ("SMTP", "WEBHOOK", "PUSH")},
            "PYTHONPATH": str(ROOT),
            **{f"ONWARD_{k}": str(v) for k, v in settings.items()},
        }
        with self.log.open("w") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "backend.scheduler"],
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )

    def started(self) -> bool:
        return "scheduler started" in self.log.read_text()

    def stop(self, sig=signal.SIGTERM) -> None:
        if self.process.poll() is None:
            self.process.send_signal(sig)
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def wait_for(condition, what: str, timeout: float = 90, schedulers=()) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        for s in schedulers:
            assert s.process.poll() is None or s.started(), s.log.read_text()
        time.sleep(0.05)
    logs = "\n".join(s.log.read_text()[-3000:] for s in schedulers)
    raise AssertionError(f"timed out waiting for {what}\n{logs}")


@factories.in_app
def emails(n: int) -> list[str]:
    """`n` due e-mail rows to on-call style addresses (no user, no patient), one transaction."""
    rows = [
        new_row(
            kind="test",
            channel="email",
            local_date=START.date(),
            title="Needs review",
            body="Something needs review in Onward.",
            now=clock.now(),
            address=f"on-call-{i}@relay.test",
            subject=str(i),
        )
        for i in range(n)
    ]
    ids = insert_once(rows)
    db.session.commit()
    return ids


@factories.in_app
def sent_count() -> int:
    return db.session.scalar(
        select(func.count()).select_from(Notification).where(Notification.state == "sent")
    )


@factories.in_app
def sent_events() -> Counter:
    rows = db.session.scalars(
        select(NotificationEvent.notification_id).where(NotificationEvent.state == "sent")
    )
    return Counter(rows)


def message_id(nid: str) -> str:
    return f"<{nid}@notifications.onward>"


def test_kill_9_mid_batch_sends_each_once_but_the_one_in_flight(app, tmp_path, relay):
    mailbox, port = relay(0.01)
    ids = emails(300)
    settings = {"NOTIFY_LEASE_SECONDS": 2, "NOTIFY_BATCH_SIZE": 100}
    first = Scheduler(app, tmp_path, "first", port, **settings)
    try:
        wait_for(lambda: len(mailbox.messages) >= 60, "the first batch", schedulers=[first])
        first.stop(signal.SIGKILL)
    finally:
        first.stop(signal.SIGKILL)
    at_kill = len(mailbox.messages)
    assert at_kill < 300, "the scheduler finished before it was killed"
    second = Scheduler(app, tmp_path, "second", port, **settings)
    try:
        wait_for(lambda: sent_count() == 300, "every row sent", schedulers=[second])
    finally:
        second.stop()
    assert sent_events() == Counter(ids)  # exactly once in the state log
    received = mailbox.message_ids()
    assert set(received) == {message_id(nid) for nid in ids}
    repeated = {mid: n for mid, n in received.items() if n > 1}
    assert len(repeated) <= 1 and set(repeated.values()) <= {2}, repeated


def test_two_schedulers_behind_a_relay_slower_than_the_lease_send_each_once(app, tmp_path, relay):
    # 60 messages x 30 ms = 1.8 s per batch against a 1 s lease: before per-message renewal
    # the second scheduler took over rows the first was still working through.
    mailbox, port = relay(0.03)
    settings = {"NOTIFY_LEASE_SECONDS": 1, "NOTIFY_BATCH_SIZE": 60}
    both = [Scheduler(app, tmp_path, name, port, **settings) for name in ("a", "b")]
    try:
        wait_for(lambda: all(s.started() for s in both), "both schedulers", schedulers=both)
        ids = emails(180)
        wait_for(lambda: sent_count() == 180, "every row sent", schedulers=both)
    finally:
        for s in both:
            s.stop()
    assert sent_events() == Counter(ids)
    assert mailbox.message_ids() == Counter(message_id(nid) for nid in ids)
    for s in both:  # both really took part
        assert "notifications dispatched" in s.log.read_text(), s.log.read_text()[-2000:]
