"""Two schedulers / dispatchers at once against PostgreSQL: nothing is sent or queued twice.

Each thread has its own app context, so its own session and database connection.
"""

from __future__ import annotations

import os
import threading
import time
from collections import Counter
from datetime import UTC, datetime

import pytest

from backend import clock
from backend.notify.channels import DeliveryResult, build_channels
from backend.services.notifications import dispatch_due
from backend.services.reminders import queue_due_reminders
from tests.integration.notifications.builders import clinic_with_patients, count, queue
from tests.integration.notifications.conftest import user_of

pytestmark = pytest.mark.skipif(
    not os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql"),
    reason="needs PostgreSQL (FOR UPDATE SKIP LOCKED): set TEST_DATABASE_URL=postgresql+psycopg://...",
)
AT_TEN = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)


def _together(app, work, n=2):
    """Run `work(i)` in n threads, each in its own app context, released at the same moment."""
    start = threading.Barrier(n)
    errors = []

    def run(i):
        try:
            with app.app_context():
                start.wait()
                work(i)
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors, errors


class Recording:
    """A channel that takes a little time per send and remembers who sent what."""

    name = "email"

    def __init__(self):
        self.sent = []
        self.lock = threading.Lock()

    def send(self, message):
        time.sleep(0.002)
        with self.lock:
            self.sent.append((threading.get_ident(), message.id))
        return DeliveryResult("sent", "recorded")


def test_two_dispatchers_share_the_work_and_never_send_a_row_twice(app, client):
    world = clinic_with_patients(client, 2)
    ids = []
    for p in world["patients"]:
        for n in range(150):
            ids += queue(
                kind="test",
                local_date=AT_TEN.date(),
                title="t",
                body="b",
                channels=["email"],
                recipient_id=user_of(p["id"]),
                patient_id=p["id"],
                subject=str(n),
            )
    recording = Recording()

    def dispatcher(_):
        channels = {**build_channels(), "email": recording}
        while dispatch_due(20, channels).claimed:
            pass

    _together(app, dispatcher)
    sent = Counter(nid for _, nid in recording.sent)
    assert sorted(sent) == sorted(ids)
    assert max(sent.values()) == 1
    by_thread = Counter(thread for thread, _ in recording.sent)
    assert len(by_thread) == 2, f"one dispatcher did everything: {by_thread}"
    assert count(state="sent") == 300


def test_two_schedulers_ticking_together_queue_each_reminder_once(app, client):
    world = clinic_with_patients(client, 12)

    def scheduler(_):
        for _ in range(5):
            queue_due_reminders(AT_TEN)

    with clock.frozen(AT_TEN):
        _together(app, scheduler, n=3)
    assert count(kind="session_reminder") == len(world["patients"])


def test_two_schedulers_inserting_the_same_burst_create_it_once(app, client):
    from backend.extensions import db
    from backend.services.notifications import insert_once, new_row

    world = clinic_with_patients(client, 1)
    patient = world["patients"][0]["id"]
    user_id = user_of(patient)
    created = {}

    def scheduler(i):
        # Each scheduler builds its own rows (fresh ids), as queue_due_reminders does.
        rows = [
            new_row(
                kind="burst",
                channel=channel,
                local_date=AT_TEN.date(),
                title="t",
                body="b",
                now=AT_TEN,
                recipient_id=user_id,
                patient_id=patient,
                subject=str(n),
            )
            for n in range(1500)
            for channel in ("in_app", "email")
        ]
        created[i] = insert_once(rows)  # 3 000 rows: the COPY path
        db.session.commit()

    _together(app, scheduler)
    assert sum(len(ids) for ids in created.values()) == 3000
    assert count(kind="burst") == 3000
