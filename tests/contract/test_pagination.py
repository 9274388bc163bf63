"""One list style for every list: `{items, next_cursor}`, an opaque `cursor` and a `limit`."""

from __future__ import annotations

import pytest

from backend import clock
from tests.factories import bearer, enrol, pending_adaptation, world

METHODS = ("get", "post", "put", "patch", "delete")


def test_every_list_in_the_document_is_a_page_with_cursor_and_limit(client):
    doc = client.get("/api/v1/openapi.json").get_json()
    schemas = doc["components"]["schemas"]
    lists = []
    for path, item in doc["paths"].items():
        get = item.get("get")
        if not get:
            continue
        schema = get["responses"]["200"]["content"]["application/json"]["schema"]
        assert schema.get("type") != "array", f"{path} answers a bare array"
        names = {p["name"] for p in get.get("parameters", []) if p.get("in") == "query"}
        assert "before" not in names, f"{path} still pages with before"
        body = schemas[schema["$ref"].split("/")[-1]]
        if "items" in body["properties"]:
            lists.append(path)
            assert {"limit", "cursor"} <= names, path
            assert {"items", "next_cursor"} <= set(body["required"]), path
            assert body["properties"]["next_cursor"]["nullable"] is True, path
    # check-ins, sessions, notifications, patients, caseload, alerts, adaptations, audit, and
    # questionnaires (the patient's own and a clinician's read of a patient's)
    assert len(lists) == 10, lists


def _walk(client, path: str, headers: dict, **query) -> tuple[list[str], int]:
    """Every id of a list, one item a page, and how many pages it took."""
    ids, cursor, pages = [], None, 0
    while True:
        params = {**query, "limit": 1, **({"cursor": cursor} if cursor else {})}
        response = client.get(path, query_string=params, headers=headers)
        assert response.status_code == 200, (path, response.get_json())
        body = response.get_json()
        assert len(body["items"]) <= 1
        ids += [i["id"] for i in body["items"]]
        pages += 1
        cursor = body["next_cursor"]
        if cursor is None:
            return ids, pages


@pytest.fixture
def clinic(client):
    w = world(client)
    physio = w["tokens"]["a_physio"]
    enrol(client, physio, display_name="Zoe Adams")
    p1, p2 = w["patients"]["p1"], w["patients"]["p2"]
    for patient, current, proposed in ((p1, 1, 2), (p2, 3, 1), (p1, 2, 4)):
        pending_adaptation(patient, current=current, proposed=proposed)
    for name in ("p1", "p2"):
        headers = bearer(w["tokens"][name])
        for _ in range(3):
            client.post("/api/v1/me/check-ins", json={"fatigue": 2, "pain": 1}, headers=headers)
            assert client.get("/api/v1/me/sessions/today", headers=headers).status_code == 200
            clock._clock.advance(days=1)
        red = {"fatigue": 2, "pain": 1, "symptoms": ["chest_pain"]}
        assert client.post("/api/v1/me/check-ins", json=red, headers=headers).status_code == 201
    return w


LISTS = [
    ("/api/v1/patients", "a_physio", {}),
    ("/api/v1/caseload", "a_physio", {}),
    ("/api/v1/alerts", "a_physio", {}),
    ("/api/v1/adaptations", "a_physio", {}),
    ("/api/v1/audit", "a_admin", {}),
    ("/api/v1/me/sessions", "p1", {}),
    ("/api/v1/me/check-ins", "p1", {}),
]


@pytest.mark.parametrize(("path", "who", "query"), LISTS, ids=[p for p, _, _ in LISTS])
def test_paging_one_by_one_sees_every_item_once_in_order(client, clinic, path, who, query):
    headers = bearer(clinic["tokens"][who])
    whole = client.get(path, query_string={**query, "limit": 100}, headers=headers).get_json()
    assert whole["next_cursor"] is None
    expected = [i["id"] for i in whole["items"]]
    assert len(expected) >= 2, expected
    walked, pages = _walk(client, path, headers, **query)
    assert walked == expected
    assert pages == len(expected)


@pytest.mark.parametrize(("path", "who", "query"), LISTS, ids=[p for p, _, _ in LISTS])
def test_a_cursor_from_another_list_or_clinic_is_a_422(client, clinic, path, who, query):
    theirs = client.get("/api/v1/patients", headers=bearer(clinic["tokens"]["b_physio"]))
    other = theirs.get_json()["items"][0]["id"]
    response = client.get(
        path, query_string={**query, "cursor": other}, headers=bearer(clinic["tokens"][who])
    )
    assert response.status_code == 422
    assert response.headers["Content-Type"] == "application/problem+json"
    assert response.get_json()["errors"] == {"query": {"cursor": ["Not a cursor from this list."]}}
