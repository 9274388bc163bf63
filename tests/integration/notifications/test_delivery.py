"""Delivery over real servers: SMTP, a signed webhook, a push gateway; retries and crashes."""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from datetime import date, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from backend import clock
from backend.notify import signing
from backend.notify.channels import EmailChannel, build_channels
from backend.services.notifications import dispatch_due
from tests import factories
from tests.integration.notifications.builders import (
    add_device,
    clinic_with_patients,
    events,
    notifications,
    queue,
)
from tests.integration.notifications.conftest import Receiver, email_of, user_of

TODAY = date(2026, 11, 26)
dispatch = factories.in_app(dispatch_due)


@pytest.fixture
def patient(client):
    p = clinic_with_patients(client, 1)["patients"][0]["id"]
    return {"id": p, "user_id": user_of(p)}


def _queue_for(patient, channels, kind="session_reminder", subject=None) -> dict[str, str]:
    ids = queue(
        kind=kind,
        local_date=TODAY,
        title="Time for today's session",
        body="Your 20-minute walk and band session is ready when you are.",
        channels=channels,
        recipient_id=patient["user_id"],
        patient_id=patient["id"],
        subject=subject,
    )
    rows = {r["id"]: r["channel"] for r in notifications(patient_id=patient["id"])}
    return {rows[i]: i for i in ids}


def test_create_once_skips_duplicates(patient):
    first = _queue_for(patient, ["in_app", "email"])
    again = _queue_for(patient, ["in_app", "email"])
    assert len(first) == 2 and again == {}
    assert len(notifications(patient_id=patient["id"])) == 2


def test_email_reaches_a_real_smtp_server(patient, smtp):
    ids = _queue_for(patient, ["email"])
    assert dispatch().outcomes == {"sent": 1}
    (message,) = smtp.to(email_of(patient["user_id"]))
    assert message["Subject"] == "Time for today's session"
    assert message["Message-ID"] == f"<{ids['email']}@notifications.onward>"
    assert "walk and band session" in message.get_content()
    (row,) = notifications(id=ids["email"])
    assert row["state"] == "sent" and row["attempts"] == 1 and row["sent_at"] == clock.now()
    assert [state for state, _ in events(ids["email"])] == ["scheduled", "sent"]


def test_webhook_is_signed_and_the_receiver_refuses_tampering_staleness_and_replay(
    patient, webhook
):
    ids = _queue_for(patient, ["webhook"], kind="red_flag", subject="alert-1")
    assert dispatch().outcomes == {"delivered": 1}
    (request,) = webhook.accepted
    assert request["headers"]["X-Onward-Delivery"] == ids["webhook"]
    assert request["headers"]["X-Onward-Signature"].startswith("sha256=")
    assert request["json"]["patient_id"] == patient["id"] and request["json"]["kind"] == "red_flag"

    def post(body: bytes, headers: dict) -> int:
        req = urllib.request.Request(webhook.url, data=body, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(req, timeout=5) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code

    original = json.dumps(request["json"], separators=(",", ":"), sort_keys=True).encode()
    headers = {
        k: v
        for k, v in request["headers"].items()
        if k.startswith("X-Onward") or k == "Content-Type"
    }
    assert post(original, headers) == 401  # the very same request again: a replay
    tampered = original.replace(b"red_flag", b"all_clear")
    assert post(tampered, headers) == 401
    stale_ts = str(int(clock.now().timestamp()) - 301)
    stale = {
        **headers,
        "X-Onward-Timestamp": stale_ts,
        "X-Onward-Signature": signing.signature(webhook.secret, stale_ts, original),
    }
    assert post(original, stale) == 401
    fresh_ts = str(int(clock.now().timestamp()) - 60)
    fresh = {
        **headers,
        "X-Onward-Timestamp": fresh_ts,
        "X-Onward-Signature": signing.signature(webhook.secret, fresh_ts, original),
    }
    assert post(original, fresh) == 204  # properly signed and fresh: accepted
    assert webhook.rejected == ["replayed", "bad signature", "stale timestamp"]


def test_a_failing_channel_backs_off_then_dead_letters_while_in_app_delivers(
    app, patient, monkeypatch
):
    monkeypatch.setitem(app.config, "NOTIFY_MAX_ATTEMPTS", 4)
    monkeypatch.setitem(app.config, "NOTIFY_BACKOFF_SECONDS", 60)
    secret = "s" * 32
    with Receiver(secret, status=500) as down:  # the clinic system is up but failing
        monkeypatch.setitem(app.config, "WEBHOOK_URL", down.url)
        monkeypatch.setitem(app.config, "WEBHOOK_SECRET", secret)
        ids = _queue_for(patient, ["in_app", "webhook"])
        start = clock.now()
        # The inbox row is delivered by existing; only the webhook needs the dispatcher.
        assert notifications(id=ids["in_app"])[0]["state"] == "delivered"
        assert dispatch().outcomes == {"failed": 1}
        schedule = []
        for wait in (60, 120, 240):  # 60 s x 2^(attempt-1)
            with clock.frozen(start + timedelta(seconds=sum(schedule) + wait - 1)):
                assert dispatch().claimed == 0  # not yet
            schedule.append(wait)
            with clock.frozen(start + timedelta(seconds=sum(schedule))):
                report = dispatch()
            assert report.claimed == 1
        assert report.outcomes == {"dead": 1}
        assert len(down.accepted) == 4  # every attempt was a real, signed request
        with clock.frozen(start + timedelta(days=1)):
            assert dispatch().claimed == 0  # dead stays dead

    (in_app,) = notifications(id=ids["in_app"])
    (hook,) = notifications(id=ids["webhook"])
    assert in_app["state"] == "delivered"
    assert hook["state"] == "dead" and hook["attempts"] == 4
    assert "HTTP 500" in hook["last_error"]
    trail = events(ids["webhook"])
    assert [state for state, _ in trail] == ["scheduled", "failed", "failed", "failed", "dead"]
    assert [(at - start).total_seconds() for _, at in trail] == [0, 0, 60, 180, 420]


def test_one_failing_channel_does_not_block_the_batch(patient, monkeypatch, app):
    monkeypatch.setitem(app.config, "SMTP_HOST", "127.0.0.1")
    monkeypatch.setitem(app.config, "SMTP_PORT", 9)  # discard port: nothing listens
    monkeypatch.setitem(app.config, "SMTP_TIMEOUT", 2.0)
    ids = _queue_for(patient, ["email", "in_app"])
    assert dispatch().outcomes == {"failed": 1}
    assert notifications(id=ids["in_app"])[0]["state"] == "delivered"
    assert notifications(id=ids["email"])[0]["last_error"].startswith("smtp:")


def test_push_goes_through_the_gateway_with_the_users_tokens(app, patient, monkeypatch):
    received = []

    class Gateway(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append((self.headers["Authorization"], json.loads(body)))
            self.send_response(202)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Gateway)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        monkeypatch.setitem(
            app.config, "PUSH_GATEWAY_URL", f"http://127.0.0.1:{server.server_address[1]}/push"
        )
        monkeypatch.setitem(app.config, "PUSH_GATEWAY_TOKEN", "gw-token")
        add_device(patient["user_id"], "device-token-1")
        ids = _queue_for(patient, ["push"])
        assert dispatch().outcomes == {"sent": 1}
    finally:
        server.shutdown()
        server.server_close()
    ((auth, body),) = received
    assert auth == "Bearer gw-token"
    assert body["tokens"] == ["device-token-1"]
    assert body["data"] == {"notification_id": ids["push"], "kind": "session_reminder"}


def test_push_without_a_gateway_is_dead_at_once_not_faked(patient):
    add_device(patient["user_id"], "device-token-2")
    ids = _queue_for(patient, ["push"])
    assert dispatch().outcomes == {"dead": 1}
    assert notifications(id=ids["push"])[0]["last_error"] == "no push gateway configured"


class Crash(BaseException):
    """The process dying mid-batch (not an Exception: nothing may catch it)."""


def test_a_dispatcher_killed_mid_batch_is_finished_by_the_next_one_exactly_once(app, client, smtp):
    world = clinic_with_patients(client, 6)
    for p in world["patients"]:
        _queue_for({"id": p["id"], "user_id": user_of(p["id"])}, ["email"])

    @factories.in_app
    def dispatch_until_crash_after(sends: int):
        channels = build_channels()
        real: EmailChannel = channels["email"]

        class Dying:
            name = "email"
            sent = 0

            def send(self, message):
                if Dying.sent == sends:
                    raise Crash
                Dying.sent += 1
                return real.send(message)

            def close(self):
                real.close()

        return dispatch_due(10, {**channels, "email": Dying()})

    with pytest.raises(Crash):
        dispatch_until_crash_after(3)
    assert len(smtp.messages) == 3
    assert dispatch().claimed == 0  # the dead dispatcher's lease still holds
    lease = app.config["NOTIFY_LEASE_SECONDS"]
    with clock.frozen(clock.now() + timedelta(seconds=lease)):
        assert dispatch().outcomes == {"sent": 3}
        assert dispatch().claimed == 0
    message_ids = sorted(m["Message-ID"] for _, m in smtp.messages)
    assert len(message_ids) == 6 and len(set(message_ids)) == 6
    assert {r["state"] for r in notifications(channel="email")} == {"sent"}


@factories.in_app
def _bulk_insert(patient, n, offset=0):
    from backend.extensions import db
    from backend.services.notifications import insert_once, new_row

    rows = [
        new_row(
            kind="bulk",
            channel="in_app",
            local_date=TODAY,
            title="t",
            body="b",
            now=clock.now(),
            recipient_id=patient["user_id"],
            patient_id=patient["id"],
            subject=str(offset + i),
        )
        for i in range(n)
    ]
    created = insert_once(rows)
    db.session.commit()
    return created


def test_a_burst_is_inserted_once_with_its_state_log(patient):
    # 1 500 rows take the bulk path on PostgreSQL (COPY); the same rules hold on SQLite.
    first = _bulk_insert(patient, 1500)
    overlapping = _bulk_insert(patient, 1500, offset=1000)
    assert len(first) == 1500 and len(overlapping) == 1000
    assert len(notifications(kind="bulk")) == 2500
    assert {r["state"] for r in notifications(kind="bulk")} == {"delivered"}
    assert events(overlapping[0]) == [("delivered", clock.now())]


def test_a_webhook_over_plain_http_to_another_host_is_refused(app, patient, monkeypatch):
    monkeypatch.setitem(app.config, "WEBHOOK_URL", "http://clinic.example/onward")
    monkeypatch.setitem(app.config, "WEBHOOK_SECRET", "s" * 32)
    ids = _queue_for(patient, ["webhook"], kind="red_flag", subject="alert-2")
    assert dispatch().outcomes == {"failed": 1}
    assert "use https" in notifications(id=ids["webhook"])[0]["last_error"]


def _emails_for_patients(client, n: int) -> list[str]:
    world = clinic_with_patients(client, n)
    ids = []
    for p in world["patients"]:
        ids += _queue_for({"id": p["id"], "user_id": user_of(p["id"])}, ["email"]).values()
    return ids


def test_one_batch_sends_over_one_smtp_connection(client, smtp):
    _emails_for_patients(client, 4)
    assert dispatch().outcomes == {"sent": 4}
    assert len(smtp.peers) == 4 and len(set(smtp.peers)) == 1, smtp.peers


class Slow:
    """An e-mail channel whose every send takes `step` x the lease (the clock moves on); during
    send number `interrupt`, a second dispatcher (own app context, session and claim) runs."""

    name = "email"

    def __init__(self, app, the_clock, step: float, interrupt: int):
        with app.app_context():  # the app's SMTP settings (the test's server)
            self.channels = build_channels()
        self.real = self.channels["email"]
        self.channels["email"] = self
        self.lease = app.config["NOTIFY_LEASE_SECONDS"]
        self.clock, self.step, self.interrupt = the_clock, step, interrupt
        self.sends, self.second = [], None

    def send(self, message):
        self.sends.append(message.id)
        result = self.real.send(message)
        self.clock.advance(seconds=self.step * self.lease)
        if len(self.sends) == self.interrupt:
            self.second = dispatch()
        return result

    def close(self):
        self.real.close()


def _message_ids(smtp) -> list[str]:
    return sorted(m["Message-ID"] for _, m in smtp.messages)


def test_rows_whose_batch_lease_ran_out_are_left_to_the_dispatcher_that_took_them(
    app, client, smtp
):
    ids = _emails_for_patients(client, 3)
    with clock.frozen(clock.now()) as the_clock:
        # Sends at 0 and 0.6 lease (each renewing its own row); at 1.2 leases the batch
        # lease of the third row has run out and a second dispatcher takes it.
        slow = Slow(app, the_clock, step=0.6, interrupt=2)
        first = dispatch(10, slow.channels)
    assert slow.second.outcomes == {"sent": 1}
    assert first.outcomes == {"sent": 2, "taken_over": 1}
    assert len(slow.sends) == 2  # the first never sent the row it lost
    assert _message_ids(smtp) == sorted(f"<{nid}@notifications.onward>" for nid in ids)
    assert all([s for s, _ in events(nid)].count("sent") == 1 for nid in ids)


def test_a_sender_whose_row_was_taken_over_cannot_mark_it_sent(app, client, smtp):
    (nid,) = _emails_for_patients(client, 1)
    with clock.frozen(clock.now()) as the_clock:
        slow = Slow(app, the_clock, step=1.5, interrupt=1)  # one send outlasts the lease
        first = dispatch(10, slow.channels)
    assert slow.second.outcomes == {"sent": 1}  # the lease had run out: it was resent
    assert first.outcomes == {"sent": 1}  # the first sender's result ...
    assert [s for s, _ in events(nid)] == ["scheduled", "sent"]  # ... is not recorded twice
    assert _message_ids(smtp) == [f"<{nid}@notifications.onward>"] * 2


def test_a_lease_shorter_than_two_channel_timeouts_is_refused(tmp_path):
    from backend import create_app
    from backend.config import ConfigError
    from tests.conftest import app_config

    config = app_config(f"sqlite:///{tmp_path / 'x.db'}", NOTIFY_LEASE_SECONDS=20)
    with pytest.raises(ConfigError, match="NOTIFY_LEASE_SECONDS"):
        create_app({**config, "SMTP_TIMEOUT": 10.0})
    assert create_app({**config, "SMTP_TIMEOUT": 5.0, "WEBHOOK_TIMEOUT": 5.0, "PUSH_TIMEOUT": 5.0})
