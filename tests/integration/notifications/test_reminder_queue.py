"""queue_due_reminders on the database: what the patient's day says decides what is sent."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from backend import clock
from backend.services.notifications import dispatch_due
from backend.services.reminders import queue_due_reminders
from tests import factories
from tests.factories import bearer
from tests.integration.notifications.builders import (
    WALK_AND_BANDS,
    add_check_in,
    add_session,
    clinic_with_patients,
    count,
    notifications,
)
from tests.integration.notifications.conftest import set_patient, user_of

TODAY = date(2026, 11, 26)
AT_TEN = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)  # the default 10:00 reminder, London
tick = factories.in_app(queue_due_reminders)
dispatch = factories.in_app(dispatch_due)


def reminders(patient_id, **where):
    return [
        r
        for r in notifications(patient_id=patient_id, channel="in_app", **where)
        if r["kind"] in ("session_reminder", "missed_nudge")
    ]


@pytest.fixture
def patient(client):
    return clinic_with_patients(client, 1)["patients"][0]["id"]


def test_reminder_comes_at_ten_with_the_session_it_names(patient):
    add_check_in(patient, TODAY, "green")
    add_session(patient, TODAY, blocks=WALK_AND_BANDS)
    tick(AT_TEN - timedelta(minutes=1))
    assert reminders(patient) == []
    tick(AT_TEN)
    (reminder,) = reminders(patient)
    assert reminder["body"] == "Your 20-minute walk and band session is ready when you are."
    assert reminder["local_date"] == TODAY and reminder["created_at"] == AT_TEN
    for minute in range(1, 120):  # later ticks, and a second scheduler, add nothing
        tick(AT_TEN + timedelta(minutes=minute))
    tick(AT_TEN + timedelta(minutes=5))
    assert len(reminders(patient)) == 1


def test_a_general_text_when_todays_session_is_not_planned_yet(patient):
    tick(AT_TEN)
    (reminder,) = reminders(patient)
    assert reminder["body"].startswith("Today's session is ready when you are.")
    assert "check-in" in reminder["body"]  # no check-in yet today


@pytest.mark.parametrize(
    "setup",
    [
        pytest.param(lambda p: add_session(p, TODAY, "completed"), id="done"),
        pytest.param(lambda p: add_session(p, TODAY, "partial"), id="partly-done"),
        pytest.param(lambda p: add_session(p, TODAY, "stopped"), id="stopped"),
        pytest.param(lambda p: add_session(p, TODAY, "rest"), id="rest-day"),
        pytest.param(lambda p: add_session(p, TODAY, "blocked"), id="blocked"),
        pytest.param(lambda p: add_check_in(p, TODAY, "red"), id="red-check-in"),
    ],
)
def test_no_reminder_when_done_rest_or_red(patient, setup):
    setup(patient)
    for minute in range(0, 600, 7):
        tick(AT_TEN + timedelta(minutes=minute))
    assert reminders(patient) == []


def test_a_red_check_in_after_an_amber_one_stops_the_reminder(patient):
    add_check_in(patient, TODAY, "amber")
    with clock.frozen(AT_TEN - timedelta(minutes=5)):
        add_check_in(patient, TODAY, "red")  # the latest one counts
    tick(AT_TEN)
    assert reminders(patient) == []


def test_quiet_hours_and_window(patient):
    set_patient(patient, reminder_time="06:30", quiet_start="22:00", quiet_end="07:15")
    set_patient(patient, window_start="06:00")
    add_check_in(patient, TODAY, "green")
    start = datetime(2026, 11, 26, 6, 0, tzinfo=UTC)
    for minute in range(0, 75):
        tick(start + timedelta(minutes=minute))
    assert reminders(patient) == []  # 06:30-07:14 is quiet
    tick(datetime(2026, 11, 26, 7, 15, tzinfo=UTC))
    assert [r["created_at"].time().isoformat() for r in reminders(patient)] == ["07:15:00"]


def test_a_reminder_time_after_the_window_sends_nothing(patient):
    set_patient(patient, reminder_time="20:30")
    for minute in range(0, 240, 3):
        tick(datetime(2026, 11, 26, 20, 0, tzinfo=UTC) + timedelta(minutes=minute))
    assert reminders(patient) == []


@pytest.mark.usefixtures("blueprint_registered")
def test_snooze_holds_the_reminder_until_it_ends(client):
    w = clinic_with_patients(client, 1)
    patient, tokens = w["patients"][0]["id"], w["patients"][0]["tokens"]
    with clock.frozen(AT_TEN - timedelta(minutes=10)):
        response = client.post(
            "/api/v1/me/reminders/snooze", json={"minutes": 45}, headers=bearer(tokens)
        )
    assert response.status_code == 200, response.get_json()
    for minute in range(0, 35):
        tick(AT_TEN + timedelta(minutes=minute))
    assert reminders(patient) == []
    tick(AT_TEN + timedelta(minutes=35))
    assert [r["created_at"] for r in reminders(patient)] == [AT_TEN + timedelta(minutes=35)]


def test_the_daily_cap(patient, app, monkeypatch):
    monkeypatch.setitem(app.config, "REMINDER_DAILY_CAP", 1)
    tick(datetime(2026, 11, 26, 8, 0, tzinfo=UTC))  # the morning check-in prompt
    assert count(patient_id=patient, kind="check_in_prompt") == 1
    for minute in range(0, 120, 5):
        tick(AT_TEN + timedelta(minutes=minute))
    assert reminders(patient) == []


def test_morning_prompt_then_reminder(patient):
    for minute in range(0, 180):
        tick(datetime(2026, 11, 26, 7, 30, tzinfo=UTC) + timedelta(minutes=minute))
    rows = notifications(patient_id=patient, channel="in_app")
    assert [(r["kind"], r["created_at"].strftime("%H:%M")) for r in rows] == [
        ("check_in_prompt", "08:00"),
        ("session_reminder", "10:00"),
    ]


def test_no_prompt_once_checked_in(patient):
    add_check_in(patient, TODAY, "green")
    tick(datetime(2026, 11, 26, 8, 0, tzinfo=UTC))
    assert count(patient_id=patient, kind="check_in_prompt") == 0


def test_missed_sessions_nudge_the_patient_then_tell_the_clinicians(client):
    w = clinic_with_patients(client, 1)
    patient = w["patients"][0]["id"]
    for days_ago in (1, 2):
        add_session(patient, TODAY - timedelta(days=days_ago))  # planned, never logged
    add_session(patient, TODAY - timedelta(days=3), logged=True)
    tick(AT_TEN)
    (nudge,) = reminders(patient)
    assert nudge["kind"] == "missed_nudge" and "even five easy minutes" in nudge["body"].lower()
    assert count(kind="missed_sessions") == 0

    tomorrow = AT_TEN + timedelta(days=1)
    for days_ago in (4, 5):
        add_session(patient, TODAY - timedelta(days=days_ago))
    tick(tomorrow)
    # Nudged yesterday: today is a plain reminder; but 4 missed tell the physio, once.
    assert [r["kind"] for r in reminders(patient)] == ["missed_nudge", "session_reminder"]
    (note,) = notifications(kind="missed_sessions")
    assert note["recipient_id"] == w["physio_id"] and note["patient_id"] == patient
    assert "4 planned sessions" in note["body"]
    tick(tomorrow + timedelta(days=1))
    assert count(kind="missed_sessions") == 1


def test_patients_channels_are_honoured(client, app):
    w = clinic_with_patients(client, 1)
    patient = w["patients"][0]["id"]
    set_patient(patient, channels=["in_app", "email", "push"])  # push: no device yet
    tick(AT_TEN)
    assert sorted(r["channel"] for r in notifications(kind="session_reminder")) == [
        "email",
        "in_app",
    ]
    assert {r["recipient_id"] for r in notifications(kind="session_reminder")} == {user_of(patient)}


def test_inactive_patients_get_nothing(client):
    staff = factories.clinic_with_staff()
    physio = factories.login(client, staff["physio"])
    enrolled = factories.enrol(client, physio)  # never activated
    tick(AT_TEN)
    assert notifications(patient_id=enrolled["id"]) == []


@pytest.mark.usefixtures("blueprint_registered")
def test_queued_reminders_reach_the_inbox(client):
    w = clinic_with_patients(client, 1)
    tokens = w["patients"][0]["tokens"]
    with clock.frozen(AT_TEN):
        tick(AT_TEN)
        assert dispatch().claimed == 0  # nothing to send: the inbox row is the delivery
        response = client.get("/api/v1/me/notifications", headers=bearer(tokens))
    assert [n["kind"] for n in response.get_json()["items"]] == ["session_reminder"]
