"""Adaptation records: the review queue and the physiotherapist's decisions."""

from __future__ import annotations

from sqlalchemy import case, select

from backend import clock
from backend.errors import Conflict, Invalid, NotFound
from backend.extensions import db
from backend.models import Adaptation, Patient, User
from backend.security import Actor
from backend.services import audit, paging, transactional
from backend.services.patients import check_filter, is_id
from ml import phrases

DECISIONS = {"approve": "approved", "modify": "modified", "reject": "rejected"}
APPLIED = ("auto_applied", "approved", "modified")


def to_dict(a: Adaptation, patient_name: str | None = None) -> dict:
    return {
        "id": a.id,
        "patient_id": a.patient_id,
        "patient_name": patient_name,
        "modality": a.modality,
        "date": a.local_date,
        "created_at": a.created_at,
        "trigger": a.trigger,
        "policy": a.policy,
        "model_version": a.model_version,
        "current_level": a.current_level,
        "proposed_level": a.proposed_level,
        "step": a.proposed_level - a.current_level,
        "candidates": a.candidates,
        "reason_codes": a.reason_codes,
        "top_features": a.top_features,
        "explanation": a.explanation,
        "clinical_summary": phrases.physio_summary(
            a.reason_codes or (), [(f["name"], f["contribution"]) for f in a.top_features or ()]
        ),
        "reasons_clinical": [phrases.reason(c) for c in a.reason_codes or ()],
        "factors_clinical": [
            phrases.factor(f["name"], f["contribution"]) for f in a.top_features or ()
        ],
        "status": a.status,
        "applied_level": a.applied_level,
        "lighter": a.lighter,
        "decided_by": a.decided_by,
        "decided_at": a.decided_at,
        "note": a.note,
    }


def _urgency():
    """Most urgent first: big steps, then step-ups (step-downs already applied), then oldest."""
    step = Adaptation.proposed_level - Adaptation.current_level
    big = case((step > 1, 0), (step < -1, 0), else_=1)
    return [(big, False), (step, True), (Adaptation.created_at, False), (Adaptation.id, False)]


@transactional
def list_for_clinic(
    actor: Actor,
    status: str | None = "pending",
    patient_id: str | None = None,
    limit: int = 100,
    cursor: str | None = None,
) -> dict:
    """The review queue (or the history, newest first) of the clinician's clinic, a page
    after `cursor`."""
    query = (
        select(Adaptation, User.display_name)
        .join(Patient, Patient.id == Adaptation.patient_id)
        .join(User, User.id == Patient.user_id)
        .where(Adaptation.clinic_id == actor.clinic_id)
    )
    if status:
        query = query.where(Adaptation.status == status)
    check_filter(actor, patient_id)
    if patient_id:
        query = query.where(Adaptation.patient_id == patient_id)
    newest = [(Adaptation.created_at, True), (Adaptation.id, True)]
    order = _urgency() if status == "pending" else newest
    rows, next_cursor = paging.keyset(query, order, Adaptation.id, cursor, limit)
    audit.record(actor, "adaptations.read", patient_id, f"{len(rows)} records, status={status}")
    return paging.page([to_dict(a, name) for a, name in rows], next_cursor)


@transactional
def decide(
    actor: Actor, adaptation_id: str, decision: str, level: int | None, note: str | None
) -> dict:
    """Approve, modify (choose a level inside the prescription) or reject a pending proposal."""
    adaptation = db.session.get(Adaptation, adaptation_id) if is_id(adaptation_id) else None
    if adaptation is None:
        raise NotFound("No such adaptation.")
    if adaptation.clinic_id != actor.clinic_id:
        what = f"adaptation={adaptation.id}"
        audit.denied(actor, adaptation.clinic_id, adaptation.patient_id, what)
        raise NotFound("No such adaptation.")
    if adaptation.status != "pending":
        raise Conflict(f"This proposal was already {adaptation.status.replace('_', ' ')}.")
    if decision not in DECISIONS:
        raise Invalid(
            "Unknown decision.", {"json": {"decision": ["Use approve, modify or reject."]}}
        )
    if decision == "modify":
        _check_level(adaptation, level)
        adaptation.applied_level = level
    elif decision == "approve":
        adaptation.applied_level = adaptation.proposed_level
    else:
        adaptation.applied_level = None
    adaptation.status = DECISIONS[decision]
    adaptation.decided_by = actor.user_id
    adaptation.decided_at = clock.now()
    adaptation.note = note
    audit.record(
        actor,
        f"adaptation.{decision}",
        adaptation.patient_id,
        f"{adaptation.modality}: {adaptation.current_level}->{adaptation.applied_level}",
    )
    patient = db.session.get(Patient, adaptation.patient_id)
    return to_dict(adaptation, patient.user.display_name)


def _check_level(adaptation: Adaptation, level: int | None) -> None:
    """A modified level must lie inside the physio's current prescription for the modality."""
    if level is None:
        raise Invalid("Choose a level.", {"json": {"level": ["Required when modifying."]}})
    patient = db.session.get(Patient, adaptation.patient_id)
    ranges = {m["modality"]: m for m in (patient.prescription or {}).get("modalities", [])}
    allowed = ranges.get(adaptation.modality)
    if allowed is None or not allowed["min_level"] <= level <= allowed["max_level"]:
        bounds = (
            f"{allowed['min_level']}-{allowed['max_level']}"
            if allowed
            else "none (modality not prescribed)"
        )
        raise Invalid(
            "Level outside the prescription.", {"json": {"level": [f"Allowed levels: {bounds}."]}}
        )
    if allowed.get("locked_level") is not None and level != allowed["locked_level"]:
        raise Invalid(
            "The level is locked.", {"json": {"level": [f"Locked at {allowed['locked_level']}."]}}
        )
