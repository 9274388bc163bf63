"""GET /patients/{id}/fhir: a demo patient's record as an R4 Bundle that validates with
fhir.resources, whose wearable Observations re-upload through the ingestion endpoint."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fhir.resources.R4B.bundle import Bundle
from sqlalchemy import select

from backend.domain.observation_input import KIND_OF_LOINC
from backend.extensions import db
from backend.models import AuditEvent, ObservationDay, Patient, SessionLog, User
from backend.services import demo
from tests.factories import activate, bearer, enrol, in_app, login
from tests.integration.observations.test_ingestion import URL, fhir_hr, iso, stored_points

EARLY = datetime(2026, 11, 26, 5, 0, tzinfo=UTC)  # before the frozen clock's 09:00


@in_app
def seed_demo() -> list[str]:
    return demo.seed()


@in_app
def demo_patient(email: str) -> tuple[str, int]:
    user = db.session.scalar(select(User).where(User.email == email))
    patient = db.session.scalar(select(Patient).where(Patient.user_id == user.id))
    logs = db.session.scalars(select(SessionLog).where(SessionLog.patient_id == patient.id)).all()
    return patient.id, len(logs)


@in_app
def summaries(patient_id: str) -> dict:
    rows = db.session.scalars(select(ObservationDay).where(ObservationDay.patient_id == patient_id))
    return {
        (r.local_date, r.kind): (r.minutes, r.minimum, r.maximum, r.mean, r.total) for r in rows
    }


@in_app
def exports_audited(patient_id: str) -> int:
    query = select(AuditEvent).where(
        AuditEvent.patient_id == patient_id, AuditEvent.action == "patient.fhir_export"
    )
    return len(db.session.scalars(query).all())


def wearable_points() -> list[dict]:
    """Three hours of HR from a band and a watch, the phone's steps, one blood pressure."""
    points = [fhir_hr(EARLY + timedelta(minutes=m), 62 + m % 9) for m in range(180)]
    points += [fhir_hr(EARLY + timedelta(minutes=m), 64, "watch") for m in range(60, 120)]
    points.append(
        {
            "type": "steps",
            "start": iso(EARLY),
            "end": iso(EARLY + timedelta(hours=1)),
            "value": 1200,
            "unit": "{steps}",
            "device": "phone",
        }
    )
    for kind, value in (("systolic_bp", 131), ("diastolic_bp", 86)):
        points.append(
            {"type": kind, "start": iso(EARLY), "value": value, "unit": "mm[Hg]", "device": "cuff"}
        )
    return points


def test_a_demo_patients_bundle_validates_and_round_trips_its_observations(app, client):
    lines = seed_demo()
    physio = login(client, demo.PHYSIO[0], demo.PHYSIO[2])
    _, email, _, password, *_ = next(
        line for line in lines if line.strip().startswith("patient")
    ).split()
    patient_id, logs = demo_patient(email)
    patient = login(client, email, password)
    points = wearable_points()
    assert client.post(URL, json={"points": points}, headers=bearer(patient)).status_code == 200

    response = client.get(f"/api/v1/patients/{patient_id}/fhir?days=2", headers=bearer(physio))
    assert response.status_code == 200, response.get_json()
    bundle = Bundle.model_validate(response.get_json())  # the maintained R4 models accept it
    resources = [entry.resource for entry in bundle.entry]
    kinds = [r.get_resource_type() for r in resources]
    assert kinds.count("ServiceRequest") == 1 and kinds.count("Goal") >= 1
    assert kinds.count("Flag") >= 1  # the demo's red flag, decided by the physio
    observations = [r for r in resources if r.get_resource_type() == "Observation"]
    sessions = [o for o in observations if o.code.coding[0].code == "55411-3"]
    assert len(sessions) == logs
    assert all(o.valueQuantity.code == "min" for o in sessions)
    assert exports_audited(patient_id) == 1

    # Round trip: the wearable Observations, posted back by the patient, store nothing new ...
    wearable = [
        entry["resource"]
        for entry in response.get_json()["entry"]
        if entry["resource"]["resourceType"] == "Observation"
        and entry["resource"]["code"]["coding"][0]["code"] in KIND_OF_LOINC
    ]
    assert len(wearable) == len(points)
    before = stored_points(app)
    again = client.post(URL, json={"points": wearable}, headers=bearer(patient)).get_json()
    assert again["new"] == 0 and stored_points(app) == before
    # ... and, posted by a new patient, give the very same day summaries.
    newcomer = enrol(client, physio)
    newcomer_tokens = activate(client, newcomer["invite_code"])
    copied = client.post(URL, json={"points": wearable}, headers=bearer(newcomer_tokens))
    assert copied.get_json()["new"] == len(points)
    assert summaries(newcomer["id"]) == summaries(patient_id)
