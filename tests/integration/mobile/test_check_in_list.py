"""GET /me/check-ins (cursor-paged, newest first) and today's session's `check_in` field."""

from __future__ import annotations

from backend import clock
from tests.factories import activate, bearer, enrol

OK = {"fatigue": 2, "pain": 1}


def check_in(client, headers, **body):
    response = client.post("/api/v1/me/check-ins", json={**OK, **body}, headers=headers)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def test_check_ins_page_newest_first_with_an_opaque_cursor(client, patient):
    made = []
    for fatigue in range(5):
        made.append(check_in(client, patient["headers"], fatigue=fatigue))
        clock._clock.advance(hours=5)
    seen, cursor = [], None
    while True:
        query = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = client.get("/api/v1/me/check-ins", query_string=query, headers=patient["headers"])
        assert page.status_code == 200
        body = page.get_json()
        assert len(body["items"]) <= 2
        seen.extend(body["items"])
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert [c["id"] for c in seen] == [c["id"] for c in reversed(made)]
    assert [c["fatigue"] for c in seen] == [4, 3, 2, 1, 0]
    assert seen[0]["status"] == made[-1]["status"] and seen[0]["symptoms"] == []


def test_another_patients_check_ins_are_neither_listed_nor_usable_as_a_cursor(
    client, patient, physio
):
    mine = check_in(client, patient["headers"])
    other = bearer(activate(client, enrol(client, physio)["invite_code"]))
    assert client.get("/api/v1/me/check-ins", headers=other).get_json() == {
        "items": [],
        "next_cursor": None,
    }
    response = client.get(
        "/api/v1/me/check-ins", query_string={"cursor": mine["id"]}, headers=other
    )
    assert response.status_code == 422 and "cursor" in str(response.get_json()["errors"])


def test_bad_paging_arguments_are_422(client, patient):
    for query in ({"limit": 0}, {"limit": 101}, {"limit": "x"}, {"page": 2}):
        response = client.get(
            "/api/v1/me/check-ins", query_string=query, headers=patient["headers"]
        )
        assert response.status_code == 422, query


def test_todays_session_says_whether_a_check_in_shaped_it(client, patient):
    today = lambda: client.get("/api/v1/me/sessions/today", headers=patient["headers"]).get_json()  # noqa: E731
    before = today()["check_in"]
    assert before == {"done": False, "id": None, "status": None, "unlocks_full_session": True}
    made = check_in(client, patient["headers"])
    after = today()["check_in"]
    assert after == {
        "done": True,
        "id": made["id"],
        "status": made["status"],
        "unlocks_full_session": False,
    }
    amber = check_in(client, patient["headers"], fatigue=7, pain=5)
    assert amber["status"] == "amber"
    assert today()["check_in"]["id"] == amber["id"] and today()["check_in"]["status"] == "amber"
