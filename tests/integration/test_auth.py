"""Sign-in, rotation with reuse detection, sign-out, invites and rate limits (API.md: Auth)."""

from __future__ import annotations

from backend import clock
from tests.factories import PASSWORD, activate, bearer, clinic_with_staff, enrol, login


def test_login_returns_bearer_tokens_and_role(client):
    staff = clinic_with_staff()
    response = client.post(
        "/api/v1/auth/login", json={"email": staff["physio"], "password": PASSWORD}
    )
    body = response.get_json()
    assert response.status_code == 200
    assert body["token_type"] == "Bearer" and body["role"] == "clinician"
    assert body["expires_in"] == 15 * 60
    assert client.get("/api/v1/patients", headers=bearer(body)).status_code == 200


def test_unknown_email_and_wrong_password_get_the_same_401(client):
    staff = clinic_with_staff()
    wrong = client.post(
        "/api/v1/auth/login", json={"email": staff["physio"], "password": "not the password"}
    )
    unknown = client.post(
        "/api/v1/auth/login", json={"email": "nobody@x.example", "password": "whatever12"}
    )
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.get_json() == unknown.get_json()
    assert wrong.headers["Content-Type"] == "application/problem+json"


def test_email_is_case_insensitive(client):
    staff = clinic_with_staff()
    assert (
        client.post(
            "/api/v1/auth/login", json={"email": staff["physio"].upper(), "password": PASSWORD}
        ).status_code
        == 200
    )


def test_refresh_rotates_and_the_old_token_stops_working(client):
    staff = clinic_with_staff()
    first = login(client, staff["physio"])
    second = client.post(
        "/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"]}
    ).get_json()
    assert second["refresh_token"] != first["refresh_token"]
    third = client.post("/api/v1/auth/refresh", json={"refresh_token": second["refresh_token"]})
    assert third.status_code == 200


def test_reusing_a_spent_refresh_token_revokes_the_whole_family(client):
    staff = clinic_with_staff()
    first = login(client, staff["physio"])
    second = client.post(
        "/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"]}
    ).get_json()
    # An attacker replays the stolen, already-spent token (after the retry grace window).
    clock._clock.advance(seconds=31)
    replay = client.post("/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert replay.status_code == 401
    # The legitimate holder's newer tokens are dead too: refresh and access.
    assert (
        client.post(
            "/api/v1/auth/refresh", json={"refresh_token": second["refresh_token"]}
        ).status_code
        == 401
    )
    assert client.get("/api/v1/patients", headers=bearer(second)).status_code == 401
    # Other sign-ins of the same person are unaffected.
    other = login(client, staff["physio"])
    assert client.get("/api/v1/patients", headers=bearer(other)).status_code == 200


def test_refresh_token_expires(client):
    staff = clinic_with_staff()
    tokens = login(client, staff["physio"])
    clock._clock.advance(days=31)
    assert (
        client.post(
            "/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]}
        ).status_code
        == 401
    )


def test_logout_ends_refresh_and_access_tokens(client):
    staff = clinic_with_staff()
    tokens = login(client, staff["physio"])
    assert client.post("/api/v1/auth/logout", headers=bearer(tokens)).status_code == 204
    assert client.get("/api/v1/patients", headers=bearer(tokens)).status_code == 401
    assert (
        client.post(
            "/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]}
        ).status_code
        == 401
    )


def test_invite_code_works_once(client):
    staff = clinic_with_staff()
    enrolled = enrol(client, login(client, staff["physio"]))
    tokens = activate(client, enrolled["invite_code"])
    assert tokens["role"] == "patient"
    again = client.post(
        "/api/v1/auth/activate",
        json={"invite_code": enrolled["invite_code"], "password": "another pass 1"},
    )
    assert again.status_code == 401
    me = client.get("/api/v1/me", headers=bearer(tokens)).get_json()
    assert me["id"] == enrolled["id"]


def test_invite_code_expires(client):
    staff = clinic_with_staff()
    enrolled = enrol(client, login(client, staff["physio"]))
    clock._clock.advance(days=15)
    response = client.post(
        "/api/v1/auth/activate", json={"invite_code": enrolled["invite_code"], "password": PASSWORD}
    )
    assert response.status_code == 401


def test_invite_code_is_forgiving_about_case_and_dashes(client):
    staff = clinic_with_staff()
    enrolled = enrol(client, login(client, staff["physio"]))
    typed = enrolled["invite_code"].replace("-", " ").lower()
    assert activate(client, typed)["role"] == "patient"


def test_patient_cannot_sign_in_before_activation(client):
    staff = clinic_with_staff()
    physio = login(client, staff["physio"])
    enrol(client, physio, email="waiting@example.org")
    response = client.post(
        "/api/v1/auth/login", json={"email": "waiting@example.org", "password": PASSWORD}
    )
    assert response.status_code == 401


def test_login_is_rate_limited_per_account_and_address(client):
    staff = clinic_with_staff()
    statuses = [
        client.post(
            "/api/v1/auth/login",
            json={"email": staff["physio"], "password": "wrong password"},
            environ_base={"REMOTE_ADDR": "10.0.0.66"},
        ).status_code
        for _ in range(7)
    ]
    assert statuses[:5] == [401] * 5
    assert statuses[5:] == [429, 429]
    limited = client.post(
        "/api/v1/auth/login",
        json={"email": staff["physio"], "password": PASSWORD},
        environ_base={"REMOTE_ADDR": "10.0.0.66"},
    )
    assert limited.status_code == 429
    assert int(limited.headers["Retry-After"]) > 0
    assert limited.headers["Content-Type"] == "application/problem+json"
    owner = client.post(  # the real user, elsewhere, is not locked out (issue 14, item 9)
        "/api/v1/auth/login",
        json={"email": staff["physio"], "password": PASSWORD},
        environ_base={"REMOTE_ADDR": "10.0.0.7"},
    )
    assert owner.status_code == 200


def test_login_is_rate_limited_per_address(client):
    statuses = [
        client.post(
            "/api/v1/auth/login", json={"email": f"u{i}@x.example", "password": "wrong password"}
        ).status_code
        for i in range(21)
    ]
    assert statuses[:20] == [401] * 20
    assert statuses[20] == 429


def test_a_tampered_access_token_is_401(client):
    staff = clinic_with_staff()
    tokens = login(client, staff["physio"])
    forged = tokens["access_token"][:-4] + "AAAA"
    response = client.get("/api/v1/patients", headers=bearer(forged))
    assert response.status_code == 401
    assert response.headers["Content-Type"] == "application/problem+json"


def test_logout_with_the_refresh_token_alone(client):
    """Issue 15, item 7: an app whose access token has expired can still sign out."""
    staff = clinic_with_staff()
    tokens = login(client, staff["physio"])
    body = {"refresh_token": tokens["refresh_token"]}
    assert client.post("/api/v1/auth/logout", json=body).status_code == 204
    assert client.get("/api/v1/patients", headers=bearer(tokens)).status_code == 401
    assert client.post("/api/v1/auth/refresh", json=body).status_code == 401
    unknown = client.post("/api/v1/auth/logout", json={"refresh_token": "not-a-token"})
    assert unknown.status_code == 401
    assert unknown.headers["Content-Type"] == "application/problem+json"
    assert client.post("/api/v1/auth/logout").status_code == 401  # nothing to sign out


def test_a_retried_refresh_within_the_grace_window_gets_the_same_new_refresh_token(client):
    """Issue 15, item 7: a lost response, retried, must not sign the patient out."""
    staff = clinic_with_staff()
    first = login(client, staff["physio"])
    body = {"refresh_token": first["refresh_token"]}
    answer = client.post("/api/v1/auth/refresh", json=body).get_json()
    clock._clock.advance(seconds=5)
    retry = client.post("/api/v1/auth/refresh", json=body)
    assert retry.status_code == 200
    assert retry.get_json()["refresh_token"] == answer["refresh_token"]
    assert client.get("/api/v1/patients", headers=bearer(retry.get_json())).status_code == 200
    # Once the new token has been used, the old one is a reuse again: the family ends.
    newer = client.post("/api/v1/auth/refresh", json={"refresh_token": answer["refresh_token"]})
    assert newer.status_code == 200
    assert client.post("/api/v1/auth/refresh", json=body).status_code == 401
    assert client.get("/api/v1/patients", headers=bearer(newer.get_json())).status_code == 401
