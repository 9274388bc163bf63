"""The patient's inbox, push-token registration and snooze over HTTP."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from backend import clock
from tests.factories import bearer
from tests.integration.notifications.builders import clinic_with_patients, notifications, queue
from tests.integration.notifications.conftest import user_of

pytestmark = pytest.mark.usefixtures("blueprint_registered")


@pytest.fixture
def two(client):
    w = clinic_with_patients(client, 2)
    return [
        {"id": p["id"], "user_id": user_of(p["id"]), "headers": bearer(p["tokens"])}
        for p in w["patients"]
    ]


def _deliver(patient, n: int) -> list[str]:
    ids = []
    start = clock.now()
    for i in range(n):
        with clock.frozen(start + timedelta(minutes=i)):
            ids += queue(
                kind="session_reminder",
                local_date=date(2026, 11, 26) + timedelta(days=i),
                title=f"Reminder {i}",
                body="Today's session is ready when you are.",
                channels=["in_app"],
                recipient_id=patient["user_id"],
                patient_id=patient["id"],
            )
    return ids


def test_inbox_is_newest_first_paginated_and_only_mine(client, two):
    me, other = two
    mine = _deliver(me, 5)
    _deliver(other, 2)
    page = client.get("/api/v1/me/notifications?limit=2", headers=me["headers"]).get_json()
    assert [n["id"] for n in page["items"]] == mine[::-1][:2]
    seen = [n["id"] for n in page["items"]]
    while page["next_cursor"]:
        page = client.get(
            f"/api/v1/me/notifications?limit=2&cursor={page['next_cursor']}", headers=me["headers"]
        ).get_json()
        seen += [n["id"] for n in page["items"]]
    assert seen == mine[::-1]
    assert page["items"][-1]["title"] == "Reminder 0"


def test_only_in_app_notifications_are_in_the_inbox(client, two):
    me = two[0]
    queue(
        kind="session_reminder",
        local_date=date(2026, 11, 26),
        title="t",
        body="b",
        channels=["email", "push"],
        recipient_id=me["user_id"],
        patient_id=me["id"],
    )
    assert client.get("/api/v1/me/notifications", headers=me["headers"]).get_json()["items"] == []


def test_a_cursor_from_someone_else_is_refused_like_a_missing_one(client, two):
    me, other = two
    theirs = _deliver(other, 1)[0]
    response = client.get(f"/api/v1/me/notifications?cursor={theirs}", headers=me["headers"])
    assert response.status_code == 422
    assert response.get_json()["errors"] == {"query": {"cursor": ["Not a cursor from this list."]}}


@pytest.mark.parametrize("query", ["limit=0", "limit=101", "limit=2.5", "colour=red"])
def test_bad_inbox_queries_are_422(client, two, query):
    response = client.get(f"/api/v1/me/notifications?{query}", headers=two[0]["headers"])
    assert response.status_code == 422
    assert response.headers["Content-Type"] == "application/problem+json"


def test_mark_read_is_mine_only_and_idempotent(client, two):
    me, other = two
    (nid,) = _deliver(me, 1)
    url = f"/api/v1/me/notifications/{nid}/read"
    assert client.post(url, headers=other["headers"]).status_code == 404
    first = client.post(url, headers=me["headers"])
    assert first.status_code == 200 and first.get_json()["read_at"] is not None
    with clock.frozen(clock.now() + timedelta(hours=1)):
        again = client.post(url, headers=me["headers"]).get_json()
    assert again["read_at"] == first.get_json()["read_at"]
    (row,) = notifications(id=nid)
    assert row["state"] == "read"
    listed = client.get("/api/v1/me/notifications", headers=me["headers"]).get_json()["items"]
    assert listed[0]["read_at"] == first.get_json()["read_at"]


def test_device_registration_is_idempotent_and_follows_the_latest_user(client, two):
    me, other = two
    body = {"token": "fcm:abc123", "platform": "android"}
    first = client.post("/api/v1/me/devices", json=body, headers=me["headers"])
    assert first.status_code == 201
    again = client.post("/api/v1/me/devices", json=body, headers=me["headers"])
    assert again.status_code == 200 and again.get_json()["id"] == first.get_json()["id"]
    # The phone changes hands: the token now belongs to the other patient.
    moved = client.post("/api/v1/me/devices", json=body, headers=other["headers"])
    assert moved.status_code == 200 and moved.get_json()["id"] == first.get_json()["id"]


@pytest.mark.parametrize(
    "body",
    [
        {"token": "", "platform": "android"},
        {"token": "x", "platform": "blackberry"},
        {"token": "x" * 513, "platform": "ios"},
        {"platform": "ios"},
        {"token": "x", "platform": "ios", "extra": 1},
    ],
)
def test_bad_device_bodies_are_422(client, two, body):
    assert (
        client.post("/api/v1/me/devices", json=body, headers=two[0]["headers"]).status_code == 422
    )


def test_snooze(client, two):
    me = two[0]
    response = client.post(
        "/api/v1/me/reminders/snooze", json={"minutes": 30}, headers=me["headers"]
    )
    assert response.status_code == 200
    assert response.get_json()["snoozed_until"] == (clock.now() + timedelta(minutes=30)).isoformat()
    longer = client.post(
        "/api/v1/me/reminders/snooze", json={"minutes": 240}, headers=me["headers"]
    )
    assert longer.get_json()["snoozed_until"] == (clock.now() + timedelta(hours=4)).isoformat()


@pytest.mark.parametrize("minutes", [14, 241, 30.5, "30", None])
def test_snooze_length_is_validated(client, two, minutes):
    response = client.post(
        "/api/v1/me/reminders/snooze", json={"minutes": minutes}, headers=two[0]["headers"]
    )
    assert response.status_code == 422
