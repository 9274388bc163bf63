"""The physio's review of adaptation proposals through the API."""

from __future__ import annotations

from tests.factories import bearer, pending_adaptation, world


def test_queue_lists_pending_proposals_with_reasons_and_probabilities(client):
    w = world(client)
    pending_adaptation(w["patients"]["p1"], current=2, proposed=3)
    queue = client.get("/api/v1/adaptations", headers=bearer(w["tokens"]["a_physio"])).get_json()[
        "items"
    ]
    assert len(queue) == 1
    item = queue[0]
    assert item["status"] == "pending" and item["step"] == 1
    assert item["candidates"][1]["p_tolerated"] == 0.84 and item["reason_codes"]
    other = client.get("/api/v1/adaptations", headers=bearer(w["tokens"]["b_physio"])).get_json()[
        "items"
    ]
    assert other == []


def test_big_steps_come_first(client):
    w = world(client)
    small = pending_adaptation(w["patients"]["p1"], current=2, proposed=3)
    big = pending_adaptation(w["patients"]["p2"], current=2, proposed=4)
    queue = client.get("/api/v1/adaptations", headers=bearer(w["tokens"]["a_physio"])).get_json()[
        "items"
    ]
    assert [a["id"] for a in queue] == [big, small]


def test_approve_modify_reject(client):
    w = world(client)
    headers = bearer(w["tokens"]["a_physio"])
    ids = [pending_adaptation(w["patients"]["p1"], current=1, proposed=2) for _ in range(3)]
    approved = client.post(
        f"/api/v1/adaptations/{ids[0]}/decision", json={"decision": "approve"}, headers=headers
    ).get_json()
    assert approved["status"] == "approved" and approved["applied_level"] == 2
    modified = client.post(
        f"/api/v1/adaptations/{ids[1]}/decision",
        json={"decision": "modify", "level": 3, "note": "ok"},
        headers=headers,
    ).get_json()
    assert (
        modified["status"] == "modified"
        and modified["applied_level"] == 3
        and modified["note"] == "ok"
    )
    rejected = client.post(
        f"/api/v1/adaptations/{ids[2]}/decision",
        json={"decision": "reject", "note": "not yet"},
        headers=headers,
    ).get_json()
    assert rejected["status"] == "rejected" and rejected["applied_level"] is None
    again = client.post(
        f"/api/v1/adaptations/{ids[0]}/decision", json={"decision": "reject"}, headers=headers
    )
    assert again.status_code == 409


def test_a_modified_level_must_fit_the_prescription(client):
    w = world(client)
    aid = pending_adaptation(w["patients"]["p1"])
    headers = bearer(w["tokens"]["a_physio"])
    # p1's walking range is 1-5 (factories.patient_body)
    response = client.post(
        f"/api/v1/adaptations/{aid}/decision",
        json={"decision": "modify", "level": 7},
        headers=headers,
    )
    assert response.status_code == 422 and "level" in response.get_json()["errors"]["json"]
    missing_level = client.post(
        f"/api/v1/adaptations/{aid}/decision", json={"decision": "modify"}, headers=headers
    )
    assert missing_level.status_code == 422
    still = client.get("/api/v1/adaptations", headers=headers).get_json()["items"]
    assert still[0]["status"] == "pending"


def test_decisions_are_audited(client):
    w = world(client)
    aid = pending_adaptation(w["patients"]["p1"])
    client.post(
        f"/api/v1/adaptations/{aid}/decision",
        json={"decision": "approve"},
        headers=bearer(w["tokens"]["a_physio"]),
    )
    events = client.get("/api/v1/audit", headers=bearer(w["tokens"]["a_admin"])).get_json()["items"]
    assert "adaptation.approve" in [e["action"] for e in events]
