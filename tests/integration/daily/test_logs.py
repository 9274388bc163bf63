"""POST /me/sessions/{id}/log: offline replays are stored once and answered the same."""

from __future__ import annotations

import threading

from sqlalchemy import func, select

from backend import clock
from backend.extensions import db
from backend.models import SessionLog
from tests.factories import in_app

LOG = {
    "completed": True,
    "minutes": 25,
    "session_rpe": 4,
    "rpe_scale": "cr10",
    "fatigue_after": 3,
    "pain_after": 1,
}


def session_id(client, patient):
    return client.get("/api/v1/me/sessions/today", headers=patient["headers"]).get_json()["id"]


def post_log(client, patient, sid, body=None, key="log-key-00000001"):
    return client.post(
        f"/api/v1/me/sessions/{sid}/log",
        json=body or LOG,
        headers={**patient["headers"], "Idempotency-Key": key},
    )


@in_app
def stored_logs(patient_id):
    return db.session.scalar(
        select(func.count()).select_from(SessionLog).where(SessionLog.patient_id == patient_id)
    )


def test_a_log_is_stored_and_completes_the_session(client, patient):
    sid = session_id(client, patient)
    response = post_log(client, patient, sid)
    assert response.status_code == 201
    body = response.get_json()
    assert (
        body["status"] == "completed"
        and body["session_load"] == 100.0
        and body["performed_on"] == "2026-11-26"
    )
    today = client.get("/api/v1/me/sessions/today", headers=patient["headers"]).get_json()
    assert today["status"] == "completed" and today["log"]["id"] == body["id"]


def test_a_replayed_log_is_stored_once_and_answered_the_same(client, patient):
    sid = session_id(client, patient)
    first = post_log(client, patient, sid)
    clock._clock.advance(minutes=5)
    replay = post_log(client, patient, sid)
    assert replay.status_code == first.status_code == 201
    assert replay.get_json() == first.get_json()
    assert stored_logs(patient["id"]) == 1


def test_a_different_body_under_the_same_key_is_409(client, patient):
    sid = session_id(client, patient)
    post_log(client, patient, sid)
    response = post_log(client, patient, sid, {**LOG, "minutes": 40})
    assert response.status_code == 409
    assert stored_logs(patient["id"]) == 1


def test_a_second_log_of_the_same_session_with_a_new_key_is_409(client, patient):
    sid = session_id(client, patient)
    post_log(client, patient, sid)
    assert post_log(client, patient, sid, key="another-key-0002").status_code == 409
    assert stored_logs(patient["id"]) == 1


def test_out_of_range_values_are_422_and_store_nothing(client, patient):
    sid = session_id(client, patient)
    bad_bodies = [
        {**LOG, "session_rpe": 11},
        {**LOG, "rpe_scale": "borg20", "session_rpe": 4},
        {**LOG, "minutes": -5},
        {**LOG, "fatigue_after": 12},
        {**LOG, "blocks": [{"exercise_id": "not-in-this-session", "completed": True}]},
    ]
    for i, body in enumerate(bad_bodies):
        assert post_log(client, patient, sid, body, key=f"bad-key-{i:08d}").status_code == 422, body
    assert stored_logs(patient["id"]) == 0
    today = client.get("/api/v1/me/sessions/today", headers=patient["headers"]).get_json()
    assert today["status"] == "planned"


def test_missing_or_malformed_idempotency_key_is_422(client, patient):
    sid = session_id(client, patient)
    no_key = client.post(f"/api/v1/me/sessions/{sid}/log", json=LOG, headers=patient["headers"])
    assert no_key.status_code == 422
    assert post_log(client, patient, sid, key="short").status_code == 422
    assert stored_logs(patient["id"]) == 0


def test_borg_scale_is_kept_as_given(client, patient):
    sid = session_id(client, patient)
    body = post_log(
        client, patient, sid, {**LOG, "rpe_scale": "borg20", "session_rpe": 13}
    ).get_json()
    assert body["session_rpe"] == 13 and body["rpe_scale"] == "borg20"
    assert body["session_load"] == 75.0  # 25 min x CR-10 3 ("somewhat hard")


def test_stopping_early_marks_the_session_stopped(client, patient):
    sid = session_id(client, patient)
    body = post_log(
        client, patient, sid, {**LOG, "completed": False, "stopped_early_reason": "dizzy"}
    ).get_json()
    assert body["status"] == "stopped"


def test_a_log_days_late_keeps_its_performed_date(client, patient):
    sid = session_id(client, patient)
    clock._clock.advance(days=3)
    body = post_log(client, patient, sid).get_json()
    assert body["performed_on"] == "2026-11-26"
    assert body["received_at"].startswith("2026-11-29")


def test_another_patients_session_is_404(client, patient, physio):
    from tests.factories import activate, bearer, enrol

    other = activate(client, enrol(client, physio)["invite_code"])
    other_sid = client.get("/api/v1/me/sessions/today", headers=bearer(other)).get_json()["id"]
    response = post_log(client, patient, other_sid)
    assert response.status_code == 404
    assert stored_logs(patient["id"]) == 0


def test_concurrent_replays_of_one_key_store_exactly_one_log(app, client, patient):
    sid = session_id(client, patient)
    results = []

    def replay():
        with app.test_client() as own_client:
            results.append(post_log(own_client, patient, sid))

    threads = [threading.Thread(target=replay) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [r.status_code for r in results] == [201] * 6
    assert len({r.get_json()["id"] for r in results}) == 1
    assert stored_logs(patient["id"]) == 1
