"""A demo clinic for trying Onward locally (development only)."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app
from sqlalchemy import select

from backend import clock
from backend.errors import Forbidden
from backend.extensions import db
from backend.models import Clinic, Patient, User
from backend.security import Actor
from backend.services import accounts, demo_history, patients, transactional

CLINIC = "Onward Demo Clinic"
PHYSIO = ("physio@demo.onward.example", "Demo Physio", "demo-physio-pass")
ADMIN = ("admin@demo.onward.example", "Demo Admin", "demo-admin-pass")
PASSWORD = "demo-patient-pass"


def _patients(today) -> list[dict]:
    """Three patients whose profiles exercise different safety rules."""
    day = lambda n: (today + timedelta(days=n)).isoformat()  # noqa: E731
    return [
        {
            "email": "ann@demo.onward.example",
            "contact": {"phone": "+44 20 7946 0958", "preferred": "phone"},
            "display_name": "Ann (breast cancer, on chemotherapy, lymphoedema)",
            "cancer_type": "breast",
            "timezone": "Europe/London",
            "clinical": {
                "precautions": ["lymphoedema", "port"],
                "labs": [
                    {"name": "platelets", "value": 210, "taken_on": day(-52)},
                    {"name": "haemoglobin", "value": 11.8, "taken_on": day(-52)},
                    {"name": "neutrophils", "value": 2.6, "taken_on": day(-52)},
                ],
                # A fortnightly chemotherapy cycle across the demo's seven weeks.
                "calendar": {"infusions": [day(-45), day(-31), day(-17), day(-3), day(11)]},
                "equipment": {"bands": ["yellow", "red", "green"], "pool_access": True},
            },
            "prescription": {
                "modalities": [
                    {
                        "modality": "walking_aerobic",
                        "min_level": 1,
                        "max_level": 6,
                        "sessions_per_week": 3,
                        "start_level": 2,
                    },
                    {
                        "modality": "resistance_band",
                        "min_level": 1,
                        "max_level": 5,
                        "sessions_per_week": 2,
                        "start_level": 2,
                    },
                    {
                        "modality": "tai_chi_qigong",
                        "min_level": 1,
                        "max_level": 5,
                        "sessions_per_week": 2,
                    },
                ],
                "auto_approve_band": 1,
            },
        },
        {
            "email": "bob@demo.onward.example",
            "contact": {"phone": "+1 202 555 0143", "preferred": "sms"},
            "display_name": "Bob (prostate cancer, bone metastases: pelvis, lumbar spine)",
            "cancer_type": "prostate",
            "timezone": "America/New_York",
            "clinical": {
                "lesions": [
                    {"site": "pelvis", "side": "left"},
                    {"site": "spine_lumbar", "sins": 5},
                ],
                "precautions": ["falls"],
                # NCCN high tier (bone metastases): his oncologist's clearance is on file.
                "clearances": ["medical_clearance"],
                "labs": [{"name": "haemoglobin", "value": 12.5, "taken_on": day(-55)}],
                "equipment": {"bands": ["yellow", "red"], "pool_access": False},
            },
            "prescription": {
                "modalities": [
                    {
                        "modality": "resistance_band",
                        "min_level": 1,
                        "max_level": 4,
                        "sessions_per_week": 2,
                    },
                    {"modality": "balance", "min_level": 1, "max_level": 4, "sessions_per_week": 2},
                    {
                        "modality": "mobility",
                        "min_level": 1,
                        "max_level": 4,
                        "sessions_per_week": 3,
                    },
                ],
                "auto_approve_band": 0,
            },
        },
        {
            "email": "cara@demo.onward.example",
            "contact": {"phone": "+61 491 570 156", "preferred": "phone"},
            "display_name": "Cara (lung cancer, brain metastases, neuropathy, PICC line)",
            "cancer_type": "lung",
            "timezone": "Australia/Sydney",
            "clinical": {
                "lesions": [{"site": "brain"}, {"site": "lung"}],
                "precautions": ["peripheral_neuropathy", "picc"],
                "labs": [{"name": "platelets", "value": 95, "taken_on": day(-50)}],
                "equipment": {"bands": ["tan", "yellow"], "pool_access": True},
            },
            "prescription": {
                "modalities": [
                    {
                        "modality": "walking_aerobic",
                        "min_level": 1,
                        "max_level": 4,
                        "sessions_per_week": 4,
                    },
                    {"modality": "balance", "min_level": 1, "max_level": 5, "sessions_per_week": 2},
                    {
                        "modality": "tai_chi_qigong",
                        "min_level": 1,
                        "max_level": 4,
                        "sessions_per_week": 2,
                    },
                ],
                "auto_approve_band": 1,
            },
        },
    ]


def seed() -> list[str]:
    """Create (or find) the demo clinic, with weeks of history, and return the lines to print.

    Idempotent: a second run creates nothing. Only the demo's own patients, who sign in with
    the demo password, are listed (never a patient someone enrolled since).
    """
    if current_app.config["ENV"] not in ("development", "test"):
        raise Forbidden("The demo clinic is for development only.")
    clinic = db.session.scalar(select(Clinic).where(Clinic.name == CLINIC))
    if clinic is None:
        today = clock.now()
        start = today - timedelta(days=demo_history.HISTORY_DAYS)
        with clock.frozen(start):
            clinic = accounts.create_clinic(
                CLINIC, on_call_email="on-call@demo.onward.example", timezone="Europe/London"
            )
            physio = accounts.create_staff(PHYSIO[0], PHYSIO[2], clinic.id, "clinician", PHYSIO[1])
            accounts.create_staff(ADMIN[0], ADMIN[2], clinic.id, "admin", ADMIN[1])
            actor = Actor(physio.id, "clinician", clinic.id, remote_addr="cli")
            ids = []
            for data in _patients(today.date()):
                enrolled = patients.enrol(actor, _load(data))
                _activate(enrolled["id"])
                ids.append(enrolled["id"])
        demo_history.live(ids, actor, start, demo_history.HISTORY_DAYS)
    lines = [
        f"Demo clinic: {CLINIC}",
        f"  physio  {PHYSIO[0]} / {PHYSIO[2]}",
        f"  admin   {ADMIN[0]} / {ADMIN[2]}",
    ]
    demo_emails = [p["email"] for p in _patients(clock.now().date())]
    for user in db.session.scalars(
        select(User)
        .join(Patient, Patient.user_id == User.id)
        .where(User.clinic_id == clinic.id, User.email.in_(demo_emails), User.active.is_(True))
        .order_by(User.email)
    ):
        lines.append(f"  patient {user.email} / {PASSWORD}   {user.display_name}")
    return lines


def _load(data: dict) -> dict:
    from backend.schemas.patients import PatientCreateSchema

    return PatientCreateSchema().load(data)


@transactional
def _activate(patient_id: str) -> None:
    user = db.session.get(Patient, patient_id).user
    user.password_hash = accounts.hash_password(PASSWORD)
    user.active = True
