"""Access to patient records is recorded and listable by the clinic's admins."""

from __future__ import annotations

from backend import clock
from tests.factories import bearer, world


def test_clinician_reads_and_changes_are_audited_with_who_what_when_where(client):
    w = world(client)
    pid = w["patients"]["p1"]
    physio = w["tokens"]["a_physio"]
    clock._clock.advance(minutes=1)
    client.get(
        f"/api/v1/patients/{pid}", headers=bearer(physio), environ_base={"REMOTE_ADDR": "192.0.2.7"}
    )
    clock._clock.advance(minutes=1)
    client.patch(
        f"/api/v1/patients/{pid}", json={"display_name": "Renamed"}, headers=bearer(physio)
    )
    events = client.get(
        f"/api/v1/audit?patient_id={pid}", headers=bearer(w["tokens"]["a_admin"])
    ).get_json()["items"]
    actions = [e["action"] for e in events]
    assert actions[:3] == ["patient.update", "patient.read", "patient.create"]
    read = events[1]
    assert read["actor_id"] == w["a"]["physio_id"] and read["actor_role"] == "clinician"
    assert read["remote_addr"] == "192.0.2.7"
    assert read["at"].startswith("2026-11-26T09:01:00")
    assert events[0]["detail"] == "display_name"


def test_admins_see_only_their_own_clinic(client):
    w = world(client)
    client.get(f"/api/v1/patients/{w['patients']['p1']}", headers=bearer(w["tokens"]["a_physio"]))
    events = client.get("/api/v1/audit", headers=bearer(w["tokens"]["a_admin"])).get_json()["items"]
    assert events and all(
        e["patient_id"] in (None, w["patients"]["p1"], w["patients"]["p2"]) for e in events
    )
    assert w["patients"]["p3"] not in {e["patient_id"] for e in events}


def test_a_refused_read_is_not_recorded_as_a_read(client):
    w = world(client)
    response = client.get(
        f"/api/v1/patients/{w['patients']['p3']}", headers=bearer(w["tokens"]["a_physio"])
    )
    assert response.status_code == 404
    events = client.get("/api/v1/audit", headers=bearer(w["tokens"]["a_admin"])).get_json()["items"]
    assert w["patients"]["p3"] not in {e["patient_id"] for e in events}


def test_clinicians_and_patients_cannot_list_the_audit(client):
    w = world(client)
    assert client.get("/api/v1/audit", headers=bearer(w["tokens"]["a_physio"])).status_code == 403
    assert client.get("/api/v1/audit", headers=bearer(w["tokens"]["p1"])).status_code == 403
