"""Fixtures for notification tests: a real SMTP server, a webhook receiver, patients.

The models are imported here so that the session `app` fixture creates their tables even
before backend/models/__init__.py imports them.
"""

from __future__ import annotations

import json
import logging
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from aiosmtpd.controller import Controller

import backend.models.notifications  # noqa: F401 - registers the tables for create_all
from backend import clock, notify
from backend.extensions import db
from backend.models import Patient, User
from backend.notify import signing
from tests import factories

# aiosmtpd stands for the clinic's relay: its INFO lines (envelope addresses) are the relay's
# own log, not Onward's, and would trip tests/logcheck.py.
logging.getLogger("mail.log").setLevel(logging.WARNING)


@pytest.fixture(scope="session", autouse=True)
def _notify_settings(app):
    """What create_app does once backend.notify.init_app is wired in (idempotent)."""
    notify.init_app(app)


@pytest.fixture(scope="session")
def blueprint_registered(app):
    """API tests use this: the endpoints must be wired in before they can be called."""
    assert "notifications" in app.blueprints, (
        "register backend.api.notifications.blp in backend/api/__init__.py BLUEPRINTS"
    )


def free_port() -> int:
    # aiosmtpd's Controller(port=0) cannot report the port it got, so pick one first.
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Mailbox:
    """Collects every message the SMTP server accepts."""

    def __init__(self):
        self.messages = []
        self.peers = []  # the client's (host, port) per message: one port, one connection
        self._lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd hook
        from email import message_from_bytes
        from email.policy import default

        with self._lock:
            self.peers.append(session.peer)
            self.messages.append(
                (tuple(envelope.rcpt_tos), message_from_bytes(envelope.content, policy=default))
            )
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list:
        with self._lock:
            return [m for rcpts, m in self.messages if address in rcpts]


@pytest.fixture
def smtp(app, monkeypatch):
    """A real SMTP server on a free local port; the app is configured to use it."""
    mailbox = Mailbox()
    port = free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    monkeypatch.setitem(app.config, "SMTP_HOST", "127.0.0.1")
    monkeypatch.setitem(app.config, "SMTP_PORT", port)
    yield mailbox
    controller.stop()


class Receiver:
    """A clinic system's webhook endpoint that verifies signatures and refuses replays."""

    def __init__(self, secret: str, status: int = 204):
        self.secret = secret
        self.status = status  # what a verified request gets (500 simulates an outage)
        self.accepted: list[dict] = []
        self.rejected: list[str] = []
        self.guard = signing.ReplayGuard()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server hook
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                reason = signing.verify(
                    receiver.secret, dict(self.headers), body, clock.now(), receiver.guard
                )
                if reason:
                    receiver.rejected.append(reason)
                    self.send_response(401)
                else:
                    receiver.accepted.append(
                        {"headers": dict(self.headers), "json": json.loads(body)}
                    )
                    self.send_response(receiver.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/onward"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def webhook(app, monkeypatch):
    secret = "clinic-shared-secret-0123456789"
    with Receiver(secret) as receiver:
        monkeypatch.setitem(app.config, "WEBHOOK_URL", receiver.url)
        monkeypatch.setitem(app.config, "WEBHOOK_SECRET", secret)
        yield receiver


@factories.in_app
def set_patient(patient_id: str, timezone: str | None = None, **settings) -> None:
    """Change a patient's zone or reminder settings directly (as PATCH /me/settings would)."""
    patient = db.session.get(Patient, patient_id)
    if timezone:
        patient.timezone = timezone
    patient.settings = {**patient.settings, **settings}
    db.session.commit()


@factories.in_app
def user_of(patient_id: str) -> str:
    return db.session.get(Patient, patient_id).user_id


@factories.in_app
def email_of(user_id: str) -> str:
    return db.session.get(User, user_id).email


OPEN_SETTINGS = {
    "window_start": "00:00",
    "window_end": "00:00",  # equal: the window never closes
    "quiet_start": "00:00",
    "quiet_end": "00:00",  # equal: no quiet hours
}
