"""One session status vocabulary, computed in one place: the API and the dashboard agree."""

from __future__ import annotations

from datetime import date

import pytest

from backend import clock
from backend.domain.sessions import shown_status
from backend.domain.vocabulary import SESSION_STATUSES
from tests.factories import activate, bearer, clinic_with_staff, enrol, login
from tests.integration.review.pages import sign_in

D = date(2026, 11, 26)


@pytest.mark.parametrize(
    ("stored", "on", "expected"),
    [
        ("planned", date(2026, 11, 25), "missed"),
        ("planned", D, "planned"),  # today is still open
        ("blocked", date(2026, 11, 20), "blocked"),  # a red-flag day is not the patient's miss
        ("rest", date(2026, 11, 20), "rest"),
        ("completed", date(2026, 11, 20), "completed"),
        ("partial", date(2026, 11, 20), "partial"),
        ("stopped", date(2026, 11, 20), "stopped"),
    ],
)
def test_shown_status(stored, on, expected):
    assert shown_status(stored, on, D) == expected
    assert expected in SESSION_STATUSES


def test_a_past_unlogged_day_is_missed_in_the_api_and_on_the_dashboard(client):
    staff = clinic_with_staff()
    physio = login(client, staff["physio"])
    created = enrol(client, physio)
    headers = bearer(activate(client, created["invite_code"]))
    client.post("/api/v1/me/check-ins", json={"fatigue": 2, "pain": 1}, headers=headers)
    served = client.get("/api/v1/me/sessions/today", headers=headers).get_json()
    assert served["status"] == "planned" and served["blocks"]
    clock._clock.advance(days=2)
    history = client.get("/api/v1/me/sessions", headers=headers).get_json()["items"]
    past = next(s for s in history if s["id"] == served["id"])
    assert past["status"] == "missed"
    sign_in(client, staff["physio"])
    page = client.get(f"/dashboard/patients/{created['id']}").get_data(as_text=True)
    assert 'class="badge session-missed">Missed</span>' in page
    assert "session-planned" not in page
