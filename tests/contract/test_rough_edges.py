"""Small edges a mobile client trips on (issue 15): each answer says what it means."""

from __future__ import annotations

from tests.factories import PASSWORD, clinic_with_staff


def test_a_successful_sign_in_carries_no_retry_after(client):
    email = clinic_with_staff()["physio"]
    ok = client.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
    assert ok.status_code == 200
    assert "Retry-After" not in ok.headers  # it used to say "60" on every sign-in


def test_too_many_sign_ins_still_say_when_to_retry(client):
    email = clinic_with_staff()["physio"]
    for _ in range(5):
        client.post("/api/v1/auth/login", json={"email": email, "password": "wrong password"})
    refused = client.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) > 0


def test_malformed_json_is_a_worded_problem(client):
    response = client.post(
        "/api/v1/auth/login", data='{"email": ', headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400
    assert response.headers["Content-Type"] == "application/problem+json"
    assert response.get_json()["detail"] == "The body is not valid JSON."


def test_the_request_id_is_echoed(client):
    response = client.get("/api/v1/health", headers={"X-Request-ID": "phone-1234"})
    assert response.headers["X-Request-ID"] == "phone-1234"
    assert client.get("/api/v1/health").headers["X-Request-ID"]


def test_patient_data_is_never_stored_by_a_cache(client):
    email = clinic_with_staff()["physio"]
    ok = client.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
    me = client.get(
        "/api/v1/patients", headers={"Authorization": f"Bearer {ok.get_json()['access_token']}"}
    )
    assert me.headers["Cache-Control"] == "no-store"


def test_an_etagged_answer_may_be_kept_by_the_phone_alone_and_revalidated(client):
    from tests.factories import activate, enrol, login

    physio = login(client, clinic_with_staff()["physio"])
    tokens = activate(client, enrol(client, physio)["invite_code"])
    headers = {"Authorization": f"Bearer {tokens['access_token']}"}
    today = client.get("/api/v1/me/sessions/today", headers=headers)
    # no-store (as before) forbade keeping the body that If-None-Match revalidates
    assert today.headers["Cache-Control"] == "private, no-cache" and today.headers["ETag"]
    again = client.get(
        "/api/v1/me/sessions/today", headers={**headers, "If-None-Match": today.headers["ETag"]}
    )
    assert again.status_code == 304
    assert again.headers["Cache-Control"] == "private, no-cache"
    assert (
        client.get("/api/v1/me/check-ins", headers=headers).headers["Cache-Control"] == "no-store"
    )
    assert client.get("/api/v1/vocabulary").headers["Cache-Control"] == "public, no-cache"
