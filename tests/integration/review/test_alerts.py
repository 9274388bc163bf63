"""Red-flag alerts: the clinic's list, and acknowledging one with a note (audited)."""

from __future__ import annotations

from tests.factories import bearer, world
from tests.integration.review.builders import open_alert, red_check_in


def alerts(client, tokens, **query):
    response = client.get("/api/v1/alerts", query_string=query, headers=bearer(tokens))
    assert response.status_code == 200, response.get_json()
    return response.get_json()["items"]


def ack(client, tokens, alert_id, note="Phoned the patient; GP seeing her today."):
    return client.post(
        f"/api/v1/alerts/{alert_id}/ack",
        json={"note": note, "decision": "resume"},
        headers=bearer(tokens),
    )


def test_a_red_check_in_reaches_the_clinics_alert_list_longest_waiting_first(client):
    w = world(client)
    older = open_alert(w["patients"]["p2"], days_ago=1)
    red_check_in(client, w["tokens"]["p1"])
    listed = alerts(client, w["tokens"]["a_physio"])
    assert len(listed) == 2 and listed[0]["id"] == older
    newest = listed[1]
    assert newest["patient_id"] == w["patients"]["p1"] and newest["status"] == "open"
    assert newest["reasons"] and newest["reasons"][0]["severity"] == "red"
    assert alerts(client, w["tokens"]["b_physio"]) == []


def test_acknowledging_records_who_when_and_the_note_and_is_audited(client, now):
    w = world(client)
    alert_id = open_alert(w["patients"]["p1"])
    response = ack(client, w["tokens"]["a_physio"], alert_id)
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["status"] == "acknowledged"
    assert body["acknowledged_by"] == w["a"]["physio_id"]
    assert body["acknowledged_by_name"] and body["note"].startswith("Phoned")
    assert body["acknowledged_at"].startswith(now.date().isoformat())
    assert alerts(client, w["tokens"]["a_physio"]) == []
    done = alerts(client, w["tokens"]["a_physio"], status="acknowledged")
    assert [a["id"] for a in done] == [alert_id]
    audit = client.get(
        "/api/v1/audit",
        query_string={"patient_id": w["patients"]["p1"]},
        headers=bearer(w["tokens"]["a_admin"]),
    ).get_json()["items"]
    event = next(e for e in audit if e["action"] == "alert.acknowledge")
    assert event["actor_id"] == w["a"]["physio_id"] and "Phoned" in event["detail"]


def test_an_alert_is_acknowledged_once(client):
    w = world(client)
    alert_id = open_alert(w["patients"]["p1"])
    assert ack(client, w["tokens"]["a_physio"], alert_id).status_code == 200
    again = ack(client, w["tokens"]["a_physio"], alert_id, "second")
    assert again.status_code == 409 and "already acknowledged" in again.get_json()["detail"]
    done = alerts(client, w["tokens"]["a_physio"], status="acknowledged")
    assert done[0]["note"].startswith("Phoned")  # the first note stands


def test_the_note_is_required(client):
    w = world(client)
    alert_id = open_alert(w["patients"]["p1"])
    for body in ({}, {"note": ""}):
        response = client.post(
            f"/api/v1/alerts/{alert_id}/ack", json=body, headers=bearer(w["tokens"]["a_physio"])
        )
        assert response.status_code == 422 and "note" in response.get_json()["errors"]["json"]
    blank = ack(client, w["tokens"]["a_physio"], alert_id, "   ")
    assert blank.status_code == 422
    assert len(alerts(client, w["tokens"]["a_physio"])) == 1


def test_another_clinic_can_neither_see_nor_acknowledge(client):
    w = world(client)
    alert_id = open_alert(w["patients"]["p1"])
    response = ack(client, w["tokens"]["b_physio"], alert_id)
    assert response.status_code == 404 and response.get_json()["detail"] == "No such alert."
    filtered = client.get(
        "/api/v1/alerts",
        query_string={"patient_id": w["patients"]["p1"]},
        headers=bearer(w["tokens"]["b_physio"]),
    )
    assert filtered.status_code == 404  # not 200 [] (issue 14, item 9)
    assert [a["id"] for a in alerts(client, w["tokens"]["a_physio"])] == [alert_id]
