"""A client generated from the served document runs the patient's day against a real server.

openapi-python-client (pinned) generates the package from /api/v1/openapi.json; the app is
served on a real socket; every answer must parse into the typed model the document promises
(no Unset or bare dict where the server sent a value, no undocumented member), so the test
fails when the document and the server disagree. The requests and answers, with volatile
values normalised, are docs/api.md: set ONWARD_WRITE_API_DOCS=1 to rewrite it.
"""

from __future__ import annotations

import json
import os
from datetime import date
from pathlib import Path

import pytest

from backend import clock
from tests.contract import generated
from tests.contract.walkthrough import STEPS, render
from tests.factories import PASSWORD, clinic_with_staff, enrol, in_app, login

pytestmark = pytest.mark.generated_client
DOCS = Path(__file__).resolve().parents[2] / "docs" / "api.md"


@pytest.fixture(scope="module")
def api(app, tmp_path_factory):
    document = app.test_client().get("/api/v1/openapi.json").get_json()
    return generated.generate(document, tmp_path_factory.mktemp("client"))


@in_app
def _a_notification(patient_id: str) -> None:
    from backend.extensions import db
    from backend.models import Patient
    from backend.services.notifications import create_once

    create_once(
        kind="session_reminder",
        local_date=clock.now().date(),
        title="Time for today's session",
        body="Today's session is ready when you are.",
        channels=["in_app"],
        recipient_id=db.session.get(Patient, patient_id).user_id,
        patient_id=patient_id,
    )
    db.session.commit()


class Day:
    """The walkthrough's calls through the generated package, each answer checked."""

    def __init__(self, api, base_url: str, recorder: generated.Recorder):
        self.api, self.base_url, self.recorder = api, base_url, recorder
        self.client = api.Client(base_url, httpx_args={"event_hooks": recorder.hooks()})
        self.steps: list[tuple[str, int]] = []  # (step name, first exchange index)
        self.problems: list[str] = []  # every typing gap of every answer, reported together

    def signed_in(self, token: str):
        return self.api.AuthenticatedClient(
            self.base_url, token=token, httpx_args={"event_hooks": self.recorder.hooks()}
        )

    def call(self, step: str, operation, status: int, **kwargs):
        """Call one generated operation; its answer must be `status` and typed throughout."""
        self.steps.append((step, len(self.recorder.exchanges)))
        response = operation.sync_detailed(**kwargs)
        assert response.status_code == status, (step, response.content)
        sent = json.loads(response.content) if response.content else None
        if sent is not None:
            assert response.parsed is not None, step
            self.problems += [f"{step}: {p}" for p in generated.untyped(response.parsed, sent)]
        return response.parsed


def _walk(api, base_url: str, email: str, recorder: generated.Recorder, patient_id: str):
    from onward_api_client.api.auth import refresh_tokens, sign_in, sign_out
    from onward_api_client.api.daily import (
        create_check_in,
        get_today_session,
        list_check_ins,
        list_sessions,
        log_session,
    )
    from onward_api_client.api.me import get_me
    from onward_api_client.api.notifications import list_notifications
    from onward_api_client.api.sync import sync_offline_actions
    from onward_api_client.api.vocabulary import get_vocabulary
    from onward_api_client.models import (
        CheckInCreate,
        Login,
        Logout,
        Refresh,
        SessionLogCreate,
        SyncAction,
        SyncActionKind,
        SyncRequest,
    )

    day = Day(api, base_url, recorder)
    vocabulary = day.call("vocabulary", get_vocabulary, 200, client=day.client)
    assert any(s.severity.value == "red" for s in vocabulary.symptoms)

    tokens = day.call(
        "sign_in", sign_in, 200, client=day.client, body=Login(email=email, password=PASSWORD)
    )
    me = day.signed_in(tokens.access_token)

    checked = day.call(
        "check_in",
        create_check_in,
        201,
        client=me,
        body=CheckInCreate(fatigue=3, pain=1, symptoms=[]),
        idempotency_key="ci-2026-11-26-a1",
    )
    assert checked.status.value in ("green", "amber")

    session = day.call("today", get_today_session, 200, client=me)
    assert session.check_in.done and session.check_in.id == checked.id
    assert session.blocks and session.blocks[0].media[0].url.startswith("http")

    logged = day.call(
        "log",
        log_session,
        201,
        client=me,
        session_id=session.id,
        body=SessionLogCreate(completed=True, minutes=25.0, session_rpe=4.0),
        idempotency_key="log-2026-11-26-a1",
    )
    assert logged.session_id == session.id

    clock._clock.advance(days=1)
    tomorrow = day.call("today_before_check_in", get_today_session, 200, client=me)
    assert not tomorrow.check_in.done
    queued = [
        SyncAction(
            kind=SyncActionKind.CHECK_IN,
            idempotency_key="ci-2026-11-27-a1",
            check_in=CheckInCreate(fatigue=4, pain=2, symptoms=[], date=date(2026, 11, 27)),
        ),
        SyncAction(
            kind=SyncActionKind.LOG,
            idempotency_key="log-2026-11-27-a1",
            session_id=tomorrow.id,
            log=SessionLogCreate(completed=False, minutes=10.0, session_rpe=3.0),
        ),
        SyncAction(  # the first log, replayed: the phone did not see its answer
            kind=SyncActionKind.LOG,
            idempotency_key="log-2026-11-26-a1",
            session_id=session.id,
            log=SessionLogCreate(completed=True, minutes=25.0, session_rpe=4.0),
        ),
    ]
    synced = day.call(
        "sync", sync_offline_actions, 200, client=me, body=SyncRequest(actions=queued)
    )
    assert [r.status for r in synced.results] == [201, 201, 201]
    assert synced.results[2].log.id == logged.id

    history = day.call("check_ins", list_check_ins, 200, client=me, limit=10)
    assert [c.date for c in history.items] == [date(2026, 11, 27), date(2026, 11, 26)]
    assert history.next_cursor is None

    sessions = day.call("sessions", list_sessions, 200, client=me, limit=1)
    assert sessions.items[0].log.session_id == tomorrow.id and sessions.next_cursor

    _a_notification(patient_id)
    inbox = day.call("notifications", list_notifications, 200, client=me, limit=20)
    assert inbox.items[0].kind == "session_reminder"

    renewed = day.call(
        "refresh",
        refresh_tokens,
        200,
        client=day.client,
        body=Refresh(refresh_token=tokens.refresh_token),
    )
    assert renewed.refresh_token != tokens.refresh_token
    day.call(
        "sign_out",
        sign_out,
        204,
        client=day.client,
        body=Logout(refresh_token=renewed.refresh_token),
    )
    ended = day.call("after_sign_out", get_me, 401, client=day.signed_in(renewed.access_token))
    assert ended.status == 401
    assert not day.problems, "\n".join(day.problems)
    return day.steps


def test_a_generated_client_runs_the_patient_day(app, client, api):
    physio = login(client, clinic_with_staff()["physio"])
    email = "ann.walker@example.org"
    patient = enrol(client, physio, email=email, display_name="Ann Walker")
    client.post(
        "/api/v1/auth/activate", json={"invite_code": patient["invite_code"], "password": PASSWORD}
    )
    recorder = generated.Recorder()
    with generated.served(app) as base_url:
        steps = _walk(api, base_url, email, recorder, patient["id"])
    assert [name for name, _ in steps] == [s.name for s in STEPS]
    transcript = render(steps, recorder.exchanges, generated.Normaliser(base_url))
    if os.environ.get("ONWARD_WRITE_API_DOCS") == "1":
        DOCS.write_text(transcript)
    assert DOCS.read_text() == transcript, (
        "docs/api.md no longer matches the API's real answers: run "
        "ONWARD_WRITE_API_DOCS=1 .venv/bin/pytest tests/contract/test_generated_client.py "
        "and review the diff"
    )
