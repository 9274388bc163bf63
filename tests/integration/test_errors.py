"""Every error an API client can meet is problem+json, never HTML or a stack trace."""

from __future__ import annotations

import pytest

from tests.factories import bearer, clinic_with_staff, login

PROBLEM = "application/problem+json"


def assert_problem(response, status):
    assert response.status_code == status
    assert response.headers["Content-Type"] == PROBLEM
    body = response.get_json()
    assert body["status"] == status and body["title"] and body["detail"]
    assert "Traceback" not in response.get_data(as_text=True)
    return body


def test_unknown_route_is_a_problem(client):
    assert_problem(client.get("/api/v1/nothing-here"), 404)


def test_wrong_method_is_405_with_allow_header(client):
    response = client.delete("/api/v1/health")
    assert_problem(response, 405)
    assert set(response.headers["Allow"].split(", ")) >= {"GET", "HEAD", "OPTIONS"}


def test_body_too_large_is_413(client):
    response = client.post(
        "/api/v1/auth/login", data="x" * (300 * 1024), content_type="application/json"
    )
    assert_problem(response, 413)


def test_non_json_body_is_415(client):
    response = client.post(
        "/api/v1/auth/login",
        data="email=a&password=b",
        content_type="application/x-www-form-urlencoded",
    )
    assert_problem(response, 415)


def test_malformed_json_is_400(client):
    response = client.post("/api/v1/auth/login", data="{not json", content_type="application/json")
    assert_problem(response, 400)


def test_missing_token_is_401_problem(client):
    response = client.get("/api/v1/patients")
    assert_problem(response, 401)
    assert response.headers["WWW-Authenticate"] == "Bearer"


def test_wrong_role_is_403(client):
    staff = clinic_with_staff()
    admin = login(client, staff["admin"])
    assert_problem(client.get("/api/v1/patients", headers=bearer(admin)), 403)


def test_validation_error_lists_fields(client):
    body = assert_problem(client.post("/api/v1/auth/login", json={"email": "a@b.c"}), 422)
    assert "password" in body["errors"]["json"]


@pytest.mark.parametrize("value", [2.7, "3", True])
def test_integers_are_strict(client, value):
    staff = clinic_with_staff()
    admin = login(client, staff["admin"])
    response = client.get(f"/api/v1/audit?limit={value}", headers=bearer(admin))
    # Query strings are text: "3" is fine there, "2.7" and "True" are not integers.
    if value == "3":
        assert response.status_code == 200
    else:
        assert_problem(response, 422)


def test_unexpected_error_is_a_500_problem_without_details(app, client, monkeypatch):
    from backend.services import operations

    def explode():
        raise RuntimeError("secret internals")

    monkeypatch.setattr(operations, "health", explode)
    response = client.get("/api/v1/health")
    body = assert_problem(response, 500)
    assert "secret internals" not in response.get_data(as_text=True)
    assert "Nothing was changed" in body["detail"]
