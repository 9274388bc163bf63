"""Enrolment and the patient record: validation names the field and stores nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from backend.extensions import db
from backend.models import AuditEvent
from tests.factories import bearer, clinic_with_staff, enrol, in_app, login, patient_body


@pytest.fixture
def physio(client):
    return login(client, clinic_with_staff()["physio"])


def caseload(client, physio):
    return client.get("/api/v1/patients", headers=bearer(physio)).get_json()


def test_enrol_returns_id_and_invite_and_the_record_reads_back(client, physio):
    body = patient_body(display_name="Ruth", cancer_type="colorectal")
    response = client.post("/api/v1/patients", json=body, headers=bearer(physio))
    assert response.status_code == 201
    created = response.get_json()
    assert len(created["id"]) == 32 and created["invite_code"].count("-") == 2
    record = client.get(f"/api/v1/patients/{created['id']}", headers=bearer(physio)).get_json()
    assert record["display_name"] == "Ruth" and record["cancer_type"] == "colorectal"
    assert record["clinical"]["lesions"][1] == {
        "site": "spine_lumbar",
        "side": None,
        "mirels": None,
        "sins": 4,
        "cleared_by_clinician": False,
        "resistance_cleared": False,
    }
    assert record["clinical"]["labs"][0]["taken_on"] == "2026-11-20"
    assert record["activated"] is False
    assert [p["display_name"] for p in caseload(client, physio)] == ["Ruth"]


BAD_INPUT = [
    (
        "impossible platelets",
        {"clinical": {"labs": [{"name": "platelets", "value": 5000, "taken_on": "2026-11-20"}]}},
        ["clinical", "labs", "0", "value"],
    ),
    (
        "impossible haemoglobin",
        {"clinical": {"labs": [{"name": "haemoglobin", "value": 0.2, "taken_on": "2026-11-20"}]}},
        ["clinical", "labs", "0", "value"],
    ),
    (
        "unknown lesion site",
        {"clinical": {"lesions": [{"site": "elbow"}]}},
        ["clinical", "lesions", "0", "site"],
    ),
    ("time zone that does not exist", {"timezone": "Europe/Atlantis"}, ["timezone"]),
    (
        "SINS out of range",
        {"clinical": {"lesions": [{"site": "spine_thoracic", "sins": 19}]}},
        ["clinical", "lesions", "0", "sins"],
    ),
    (
        "Mirels on a spinal lesion",
        {"clinical": {"lesions": [{"site": "spine_thoracic", "mirels": 8}]}},
        ["clinical", "lesions", "0", "mirels"],
    ),
    (
        "unknown precaution",
        {"clinical": {"precautions": ["jetpack"]}},
        ["clinical", "precautions", "0"],
    ),
    ("unknown field", {"favourite_colour": "blue"}, ["favourite_colour"]),
    (
        "float where an integer belongs",
        {
            "prescription": {
                "modalities": [{"modality": "balance", "min_level": 2.7, "max_level": 4}]
            }
        },
        ["prescription", "modalities", "0", "min_level"],
    ),
    (
        "max below min",
        {"prescription": {"modalities": [{"modality": "balance", "min_level": 4, "max_level": 2}]}},
        ["prescription", "modalities", "0", "max_level"],
    ),
    (
        "radiotherapy window backwards",
        {
            "clinical": {
                "calendar": {"radiotherapy": [{"start": "2026-11-20", "end": "2026-11-01"}]}
            }
        },
        ["clinical", "calendar", "radiotherapy", "0", "end"],
    ),
    (
        "unknown band colour",
        {"clinical": {"equipment": {"bands": ["purple"]}}},
        ["clinical", "equipment", "bands", "0"],
    ),
]


@pytest.mark.parametrize("label,change,path", BAD_INPUT, ids=[c[0] for c in BAD_INPUT])
def test_bad_enrolment_is_422_naming_the_field_and_stores_nothing(
    client, physio, label, change, path
):
    response = client.post("/api/v1/patients", json=patient_body(**change), headers=bearer(physio))
    assert response.status_code == 422, label
    assert response.headers["Content-Type"] == "application/problem+json"
    errors = response.get_json()["errors"]["json"]
    for key in path:
        assert key in errors or int(key) in errors if key.isdigit() else key in errors, (
            label,
            errors,
        )
        errors = errors[key] if key in errors else errors[int(key)]
    assert caseload(client, physio) == []


def test_bad_patch_is_422_and_changes_nothing(client, physio):
    created = enrol(client, physio)
    url = f"/api/v1/patients/{created['id']}"
    before = client.get(url, headers=bearer(physio)).get_json()
    bad = {
        "clinical": {"labs": [{"name": "neutrophils", "value": -1, "taken_on": "2026-11-25"}]},
        "display_name": "New",
    }
    assert client.patch(url, json=bad, headers=bearer(physio)).status_code == 422
    after = client.get(url, headers=bearer(physio)).get_json()
    assert after == before


def test_patch_updates_labs_and_timezone(client, physio):
    created = enrol(client, physio)
    url = f"/api/v1/patients/{created['id']}"
    clinical = patient_body()["clinical"]
    clinical["labs"].append({"name": "haemoglobin", "value": 7.6, "taken_on": "2026-11-25"})
    response = client.patch(
        url, json={"clinical": clinical, "timezone": "America/New_York"}, headers=bearer(physio)
    )
    assert response.status_code == 200
    record = client.get(url, headers=bearer(physio)).get_json()
    assert record["timezone"] == "America/New_York"
    assert {"name": "haemoglobin", "value": 7.6, "unit": None, "taken_on": "2026-11-25"} in record[
        "clinical"
    ]["labs"]


def test_duplicate_email_is_409_and_stores_nothing_new(client, physio):
    enrol(client, physio, email="same@example.org")
    again = client.post(
        "/api/v1/patients", json=patient_body(email="same@example.org"), headers=bearer(physio)
    )
    assert again.status_code == 409
    assert len(caseload(client, physio)) == 1


def test_prescription_can_be_replaced(client, physio):
    created = enrol(client, physio)
    new = {
        "modalities": [
            {"modality": "tai_chi_qigong", "min_level": 2, "max_level": 5, "locked_level": 3}
        ],
        "auto_approve_band": 0,
    }
    response = client.put(
        f"/api/v1/patients/{created['id']}/prescription", json=new, headers=bearer(physio)
    )
    assert response.status_code == 200
    assert response.get_json()["prescription"]["modalities"][0]["locked_level"] == 3


def test_locked_level_outside_range_is_refused(client, physio):
    created = enrol(client, physio)
    new = {
        "modalities": [{"modality": "balance", "min_level": 2, "max_level": 3, "locked_level": 5}]
    }
    response = client.put(
        f"/api/v1/patients/{created['id']}/prescription", json=new, headers=bearer(physio)
    )
    assert response.status_code == 422
    assert "locked_level" in response.get_json()["errors"]["json"]["modalities"]["0"]


def test_caseload_search_and_scope(client):
    staff = clinic_with_staff()
    physio = login(client, staff["physio"])
    enrol(client, physio, display_name="Margaret Hale")
    enrol(client, physio, display_name="John Thornton")
    found = client.get("/api/v1/patients?search=marg", headers=bearer(physio)).get_json()
    assert [p["display_name"] for p in found] == ["Margaret Hale"]
    assert client.get("/api/v1/patients?scope=everyone", headers=bearer(physio)).status_code == 422


def test_me_shows_the_patients_own_profile_and_levels(client, physio):
    from tests.factories import activate

    created = enrol(
        client,
        physio,
        prescription={"modalities": [{"modality": "balance", "min_level": 2, "max_level": 4}]},
    )
    tokens = activate(client, created["invite_code"])
    me = client.get("/api/v1/me", headers=bearer(tokens)).get_json()
    assert me["id"] == created["id"]
    assert me["levels"] == {"balance": 2}
    assert me["settings"]["timezone"] == "Europe/London"


def test_patient_changes_own_reminder_settings(client, physio):
    from tests.factories import activate

    tokens = activate(client, enrol(client, physio)["invite_code"])
    response = client.patch(
        "/api/v1/me/settings",
        json={"reminder_time": "07:45", "timezone": "Asia/Tokyo"},
        headers=bearer(tokens),
    )
    assert response.status_code == 200
    assert response.get_json()["reminder_time"] == "07:45"
    assert client.get("/api/v1/me", headers=bearer(tokens)).get_json()["timezone"] == "Asia/Tokyo"
    bad = client.patch(
        "/api/v1/me/settings", json={"reminder_time": "25:00"}, headers=bearer(tokens)
    )
    assert bad.status_code == 422


def test_a_new_surgery_date_lapses_the_surgical_clearance_and_says_so_in_the_audit(client, physio):
    # Second reader B1: "A clearance given for one surgery lifts the wound block for the next".
    clinical = patient_body()["clinical"]
    clinical.update(surgery_date="2026-08-01", clearances=["training_after_surgery"])
    created = enrol(client, physio, clinical=clinical)
    url = f"/api/v1/patients/{created['id']}"
    changed = client.patch(
        url, json={"clinical": {**clinical, "surgery_date": "2026-11-30"}}, headers=bearer(physio)
    )
    assert changed.status_code == 200
    assert "training_after_surgery" not in changed.get_json()["clinical"]["clearances"]
    again = client.patch(
        url,
        json={"clinical": {**clinical, "surgery_date": "2026-11-30"}},
        headers=bearer(physio),
    )  # the team gives it again for the new wound
    assert "training_after_surgery" in again.get_json()["clinical"]["clearances"]
    assert lapse_events(created["id"]) == ["training_after_surgery"]


@in_app
def lapse_events(patient_id):
    return db.session.scalars(
        select(AuditEvent.detail).where(
            AuditEvent.patient_id == patient_id, AuditEvent.action == "patient.clearance_lapsed"
        )
    ).all()
