"""Enrolment and the patient record, always scoped to the caller."""

from __future__ import annotations

import re

from sqlalchemy import select

from backend import clock
from backend.domain import zones
from backend.domain.clearances import lapsed_clearances
from backend.errors import Conflict, Invalid, NotFound
from backend.extensions import db
from backend.models import HeldEnrolment, Patient, User
from backend.models.base import new_id
from backend.schemas.patients import ClinicalSchema, PrescriptionSchema
from backend.security import Actor
from backend.services import audit, content, levels, transactional
from backend.services.accounts import new_invite
from backend.services.patient_inputs import domain_inputs

ID = re.compile(r"[0-9a-f]{32}")
DEFAULT_SETTINGS = {
    "reminder_time": "10:00",
    "window_start": "08:00",
    "window_end": "20:00",
    "quiet_start": "21:00",
    "quiet_end": "08:00",
    "channels": ["in_app"],
}


def is_id(value) -> bool:
    """Ids are 32 hex digits (models.base.new_id); anything else finds nothing, unqueried."""
    return isinstance(value, str) and ID.fullmatch(value) is not None


def load_patient(actor: Actor, patient_id: str) -> Patient:
    """The patient if the actor may see them; otherwise 404, so an id reveals nothing.

    A refusal of a patient who exists is audited in that patient's clinic (ids only).
    """
    patient = db.session.get(Patient, patient_id) if is_id(patient_id) else None
    if patient is None:
        raise NotFound("No such patient.")
    if actor.role == "patient":
        allowed = patient.id == actor.patient_id
    else:
        allowed = actor.role == "clinician" and patient.clinic_id == actor.clinic_id
    if not allowed:
        audit.denied(actor, patient.clinic_id, patient.id, f"patient={patient.id}")
        raise NotFound("No such patient.")
    return patient


def check_filter(actor: Actor, patient_id: str | None) -> None:
    """A clinic list filtered by patient: another clinic's (or no) patient is a 404, not []."""
    if not patient_id:
        return
    patient = db.session.get(Patient, patient_id) if is_id(patient_id) else None
    if patient is None:
        raise NotFound("No such patient.")
    if patient.clinic_id != actor.clinic_id:
        audit.denied(actor, patient.clinic_id, patient.id, f"filter patient={patient.id}")
        raise NotFound("No such patient.")


def clinical_of(patient: Patient) -> dict:
    """The stored clinical document, parsed back into typed values (dates as dates)."""
    return ClinicalSchema().load(patient.clinical)


def prescription_of(patient: Patient) -> dict | None:
    return PrescriptionSchema().load(patient.prescription) if patient.prescription else None


def to_dict(patient: Patient) -> dict:
    return {
        "id": patient.id,
        "email": patient.user.held.email if patient.user.held else patient.user.email,
        "display_name": patient.user.display_name,
        "cancer_type": patient.cancer_type,
        "timezone": patient.timezone,
        "clinical": clinical_of(patient),
        "prescription": prescription_of(patient),
        "settings": {"timezone": patient.timezone, **patient.settings},
        "contact": {"phone": patient.phone, "preferred": patient.preferred_contact},
        "clinician_ids": sorted(c.id for c in patient.clinicians),
        "activated": bool(patient.user.password_hash),
        "created_at": patient.created_at,
        "updated_at": patient.updated_at,
    }


def _json_ready(data):
    """Dates inside the validated clinical document become ISO strings for the JSON column."""
    if isinstance(data, dict):
        return {k: _json_ready(v) for k, v in data.items()}
    if isinstance(data, list):
        return [_json_ready(v) for v in data]
    if hasattr(data, "isoformat"):
        return data.isoformat()
    return data


@transactional
def enrol(actor: Actor, data: dict) -> dict:
    """A clinician enrols a patient in their clinic; returns the id and a one-time invite code.

    An e-mail with an account in another clinic gets the same answer, with a held enrolment
    behind it (models.HeldEnrolment, docs/security.md "Enumeration"): nothing is linked.
    """
    email = data["email"].strip().lower()
    hold = _existing_elsewhere(actor, email)
    now = clock.now()
    user = User(
        email=f"held-{new_id()}@held.invalid" if hold else email,
        password_hash=None,
        role="patient",
        clinic_id=actor.clinic_id,
        display_name=data["display_name"],
        active=False,
        created_at=now,
    )
    db.session.add(user)
    db.session.flush()
    if hold:
        db.session.add(HeldEnrolment(user_id=user.id, email=email, created_at=now))
    patient = Patient(
        user_id=user.id,
        clinic_id=actor.clinic_id,
        cancer_type=data["cancer_type"],
        clinical=_json_ready(data.get("clinical") or {}),
        prescription=_json_ready(data.get("prescription")),
        timezone=data["timezone"],
        phone=(data.get("contact") or {}).get("phone"),
        preferred_contact=(data.get("contact") or {}).get("preferred"),
        settings={**DEFAULT_SETTINGS, **_settings_only(data.get("settings") or {})},
        created_at=now,
        updated_at=now,
    )
    patient.clinicians.append(db.session.get(User, actor.user_id))
    db.session.add(patient)
    db.session.flush()
    code, invite = new_invite(user, now)
    audit.record(actor, "patient.create", patient.id)
    return {"id": patient.id, "invite_code": code, "invite_expires_at": invite.expires_at}


def _existing_elsewhere(actor: Actor, email: str) -> bool:
    """Whether the e-mail already has an account outside the caller's clinic (so the enrolment
    is held); 409 if it is in the caller's own clinic, which already shows that person."""
    clinic = db.session.scalar(select(User.clinic_id).where(User.email == email))
    held_here = db.session.scalar(
        select(HeldEnrolment.user_id)
        .join(User, User.id == HeldEnrolment.user_id)
        .where(HeldEnrolment.email == email, User.clinic_id == actor.clinic_id)
    )
    if clinic == actor.clinic_id or held_here:
        raise Conflict("An account with this e-mail already exists.")
    return clinic is not None


def _settings_only(settings: dict) -> dict:
    return {k: v for k, v in settings.items() if k != "timezone"}


@transactional
def get(actor: Actor, patient_id: str) -> dict:
    patient = load_patient(actor, patient_id)
    if actor.role != "patient":
        audit.record(actor, "patient.read", patient.id)
    return to_dict(patient)


@transactional
def update(actor: Actor, patient_id: str, changes: dict) -> dict:
    """Change profile fields; the clinical document is replaced whole (it is validated whole)."""
    patient = load_patient(actor, patient_id)
    if "display_name" in changes:
        patient.user.display_name = changes["display_name"]
    if "cancer_type" in changes:
        patient.cancer_type = changes["cancer_type"]
    if "contact" in changes:
        patient.phone = changes["contact"].get("phone")
        patient.preferred_contact = changes["contact"].get("preferred")
    if "clinical" in changes:
        before = domain_inputs(patient)
        patient.clinical = _json_ready(changes["clinical"])
        _lapse_clearances(actor, patient, before)
    settings = dict(changes.get("settings") or {})
    if "timezone" in settings:
        changes = {**changes, "timezone": settings["timezone"]}
    if "timezone" in changes:
        move_to_zone(patient, changes["timezone"])
    if settings:
        patient.settings = {**patient.settings, **_settings_only(settings)}
    patient.updated_at = clock.now()
    audit.record(actor, "patient.update", patient.id, ",".join(sorted(changes)))
    return to_dict(patient)


def _lapse_clearances(actor: Actor, patient: Patient, before) -> None:
    """Drop the clearances this change made stale (``domain.clearances``), audited."""
    profile, _, calendar = domain_inputs(patient)
    old_profile, _, old_calendar = before
    lapsed = lapsed_clearances(
        (old_profile, old_calendar), (profile, calendar), content.current().rules
    )
    if lapsed:
        clinical = dict(patient.clinical)
        clinical["clearances"] = [c for c in clinical.get("clearances", []) if c not in lapsed]
        patient.clinical = clinical
        audit.record(actor, "patient.clearance_lapsed", patient.id, ",".join(sorted(lapsed)))


@transactional
def set_prescription(actor: Actor, patient_id: str, prescription: dict) -> dict:
    patient = load_patient(actor, patient_id)
    if actor.role != "clinician":
        raise NotFound("No such patient.")
    patient.prescription = _json_ready(prescription)
    patient.updated_at = clock.now()
    audit.record(actor, "prescription.update", patient.id)
    return to_dict(patient)


@transactional
def caseload(actor: Actor, search: str | None = None, scope: str = "mine") -> list[dict]:
    """The clinician's patients (or the whole clinic's), alphabetical."""
    query = (
        select(Patient)
        .join(User, User.id == Patient.user_id)
        .where(Patient.clinic_id == actor.clinic_id)
    )
    if scope == "mine":
        query = query.where(Patient.clinicians.any(User.id == actor.user_id))
    elif scope != "clinic":
        raise Invalid("scope must be mine or clinic.")
    if search:
        query = query.where(User.display_name.icontains(search.strip(), autoescape=True))
    patients = db.session.scalars(query.order_by(User.display_name, Patient.id)).all()
    audit.record(actor, "caseload.read", None, f"{len(patients)} patients")
    return [
        {
            "id": p.id,
            "display_name": p.user.display_name,
            "cancer_type": p.cancer_type,
            "activated": bool(p.user.password_hash),
        }
        for p in patients
    ]


@transactional
def me(actor: Actor) -> dict:
    patient = load_patient(actor, actor.patient_id or "")
    return {
        "id": patient.id,
        "display_name": patient.user.display_name,
        "cancer_type": patient.cancer_type,
        "timezone": patient.timezone,
        "settings": {"timezone": patient.timezone, **patient.settings},
        "prescription": prescription_of(patient),
        "levels": levels.current_levels(patient),
    }


@transactional
def update_my_settings(actor: Actor, settings: dict) -> dict:
    patient = load_patient(actor, actor.patient_id or "")
    if "timezone" in settings:
        move_to_zone(patient, settings["timezone"])
    patient.settings = {**patient.settings, **_settings_only(settings)}
    patient.updated_at = clock.now()
    return {"timezone": patient.timezone, **patient.settings}


def zone_hold(patient: Patient) -> zones.ZoneHold | None:
    if patient.zone_hold_floor is None or patient.zone_hold_until is None:
        return None
    return zones.ZoneHold(patient.zone_hold_floor, patient.zone_hold_until, patient.zone_hold_cap_zone)


def move_to_zone(patient: Patient, zone: str) -> None:
    """Change the patient's zone without handing them a day (domain.zones)."""
    if zone == patient.timezone:
        return
    hold = zones.after_zone_change(clock.now(), patient.timezone, zone, zone_hold(patient))
    patient.timezone = zone
    patient.zone_hold_floor = hold.floor if hold else None
    patient.zone_hold_until = hold.until if hold else None
    patient.zone_hold_cap_zone = hold.cap_zone if hold else None
