"""schemathesis drives every operation of the OpenAPI document in-process, signed in as the
role each path is for: no 5xx, and every response must match the document."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import negative_data_rejection, positive_data_acceptance

from backend import create_app
from tests.conftest import app_config

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", create_app(app_config("sqlite://")))
TOKENS: dict[str, str] = {}


def _role_for(path: str) -> str:
    if path.startswith("/api/v1/me"):
        return "p1"
    if path.startswith("/api/v1/audit"):
        return "a_admin"
    return "a_physio"


@schema.auth(refresh_interval=None)  # each test signs in anew: never reuse an old token
class SignedIn:
    """Sign each request in as the role its path is for, through schemathesis's auth hook, so
    a generated "negative" case is never negative merely for lacking the token we add."""

    def get(self, case, _ctx):
        return TOKENS.get(_role_for(case.path), "not-signed-in-yet")  # collection asks too

    def set(self, case, token, _ctx):
        case.headers = {**(case.headers or {}), "Authorization": f"Bearer {token}"}


@pytest.fixture
def signed_in(client):
    from tests.factories import bearer, pending_adaptation, world

    people = world(client)
    TOKENS.clear()
    TOKENS.update({name: tokens["access_token"] for name, tokens in people["tokens"].items()})
    p1 = people["patients"]["p1"]
    p1_headers = bearer(people["tokens"]["p1"])
    today = client.get("/api/v1/me/sessions/today", headers=p1_headers).get_json()
    device = client.post(
        "/api/v1/me/devices",
        json={"token": "contract-token", "platform": "ios"},
        headers=p1_headers,
    ).get_json()
    people["ids"] = {
        "patient_id": p1,
        "session_id": today["id"],
        "adaptation_id": pending_adaptation(p1),
        "exercise_id": "easy-walk",
        "device_id": device["id"],
    }
    return people


def _use_real_ids(case, ids: dict) -> None:
    """Positive cases get ids the signed-in role may use, so operations are exercised beyond
    the 404 of a random id (negative cases keep their generated ids)."""
    meta = getattr(case, "meta", None)
    if not case.path_parameters or meta is None or not meta.generation.mode.is_positive:
        return
    for name in case.path_parameters:
        if name in ids:
            case.path_parameters[name] = ids[name]


@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_conforms_to_its_document(case, app, signed_in):
    if case.path_parameters and "" in case.path_parameters.values():
        pytest.skip("an empty path segment routes to another operation")
    _use_real_ids(case, signed_in["ids"])
    # positive_data_acceptance is left out on purpose: the API refuses, with a documented 422
    # naming the field, values a JSON schema cannot express (an IANA zone that does not exist,
    # a lab value impossible for that lab, a symptom code the rules do not know).
    excluded = [positive_data_acceptance]
    if (case.method.upper(), case.path) == ("POST", "/api/v1/me/sync"):
        # A sync batch answers 200 with each queued action's own answer (a 422 for an invalid
        # one, naming its index): one bad action must not refuse the patient's other work.
        excluded.append(negative_data_rejection)
    case.call_and_validate(app=app, excluded_checks=excluded)


# The mobile app's operations (issue 15): each is in the document with its typed answer.
MOBILE_OPERATIONS = {
    ("get", "/api/v1/vocabulary"): ("200", "Vocabulary"),
    ("get", "/api/v1/me/check-ins"): ("200", "CheckInPage"),
    ("post", "/api/v1/me/sync"): ("200", "SyncResponse"),
    ("delete", "/api/v1/me/devices/{device_id}"): ("204", None),
}


@pytest.mark.parametrize(("operation", "answer"), MOBILE_OPERATIONS.items())
def test_mobile_operations_are_documented(client, operation, answer):
    method, path = operation
    status, schema_name = answer
    doc = client.get("/api/v1/openapi.json").get_json()
    response = doc["paths"][path][method]["responses"][status]
    if schema_name:
        ref = response["content"]["application/json"]["schema"]["$ref"]
        assert ref == f"#/components/schemas/{schema_name}"
        assert doc["components"]["schemas"][schema_name]["required"]
