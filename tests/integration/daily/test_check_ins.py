"""POST /me/check-ins: the verdict, its reasons and advice; red opens an alert and blocks the day."""

from __future__ import annotations

from sqlalchemy import select

from backend.extensions import db
from backend.models import Alert, CheckIn
from tests.factories import in_app


def check_in(client, patient, **body):
    return client.post(
        "/api/v1/me/check-ins",
        json={"fatigue": 2, "pain": 1, "symptoms": [], **body},
        headers=patient["headers"],
    )


@in_app
def alerts_of(patient_id):
    return db.session.scalars(select(Alert).where(Alert.patient_id == patient_id)).all()


@in_app
def check_ins_of(patient_id):
    return db.session.scalars(select(CheckIn).where(CheckIn.patient_id == patient_id)).all()


def test_a_good_morning_is_green(client, patient):
    response = check_in(client, patient)
    assert response.status_code == 201
    body = response.get_json()
    assert body["status"] == "green" and body["date"] == "2026-11-26"


def test_high_fatigue_is_amber_with_a_reason_and_source(client, patient):
    body = check_in(client, patient, fatigue=7).get_json()
    assert body["status"] == "amber"
    reason = next(r for r in body["reasons"] if r["severity"] == "amber")
    assert reason["message"] and reason["source"]


def test_chest_pain_is_red_with_emergency_advice_and_an_alert(client, patient):
    body = check_in(client, patient, symptoms=["chest_pain"]).get_json()
    assert body["status"] == "red" and body["emergency"] is True
    assert body["advice"]
    alerts = alerts_of(patient["id"])
    assert len(alerts) == 1 and alerts[0].kind == "red_flag" and alerts[0].acknowledged_at is None
    today = client.get("/api/v1/me/sessions/today", headers=patient["headers"]).get_json()
    assert today["status"] == "blocked" and today["blocks"] == []


def test_fever_by_thermometer_is_red(client, patient):
    assert check_in(client, patient, temperature_c=38.4).get_json()["status"] == "red"


def test_a_later_check_in_updates_the_verdict_and_both_are_kept(client, patient):
    assert check_in(client, patient, fatigue=8).get_json()["status"] == "amber"
    assert check_in(client, patient, fatigue=3).get_json()["status"] == "green"
    assert [c.fatigue for c in sorted(check_ins_of(patient["id"]), key=lambda c: c.at)] == [8, 3]
    today = client.get("/api/v1/me/sessions/today", headers=patient["headers"]).get_json()
    assert today["verdict"] == "green"


def test_two_red_check_ins_one_day_share_one_alert(client, patient):
    check_in(client, patient, symptoms=["chest_pain"])
    check_in(client, patient, temperature_c=39.0)
    alerts = alerts_of(patient["id"])
    assert len(alerts) == 1
    assert len(alerts[0].reasons) >= 2


def test_unknown_symptom_code_is_422_and_stores_nothing(client, patient):
    response = check_in(client, patient, symptoms=["chest_pain", "itchy_elbow"])
    assert response.status_code == 422
    assert "1" in response.get_json()["errors"]["json"]["symptoms"]
    assert check_ins_of(patient["id"]) == [] and alerts_of(patient["id"]) == []


def test_out_of_range_scores_are_422_and_store_nothing(client, patient):
    for body in ({"fatigue": 11}, {"pain": -1}, {"fatigue": 2.5}, {"temperature_c": 52}):
        assert check_in(client, patient, **body).status_code == 422, body
    assert check_ins_of(patient["id"]) == []


def test_clinicians_cannot_check_in_for_a_patient(client, physio):
    response = client.post(
        "/api/v1/me/check-ins",
        json={"fatigue": 1, "pain": 1},
        headers={"Authorization": f"Bearer {physio['access_token']}"},
    )
    assert response.status_code == 403


@in_app
def notifications_for(user_id):
    from backend.models import Notification

    return db.session.scalars(select(Notification).where(Notification.recipient_id == user_id)).all()


def test_a_red_check_in_notifies_the_clinicians_at_once(client, patient, physio):
    from backend.models import User

    check_in(client, patient, symptoms=["chest_pain"])

    @in_app
    def physio_id():
        return db.session.scalar(select(User.id).where(User.role == "clinician"))

    sent = notifications_for(physio_id())
    in_app_rows = [n for n in sent if n.kind == "red_flag" and n.channel == "in_app"]
    assert len(in_app_rows) == 1 and in_app_rows[0].state == "delivered"
    assert in_app_rows[0].patient_id == patient["id"]
    check_in(client, patient, symptoms=["fainting"])  # the same open alert: no second message
    assert len([n for n in notifications_for(physio_id()) if n.kind == "red_flag" and n.channel == "in_app"]) == 1
