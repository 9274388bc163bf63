"""The OpenAPI document names and explains every operation, so a generated client is readable."""

from __future__ import annotations

import re

OPERATION_ID = re.compile(r"^[a-z][A-Za-z]+$")
METHODS = ("get", "post", "put", "patch", "delete")


def _operations(doc: dict):
    for path, item in doc["paths"].items():
        for method in METHODS:
            if method in item:
                yield method, path, item[method]


def test_every_operation_has_a_unique_readable_id_a_summary_and_a_description(client):
    doc = client.get("/api/v1/openapi.json").get_json()
    operations = list(_operations(doc))
    assert len(operations) > 30
    ids = [op.get("operationId", "") for _, _, op in operations]
    bad = [
        (m, p, op.get("operationId"))
        for m, p, op in operations
        if not OPERATION_ID.match(op.get("operationId", ""))
    ]
    assert not bad, bad
    assert len(set(ids)) == len(ids), sorted(i for i in ids if ids.count(i) > 1)
    for method, path, op in operations:
        assert op.get("summary", "").strip(), (method, path)
        assert len(op.get("description", "")) > len(op["summary"]), (method, path)


def test_the_patient_day_has_the_names_a_mobile_developer_expects(client):
    doc = client.get("/api/v1/openapi.json").get_json()
    ids = {op["operationId"]: (m, p) for m, p, op in _operations(doc)}
    assert ids["getTodaySession"] == ("get", "/api/v1/me/sessions/today")
    assert ids["logSession"] == ("post", "/api/v1/me/sessions/{session_id}/log")
    assert ids["createCheckIn"] == ("post", "/api/v1/me/check-ins")
    assert ids["syncOfflineActions"] == ("post", "/api/v1/me/sync")


def test_the_introduction_explains_what_every_client_needs(client):
    info = client.get("/api/v1/openapi.json").get_json()["info"]
    text = info["description"]
    for topic in (
        "Authentication",
        "Errors",
        "Idempotency",
        "Pagination",
        "Time zones",
        "Offline sync",
    ):
        assert f"**{topic}.**" in text, topic
    assert "problem+json" in text and "next_cursor" in text and "Idempotency-Key" in text
