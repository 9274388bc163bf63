"""GET /me/sessions/today: a safe session for today, lighter when the check-in says so."""

from __future__ import annotations

from backend import clock


def today(client, patient, **headers):
    return client.get("/api/v1/me/sessions/today", headers={**patient["headers"], **headers})


def test_check_in_missing_serves_the_lighter_session_and_says_a_check_in_unlocks_more(
    client, patient
):
    before = today(client, patient).get_json()
    assert before["verdict"] == "amber" and before["blocks"]
    assert before["check_in"] == {
        "done": False,
        "id": None,
        "status": None,
        "unlocks_full_session": True,
    }
    assert "check_in_missing" in {r["code"] for r in before["reasons"]}
    made = client.post(
        "/api/v1/me/check-ins", json={"fatigue": 2, "pain": 1}, headers=patient["headers"]
    ).get_json()
    after = today(client, patient).get_json()
    assert after["verdict"] == "green"
    assert after["check_in"] == {
        "done": True,
        "id": made["id"],
        "status": "green",
        "unlocks_full_session": False,
    }
    assert after["planned_load"] > before["planned_load"]


def test_today_has_warm_up_main_and_cool_down_with_doses_and_versions(client, patient):
    client.post("/api/v1/me/check-ins", json={"fatigue": 2, "pain": 1}, headers=patient["headers"])
    response = today(client, patient)
    assert response.status_code == 200
    session = response.get_json()
    assert (
        session["date"] == "2026-11-26"
        and session["status"] == "planned"
        and session["verdict"] == "green"
    )
    parts = [b["part"] for b in session["blocks"]]
    assert parts[0] == "warm_up" and parts[-1] == "cool_down" and "main" in parts
    main = [b for b in session["blocks"] if b["part"] == "main"]
    assert all(b["dose"]["target_rpe"] >= 0 and b["dose"]["rpe_scale"] == "cr10" for b in main)
    assert set(session["versions"]) == {"content", "rules", "model"}
    assert session["versions"]["content"] and session["versions"]["rules"]
    assert session["explanation"]


def test_same_inputs_same_session_and_etag_gives_304(client, patient):
    first = today(client, patient)
    second = today(client, patient)
    assert first.get_json() == second.get_json()
    etag = first.headers["ETag"]
    cached = today(client, patient, **{"If-None-Match": etag})
    assert cached.status_code == 304 and cached.data == b""


def test_an_amber_check_in_makes_today_lighter_and_says_why(client, patient):
    green = today(client, patient).get_json()
    client.post("/api/v1/me/check-ins", json={"fatigue": 7, "pain": 1}, headers=patient["headers"])
    amber = today(client, patient).get_json()
    assert amber["id"] == green["id"]  # the same day's session, re-planned
    assert amber["verdict"] == "amber"
    assert amber["planned_load"] < green["planned_load"]
    assert "7/10" in amber["explanation"]


def test_the_session_follows_the_patients_local_date(client, patient):
    client.patch(
        "/api/v1/me/settings", json={"timezone": "Pacific/Auckland"}, headers=patient["headers"]
    )
    clock._clock.advance(hours=13)  # 22:00 UTC on the 26th is already the 27th in Auckland
    assert today(client, patient).get_json()["date"] == "2026-11-27"


def test_no_prescription_gives_a_kind_rest_day(client, physio):
    from tests.factories import activate, bearer, enrol

    created = enrol(client, physio, prescription=None)
    tokens = activate(client, created["invite_code"])
    session = client.get("/api/v1/me/sessions/today", headers=bearer(tokens)).get_json()
    assert session["status"] == "rest" and session["blocks"] == []
    assert "physiotherapist" in session["explanation"]


def test_history_lists_past_sessions_newest_first(client, patient):
    for _ in range(3):
        today(client, patient)
        clock._clock.advance(days=1)
    first = client.get("/api/v1/me/sessions?limit=2", headers=patient["headers"]).get_json()
    assert [s["date"] for s in first["items"]] == ["2026-11-28", "2026-11-27"]
    assert first["next_cursor"] == first["items"][-1]["id"]
    older = client.get(
        "/api/v1/me/sessions",
        query_string={"cursor": first["next_cursor"]},
        headers=patient["headers"],
    ).get_json()
    assert [s["date"] for s in older["items"]] == ["2026-11-26"]
    assert older["next_cursor"] is None
    assert client.get("/api/v1/me/sessions?limit=0", headers=patient["headers"]).status_code == 422


def test_high_dose_infusion_today_means_no_session(client, physio):
    # §11 "no exercise within 24 h of high-dose IV chemotherapy": the team records it, the
    # patient's app shows rest with the reason, and no red-flag alert is opened.
    from tests.factories import activate, bearer, enrol

    on = clock.now().date().isoformat()
    created = enrol(
        client,
        physio,
        clinical={"calendar": {"high_dose_infusions": [on]}},
        prescription={
            "modalities": [
                {
                    "modality": "walking_aerobic",
                    "min_level": 1,
                    "max_level": 6,
                    "start_level": 2,
                    "sessions_per_week": 4,
                }
            ]
        },
    )
    patient = {"headers": bearer(activate(client, created["invite_code"]))}
    client.post("/api/v1/me/check-ins", json={"fatigue": 2, "pain": 1}, headers=patient["headers"])
    session = today(client, patient).get_json()
    assert session["blocks"] == [] and session["verdict"] == "red"
    assert "high_dose_infusion_no_exercise_24h" in {r["code"] for r in session["reasons"]}
    assert client.get("/api/v1/alerts", headers=bearer(physio)).get_json()["items"] == []
