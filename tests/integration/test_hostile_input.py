"""Hostile input is a 4xx problem that stores nothing, on SQLite and PostgreSQL: JSON nested
50 000 deep on every JSON endpoint, lone surrogates, NUL characters in any text (body, form,
query string, path), dates outside what the app computes with, CR/LF in the sign-in `next`.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from backend.extensions import db
from backend.models import AuditEvent, Patient, User
from backend.models.notifications import Device
from tests import factories
from tests.integration.review import pages

PROBLEM = "application/problem+json"
FAKE_ID = "0123456789abcdef0123456789abcdef"


@factories.in_app
def stored() -> dict:
    """Row counts of what a request could have written."""
    return {
        model.__name__: db.session.scalar(select(func.count()).select_from(model))
        for model in (User, Patient, Device, AuditEvent)
    }


@pytest.fixture
def world(client):
    return factories.world(client)


def _json_routes(app):
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/"):
            for method in sorted(rule.methods & {"POST", "PUT", "PATCH"}):
                yield method, re.sub(r"<[^>]+>", FAKE_ID, rule.rule)


def _headers(world, path: str) -> dict:
    who = "p1" if path.startswith("/api/v1/me") else "a_physio"
    return {**factories.bearer(world["tokens"][who]), "Content-Type": "application/json"}


def _refused(response, status=400) -> None:
    assert response.status_code == status, (response.status_code, response.get_data()[:300])
    assert response.content_type == PROBLEM


def test_json_nested_50000_deep_is_a_400_on_every_json_endpoint(app, client, world):
    before = stored()
    routes = list(_json_routes(app))
    assert ("POST", "/api/v1/auth/login") in routes and len(routes) >= 15
    for method, path in routes:
        for body in ("[" * 50_000, '{"a":' * 50_000, "[" * 40 + "]" * 40):
            response = client.open(path, method=method, data=body, headers=_headers(world, path))
            _refused(response)
    assert stored() == before


@pytest.mark.parametrize(
    "path, body",
    [
        ("/api/v1/auth/login", '{"email": "a\\ud800@example.org", "password": "x"}'),
        ("/api/v1/auth/activate", '{"invite_code": "\\udfff", "password": "long enough pass"}'),
        ("/api/v1/auth/login", '{"email": "a\\u0000@example.org", "password": "x"}'),
        ("/api/v1/auth/refresh", '{"refresh_token": "\\u0000"}'),
        ("/api/v1/auth/login", '{"email\\u0000": "a@example.org", "password": "x"}'),
    ],
)
def test_bad_text_in_a_sign_in_body_is_a_400(client, path, body):
    before = stored()
    _refused(client.post(path, data=body, content_type="application/json"))
    assert stored() == before


@pytest.mark.parametrize("bad", ["\\u0000", "\\ud800", "\\udc00x"])
def test_bad_text_in_an_enrolment_a_device_or_settings_is_a_400_and_stores_nothing(
    client, world, bad
):
    before = stored()
    physio = factories.bearer(world["tokens"]["a_physio"])
    patient = factories.bearer(world["tokens"]["p1"])
    body = factories.patient_body()
    for name in ("display_name", "email"):
        raw = _with(body, name, bad)
        _refused(client.post("/api/v1/patients", data=raw, headers=_json(physio)))
    device = '{"token": "tok' + bad + '", "platform": "android"}'
    _refused(client.post("/api/v1/me/devices", data=device, headers=_json(patient)))
    settings = '{"timezone": "Europe/London' + bad + '"}'
    _refused(client.patch("/api/v1/me/settings", data=settings, headers=_json(patient)))
    assert stored() == before


def _json(headers: dict) -> dict:
    return {**headers, "Content-Type": "application/json"}


def _with(body: dict, name: str, bad: str) -> str:
    import json

    marker = "MARKER-0123"
    return json.dumps({**body, name: body[name] + marker}).replace(marker, bad)


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/patients?search=%00",
        "/api/v1/patients?search=a%00b",
        "/api/v1/patients?sea%00rch=a",
        f"/api/v1/patients/{FAKE_ID}%00",
        "/api/v1/patients/%00/trends",
        "/api/v1/audit?before=0001-01-01T00:00:00%2B14:00",
        "/api/v1/audit?before=9999-12-31T23:59:59-14:00",
    ],
)
def test_bad_text_or_dates_in_a_query_or_path_are_a_4xx(client, world, path):
    response = client.get(path, headers=factories.bearer(world["tokens"]["a_physio"]))
    assert 400 <= response.status_code < 500, response.status_code
    assert response.content_type == PROBLEM


def test_a_nul_in_a_dashboard_form_is_a_400_page(client):
    staff = factories.clinic_with_staff()
    page = client.get("/dashboard/sign-in")
    token = pages.csrf_from(page.get_data(as_text=True))
    before = stored()
    response = client.post(
        "/dashboard/sign-in",
        data={"email": staff["physio"] + "\x00", "password": "x", "csrf_token": token},
    )
    assert response.status_code == 400 and response.content_type.startswith("text/html")
    assert stored() == before


@pytest.mark.parametrize(
    "next_",
    [
        "/dashboard/review\r\nSet-Cookie: x=1",
        "/dashboard/\nLocation: //evil.example",
        "/dashboard/\tx",
    ],
)
def test_cr_lf_in_the_sign_in_next_never_reaches_a_header(client, next_):
    staff = factories.clinic_with_staff()
    page = client.get("/dashboard/sign-in", query_string={"next": next_})
    assert page.status_code == 200
    token = pages.csrf_from(page.get_data(as_text=True))
    response = client.post(
        "/dashboard/sign-in",
        query_string={"next": next_},
        data={"email": staff["physio"], "password": factories.PASSWORD, "csrf_token": token},
    )
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/dashboard/caseload")
    assert "Set-Cookie: x" not in str(response.headers)
