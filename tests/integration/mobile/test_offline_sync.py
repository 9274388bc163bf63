"""The offline window and POST /me/sync: queued work applied in order, once, each answered."""

from __future__ import annotations

from sqlalchemy import func, select

from backend import clock
from backend.extensions import db
from backend.models import CheckIn, SessionLog
from tests.factories import in_app

LOG = {"completed": True, "minutes": 25, "session_rpe": 4}
OK = {"fatigue": 2, "pain": 1}


@in_app
def counts(patient_id):
    def n(model):
        return db.session.scalar(
            select(func.count()).select_from(model).where(model.patient_id == patient_id)
        )

    return n(CheckIn), n(SessionLog)


def today(client, patient):
    return client.get("/api/v1/me/sessions/today", headers=patient["headers"]).get_json()


def post_log(client, patient, sid, key="log-key-00000001"):
    return client.post(
        f"/api/v1/me/sessions/{sid}/log",
        json=LOG,
        headers={**patient["headers"], "Idempotency-Key": key},
    )


def sync(client, patient, actions):
    response = client.post("/api/v1/me/sync", json={"actions": actions}, headers=patient["headers"])
    assert response.status_code == 200, response.get_json()
    return response.get_json()["results"]


def test_a_log_older_than_the_window_is_a_422_naming_it(client, patient):
    sid = today(client, patient)["id"]
    clock._clock.advance(days=8)
    response = post_log(client, patient, sid)
    assert response.status_code == 422
    body = response.get_json()
    assert "more than 7 days ago" in body["detail"] and "session_id" in str(body["errors"])
    assert counts(patient["id"]) == (0, 0)


def test_a_log_at_the_edge_of_the_window_is_kept_with_its_own_day(client, patient):
    sid = today(client, patient)["id"]
    clock._clock.advance(days=7)
    response = post_log(client, patient, sid)
    assert response.status_code == 201 and response.get_json()["performed_on"] == "2026-11-26"


def test_the_window_is_configurable(app, client, patient):
    sid = today(client, patient)["id"]
    clock._clock.advance(days=3)
    app.config["OFFLINE_WINDOW_DAYS"] = 2
    try:
        response = post_log(client, patient, sid)
    finally:
        app.config["OFFLINE_WINDOW_DAYS"] = 7
    assert response.status_code == 422 and "more than 2 days ago" in response.get_json()["detail"]


def test_a_check_in_for_an_old_or_future_day_is_422(client, patient):
    for day, words in (("2026-11-18", "more than 7 days ago"), ("2026-11-27", "not started")):
        response = client.post(
            "/api/v1/me/check-ins", json={**OK, "date": day}, headers=patient["headers"]
        )
        assert response.status_code == 422 and words in response.get_json()["detail"], day
    assert counts(patient["id"]) == (0, 0)


def test_a_queue_is_applied_in_order_and_each_action_answered_on_its_own(client, patient):
    sid = today(client, patient)["id"]
    clock._clock.advance(days=2)  # the phone was offline; it syncs two days later
    actions = [
        {
            "kind": "check_in",
            "idempotency_key": "ci-2026-11-26",
            "check_in": {**OK, "date": "2026-11-26"},
        },
        {"kind": "log", "idempotency_key": "log-2026-11-26", "session_id": sid, "log": LOG},
        {
            "kind": "check_in",
            "idempotency_key": "ci-bad-0001",
            "check_in": {"fatigue": 11, "pain": 1},
        },
        {"kind": "log", "idempotency_key": "log-unknown-1", "session_id": "nope", "log": LOG},
        {"kind": "check_in", "idempotency_key": "ci-2026-11-28", "check_in": {**OK, "fatigue": 3}},
    ]
    first = sync(client, patient, actions)
    assert [r["status"] for r in first] == [201, 201, 422, 404, 201]
    assert [r["index"] for r in first] == [0, 1, 2, 3, 4]
    assert (
        first[0]["check_in"]["date"] == "2026-11-26"
        and first[4]["check_in"]["date"] == "2026-11-28"
    )
    assert (
        first[1]["log"]["performed_on"] == "2026-11-26" and first[1]["log"]["status"] == "completed"
    )
    assert "fatigue" in str(first[2]["problem"]["errors"]) and first[3]["problem"]["status"] == 404
    assert counts(patient["id"]) == (2, 1)
    # The answer was lost: the phone sends the whole batch again. Nothing is stored twice.
    again = sync(client, patient, actions)
    assert [r["status"] for r in again] == [201, 201, 422, 404, 201]
    assert again[0]["check_in"]["id"] == first[0]["check_in"]["id"]
    assert again[1]["log"]["id"] == first[1]["log"]["id"]
    assert counts(patient["id"]) == (2, 1)
    history = client.get("/api/v1/me/check-ins", headers=patient["headers"]).get_json()["items"]
    assert [c["date"] for c in history] == ["2026-11-28", "2026-11-26"]


def test_a_key_reused_for_another_body_is_409_and_old_work_is_422(client, patient):
    sid = today(client, patient)["id"]
    sync(client, patient, [{"kind": "check_in", "idempotency_key": "ci-key-0001", "check_in": OK}])
    clock._clock.advance(days=9)
    results = sync(
        client,
        patient,
        [
            {"kind": "check_in", "idempotency_key": "ci-key-0001", "check_in": {**OK, "pain": 4}},
            {"kind": "log", "idempotency_key": "log-old-00001", "session_id": sid, "log": LOG},
        ],
    )
    assert [r["status"] for r in results] == [409, 422]
    assert "more than 7 days ago" in results[1]["problem"]["detail"]
    assert counts(patient["id"]) == (1, 0)


def test_a_replay_outside_the_window_still_gets_its_stored_answer(client, patient):
    sid = today(client, patient)["id"]
    action = {"kind": "log", "idempotency_key": "log-key-replay1", "session_id": sid, "log": LOG}
    first = sync(client, patient, [action])[0]
    clock._clock.advance(days=10)
    again = sync(client, patient, [action])[0]
    assert again["status"] == 201 and again["log"]["id"] == first["log"]["id"]


def test_a_malformed_batch_is_422_and_applies_nothing(client, patient):
    bad = [
        {"actions": []},
        {"actions": [{"kind": "walk", "idempotency_key": "k-00000001"}]},
        {"actions": [{"kind": "log", "idempotency_key": "k-00000001", "log": LOG}]},
        {"actions": [{"kind": "check_in", "idempotency_key": "short", "check_in": OK}]},
        {"actions": [{"kind": "check_in", "idempotency_key": "k-00000001", "check_in": "x"}]},
        {
            "actions": [
                {"kind": "check_in", "idempotency_key": f"k-{i:08d}", "check_in": OK}
                for i in range(51)
            ]
        },
    ]
    for body in bad:
        response = client.post("/api/v1/me/sync", json=body, headers=patient["headers"])
        assert response.status_code == 422, body
    assert counts(patient["id"]) == (0, 0)


def test_a_single_check_in_with_an_idempotency_key_is_stored_once(client, patient):
    headers = {**patient["headers"], "Idempotency-Key": "single-ci-0001"}
    first = client.post("/api/v1/me/check-ins", json=OK, headers=headers)
    again = client.post("/api/v1/me/check-ins", json=OK, headers=headers)
    assert first.status_code == again.status_code == 201
    assert first.get_json()["id"] == again.get_json()["id"]
    assert counts(patient["id"]) == (1, 0)


def test_a_queued_questionnaire_keeps_its_week_and_a_second_that_week_is_409(client, patient):
    from tests.integration.matrix_questionnaires import ESAS

    clock._clock.advance(days=5)  # offline since Thursday; syncs on Tuesday of the next week
    actions = [
        {
            "kind": "esas_r",
            "idempotency_key": "esas-w48-0001",
            "esas_r": {**ESAS, "date": "2026-11-27"},
        },
        {
            "kind": "esas_r",
            "idempotency_key": "esas-w48-0002",
            "esas_r": {**ESAS, "date": "2026-11-29"},
        },
        {"kind": "esas_r", "idempotency_key": "esas-bad-0001", "esas_r": {"items": {"pain": 3}}},
    ]
    first = sync(client, patient, actions)
    assert [r["status"] for r in first] == [201, 409, 422]
    assert first[0]["esas_r"]["week"] == "2026-W48" and first[0]["esas_r"]["total"] == 14
    again = sync(client, patient, actions)  # the answer was lost: nothing is stored twice
    assert [r["status"] for r in again] == [201, 409, 422]
    assert again[0]["esas_r"]["id"] == first[0]["esas_r"]["id"]
    listed = client.get("/api/v1/me/questionnaires", headers=patient["headers"]).get_json()
    assert len(listed["items"]) == 1
