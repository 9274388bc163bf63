"""§5: a red flag holds every session until a clinician acknowledges it with a decision."""

from __future__ import annotations

import pytest

from backend import clock
from tests.factories import bearer


def check_in(client, patient, **body):
    body = {"fatigue": 2, "pain": 1, **body}
    return client.post("/api/v1/me/check-ins", json=body, headers=patient["headers"]).get_json()


def today(client, patient):
    return client.get("/api/v1/me/sessions/today", headers=patient["headers"]).get_json()


def open_alerts(client, physio):
    return client.get("/api/v1/alerts", headers=bearer(physio)).get_json()


def decide(client, physio, alert_id, decision):
    return client.post(
        f"/api/v1/alerts/{alert_id}/ack",
        json={"note": "Phoned the patient.", "decision": decision},
        headers=bearer(physio),
    )


def test_held_until_care_team_clears_across_days_clean_check_ins_and_none(client, patient, physio):
    # Day 1: spinal pain is a same-day red flag.
    assert check_in(client, patient, symptoms=["spinal_pain"])["status"] == "red"
    (alert,) = open_alerts(client, physio)
    clock._clock.advance(days=1)
    # Day 2: a clean check-in does not lift the hold, and opens no second alert.
    day2 = check_in(client, patient)
    assert day2["status"] == "red"
    assert "held_until_care_team_clears" in {r["code"] for r in day2["reasons"]}
    session = today(client, patient)
    assert session["status"] == "blocked" and session["blocks"] == [] and session["held"]
    assert "care team" in session["explanation"]
    assert len(open_alerts(client, physio)) == 1
    clock._clock.advance(days=1)
    # Day 3: no check-in at all is held too.
    assert today(client, patient)["status"] == "blocked"
    assert decide(client, physio, alert["id"], "resume").status_code == 200
    assert today(client, patient)["blocks"]


def test_resume_lighter_gives_a_week_of_amber_sessions(client, patient, physio):
    check_in(client, patient, symptoms=["dizziness"])
    (alert,) = open_alerts(client, physio)
    assert decide(client, physio, alert["id"], "resume_lighter").json["decision"] == "resume_lighter"
    clock._clock.advance(days=1)
    check_in(client, patient)
    session = today(client, patient)
    assert session["verdict"] == "amber" and session["blocks"]
    assert "care_team_resume_lighter" in {r["code"] for r in session["reasons"]}
    clock._clock.advance(days=7)
    check_in(client, patient)
    assert today(client, patient)["verdict"] == "green"


def test_pause_keeps_sessions_held_until_decided_again(client, patient, physio):
    check_in(client, patient, symptoms=["bone_pain"])
    (alert,) = open_alerts(client, physio)
    assert decide(client, physio, alert["id"], "pause").status_code == 200
    clock._clock.advance(days=1)
    check_in(client, patient)
    assert today(client, patient)["status"] == "blocked"
    assert decide(client, physio, alert["id"], "resume").status_code == 200
    assert today(client, patient)["blocks"]
    assert decide(client, physio, alert["id"], "resume").status_code == 409


@pytest.mark.parametrize("body", [{"note": "Phoned."}, {"note": "Phoned.", "decision": "maybe"}])
def test_a_decision_is_required_to_acknowledge(client, patient, physio, body):
    check_in(client, patient, symptoms=["palpitations"])
    (alert,) = open_alerts(client, physio)
    answer = client.post(f"/api/v1/alerts/{alert['id']}/ack", json=body, headers=bearer(physio))
    assert answer.status_code == 422 and "decision" in answer.get_json()["errors"]["json"]
    assert len(open_alerts(client, physio)) == 1


def test_a_score_red_does_not_hold_the_next_day(client, patient):
    assert check_in(client, patient, fatigue=9)["status"] == "red"
    clock._clock.advance(days=1)
    assert check_in(client, patient)["status"] == "green"


def test_vitals_over_the_gate_hold_until_cleared(client, patient):
    answer = check_in(client, patient, resting_hr=130)
    assert answer["status"] == "red"
    assert "resting_hr_above_120" in {r["code"] for r in answer["reasons"]}
    bad = client.post(
        "/api/v1/me/check-ins",
        json={"fatigue": 2, "pain": 1, "resting_hr": 400},
        headers=patient["headers"],
    )
    assert bad.status_code == 422


def test_vomiting_within_24h_last_night_still_counts_this_morning(client, patient, physio):
    # §4.1 Gilchrist "no vomiting within 24 h": reported in the evening, the next morning's
    # clean check-in (and the morning's session) is still red; one alert for one report.
    clock._clock.set(clock.now().replace(hour=21, minute=0))
    assert check_in(client, patient, symptoms=["vomiting"])["status"] == "red"
    clock._clock.advance(hours=11)  # 08:00 the next day
    morning = check_in(client, patient)
    assert morning["status"] == "red"
    assert "vomiting_within_24h" in {r["code"] for r in morning["reasons"]}
    assert today(client, patient)["blocks"] == []
    assert len(open_alerts(client, physio)) == 1
    clock._clock.advance(days=1)  # 32 h after: lapsed
    assert check_in(client, patient)["status"] != "red"
