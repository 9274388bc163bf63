"""Every endpoint x every role x own patient / other patient / other clinic.

A patient reaches only their own data; a clinician only their own clinic's patients; anything
else is a 404 so an id reveals nothing. Roles that may never call an endpoint get 403, and no
token gets 401. `test_matrix_covers_every_endpoint` fails when an endpoint is added without a
row here, so the matrix grows with the API.
"""

from __future__ import annotations

import importlib
import pkgutil

import pytest

import tests.integration as integration_tests
from tests.factories import bearer, patient_body, world
from tests.integration.matrix import Endpoint

ROLES = ("anonymous", "patient", "clinician", "admin", "other_clinician")
PUBLIC = {
    "/api/v1/health",
    "/api/v1/vocabulary",
    "/api/v1/openapi.json",
    "/api/v1/docs/",
    "/api/v1/docs/<path:path>",
}
TOKEN_ENDPOINTS = {"/api/v1/auth/login", "/api/v1/auth/refresh", "/api/v1/auth/activate"}


PRESCRIPTION = {"modalities": [{"modality": "balance", "min_level": 1, "max_level": 3}]}

MATRIX = [
    Endpoint("POST", "/api/v1/auth/logout", ("patient", "clinician", "admin"), ok=204),
    Endpoint("GET", "/api/v1/me", ("patient",)),
    Endpoint("PATCH", "/api/v1/me/settings", ("patient",), body={"reminder_time": "08:30"}),
    Endpoint("GET", "/api/v1/patients", ("clinician",)),
    Endpoint("POST", "/api/v1/patients", ("clinician",), body={}, ok=201),
    Endpoint("GET", "/api/v1/patients/<patient_id>", ("clinician",), patient_scoped=True),
    Endpoint(
        "PATCH",
        "/api/v1/patients/<patient_id>",
        ("clinician",),
        patient_scoped=True,
        body={"display_name": "X"},
    ),
    Endpoint(
        "PUT",
        "/api/v1/patients/<patient_id>/prescription",
        ("clinician",),
        patient_scoped=True,
        body=PRESCRIPTION,
    ),
    Endpoint("GET", "/api/v1/audit", ("admin",)),
]

# Each feature keeps its rows in tests/integration/matrix_<feature>.py as a ROWS list.
for _module in pkgutil.iter_modules(integration_tests.__path__):
    if _module.name.startswith("matrix_"):
        MATRIX.extend(importlib.import_module(f"tests.integration.{_module.name}").ROWS)


def _token(w, role):
    return {
        "anonymous": None,
        "patient": w["tokens"]["p1"],
        "clinician": w["tokens"]["a_physio"],
        "admin": w["tokens"]["a_admin"],
        "other_clinician": w["tokens"]["b_physio"],
    }[role]


def _call(client, w, endpoint, role, target, ids):
    url = endpoint.rule.replace("<patient_id>", ids.get(target) or "")
    if endpoint.prepare:
        url = endpoint.prepare(client, w, url, target)
    body = endpoint.body
    if endpoint.rule == "/api/v1/patients" and endpoint.method == "POST":
        body = patient_body()
    token = _token(w, role)
    headers = {**(endpoint.headers or {}), **(bearer(token) if token else {})}
    return client.open(url, method=endpoint.method, json=body, headers=headers)


def _cases():
    for endpoint in MATRIX:
        targets = (
            ("own", "other_patient", "other_clinic", "missing")
            if endpoint.patient_scoped
            else (None,)
        )
        for role in ROLES:
            for target in targets:
                yield pytest.param(
                    endpoint,
                    role,
                    target,
                    id=f"{endpoint.method} {endpoint.rule} as {role} on {target}",
                )


def expected_status(endpoint: Endpoint, role: str, target: str | None) -> int:
    if role == "anonymous":
        return 401
    effective = "clinician" if role == "other_clinician" else role
    if effective not in endpoint.roles:
        return 403
    if not endpoint.patient_scoped:
        return endpoint.ok
    # "own" = a patient of clinic A; other_patient = another of clinic A (same clinic: allowed
    # for clinicians); other_clinic = clinic B's patient; missing = an id that doesn't exist.
    if endpoint.scope == "self":
        visible = role == "patient" and target == "own"
    else:
        visible = (role == "clinician" and target in ("own", "other_patient")) or (
            role == "other_clinician" and target == "other_clinic"
        )
    return endpoint.ok if visible else 404


@pytest.mark.parametrize("endpoint,role,target", list(_cases()))
def test_authorisation_matrix(client, endpoint, role, target):
    w = world(client)
    ids = {
        "own": w["patients"]["p1"],
        "other_patient": w["patients"]["p2"],
        "other_clinic": w["patients"]["p3"],
        "missing": "0" * 32,
    }
    response = _call(client, w, endpoint, role, target, ids)
    assert response.status_code == expected_status(endpoint, role, target), response.get_json()
    if response.status_code == 404:
        # A hidden record and a missing one are indistinguishable.
        assert response.get_json()["detail"].startswith("No such ")


def test_patient_me_is_always_their_own(client):
    w = world(client)
    for name in ("p1", "p2", "p3"):
        me = client.get("/api/v1/me", headers=bearer(w["tokens"][name])).get_json()
        assert me["id"] == w["patients"][name]


def test_caseload_lists_only_own_clinic(client):
    w = world(client)
    listed = {
        p["id"]
        for p in client.get(
            "/api/v1/patients?scope=clinic", headers=bearer(w["tokens"]["a_physio"])
        ).get_json()["items"]
    }
    assert listed == {w["patients"]["p1"], w["patients"]["p2"]}
    other = {
        p["id"]
        for p in client.get(
            "/api/v1/patients?scope=clinic", headers=bearer(w["tokens"]["b_physio"])
        ).get_json()["items"]
    }
    assert other == {w["patients"]["p3"]}


def test_matrix_covers_every_endpoint(app):
    covered = {(e.method, e.rule) for e in MATRIX}
    missing = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1") or rule.rule in PUBLIC | TOKEN_ENDPOINTS:
            continue
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            if (method, rule.rule) not in covered:
                missing.append(f"{method} {rule.rule}")
    assert not missing, f"add these endpoints to the authorisation matrix: {missing}"
