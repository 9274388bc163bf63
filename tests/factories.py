"""Builders for test data, through the real services and API."""

from __future__ import annotations

import itertools

from backend.services import accounts

PASSWORD = "correct horse battery"
APP = None  # set by the session's app fixture
_counter = itertools.count(1)
# Every e-mail, display name, phone number and push token handed out to a test: no log
# record may carry one (tests/logcheck.py).
IDENTIFYING: set[str] = set()


def identifying(*values: str) -> None:
    IDENTIFYING.update(v for v in values if v)


def in_app(fn):
    """Run a direct service call inside its own app context, as a CLI command would."""

    def wrapper(*args, **kwargs):
        with APP.app_context():
            return fn(*args, **kwargs)

    return wrapper


@in_app
def clinic_with_staff(name: str | None = None) -> dict:
    """A clinic with one clinician and one admin; returns ids and e-mails."""
    n = next(_counter)
    clinic = accounts.create_clinic(
        name or f"Clinic {n}", on_call_email=f"oncall{n}@clinic.example"
    )
    physio = accounts.create_staff(
        f"physio{n}@clinic.example", PASSWORD, clinic.id, "clinician", f"Physio {n}"
    )
    admin = accounts.create_staff(
        f"admin{n}@clinic.example", PASSWORD, clinic.id, "admin", f"Admin {n}"
    )
    identifying(physio.email, admin.email, f"Physio {n}", f"Admin {n}", clinic.on_call_email)
    return {
        "clinic_id": clinic.id,
        "physio": physio.email,
        "physio_id": physio.id,
        "admin": admin.email,
    }


def login(client, email: str, password: str = PASSWORD) -> dict:
    response = client.post("/api/v1/auth/login", json={"email": email, "password": password})
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def bearer(tokens_or_access) -> dict:
    token = (
        tokens_or_access["access_token"] if isinstance(tokens_or_access, dict) else tokens_or_access
    )
    return {"Authorization": f"Bearer {token}"}


def patient_body(**overrides) -> dict:
    n = next(_counter)
    body = {
        "email": f"patient{n}@example.org",
        "display_name": f"Patient {n}",
        "cancer_type": "breast",
        "timezone": "Europe/London",
        "clinical": {
            "lesions": [{"site": "pelvis", "side": "left"}, {"site": "spine_lumbar", "sins": 4}],
            "precautions": ["lymphoedema"],
            # Bone lesions are NCCN high tier: a physician's clearance is on file.
            "clearances": ["medical_clearance"],
            "labs": [{"name": "platelets", "value": 150, "taken_on": "2026-11-20"}],
            "calendar": {"infusions": ["2026-11-20"], "radiotherapy": []},
            "equipment": {"bands": ["yellow", "red"], "pool_access": True},
        },
        "prescription": {
            "modalities": [
                {
                    "modality": "walking_aerobic",
                    "min_level": 1,
                    "max_level": 5,
                    "sessions_per_week": 3,
                },
                {
                    "modality": "resistance_band",
                    "min_level": 1,
                    "max_level": 4,
                    "sessions_per_week": 2,
                },
            ]
        },
    }
    body.update(overrides)
    identifying(body.get("email"), body.get("display_name"))
    return body


def enrol(client, physio_tokens, **overrides) -> dict:
    response = client.post(
        "/api/v1/patients", json=patient_body(**overrides), headers=bearer(physio_tokens)
    )
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def activate(client, invite_code: str, password: str = PASSWORD) -> dict:
    response = client.post(
        "/api/v1/auth/activate", json={"invite_code": invite_code, "password": password}
    )
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def world(client) -> dict:
    """Two clinics; clinic A has a physio with two activated patients; clinic B one patient."""
    a = clinic_with_staff("Clinic A")
    b = clinic_with_staff("Clinic B")
    a_physio = login(client, a["physio"])
    b_physio = login(client, b["physio"])
    p1 = enrol(client, a_physio)
    p2 = enrol(client, a_physio)
    p3 = enrol(client, b_physio)
    return {
        "a": a,
        "b": b,
        "tokens": {
            "a_physio": a_physio,
            "b_physio": b_physio,
            "a_admin": login(client, a["admin"]),
            "p1": activate(client, p1["invite_code"]),
            "p2": activate(client, p2["invite_code"]),
            "p3": activate(client, p3["invite_code"]),
        },
        "patients": {"p1": p1["id"], "p2": p2["id"], "p3": p3["id"]},
    }


@in_app
def pending_adaptation(
    patient_id: str, modality: str = "walking_aerobic", current: int = 1, proposed: int = 2
) -> str:
    """A pending proposal as the policy would store it (for review tests)."""
    from backend import clock
    from backend.extensions import db
    from backend.models import Adaptation, Patient

    patient = db.session.get(Patient, patient_id)
    adaptation = Adaptation(
        patient_id=patient_id,
        clinic_id=patient.clinic_id,
        modality=modality,
        local_date=clock.now().date(),
        created_at=clock.now(),
        trigger="log",
        policy="model",
        model_version="test-model",
        current_level=current,
        proposed_level=proposed,
        candidates=[
            {"level": current, "p_tolerated": 0.95},
            {"level": proposed, "p_tolerated": 0.84},
        ],
        reason_codes=["step_up_outside_auto_band"],
        top_features=[{"name": "fatigue_delta", "contribution": -0.04}],
        inputs={},
        explanation="Ready for a little more: recent sessions went well.",
        status="pending",
    )
    db.session.add(adaptation)
    db.session.commit()
    return adaptation.id
