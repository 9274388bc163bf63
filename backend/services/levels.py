"""The patient's current intensity level per modality."""

from __future__ import annotations

from datetime import date
from typing import NamedTuple

from sqlalchemy import case, func, select

from backend.extensions import db
from backend.models import Adaptation, Patient

APPLIED = ("auto_applied", "approved", "modified")


class InForce(NamedTuple):
    levels: dict[str, int]  # per prescribed modality
    versions: dict[str, str | None]  # the model version that set it
    notes: dict[str, str]  # why it changed lately (see levels_in_force)
    lighter: frozenset[str]  # modalities the coach serves lighter at their level


def current_levels(patient: Patient) -> dict[str, int]:
    """Level in force per prescribed modality (see levels_in_force)."""
    return levels_in_force(patient).levels


def levels_in_force(patient: Patient, changes_since: date | None = None) -> InForce:
    """Level, model version that set it, note and lighter flag per prescribed modality; the note
    explains the latest change (of level, or to a lighter session) decided on or after
    `changes_since`.

    The latest applied adaptation (auto-applied, approved or modified) wins; without one, the
    physio's start level or the minimum. Whatever the history, the result is clipped to the
    prescription as it is now, and a locked level is always the level (and never lighter).
    """
    prescribed = {m["modality"]: m for m in (patient.prescription or {}).get("modalities", [])}
    if not prescribed:
        return InForce({}, {}, {}, frozenset())
    effective_at = func.coalesce(Adaptation.decided_at, Adaptation.created_at)
    rows = db.session.execute(
        select(
            Adaptation.modality,
            Adaptation.applied_level,
            Adaptation.model_version,
            Adaptation.explanation,
            Adaptation.current_level,
            Adaptation.local_date,
            Adaptation.lighter,
        )
        .where(Adaptation.patient_id == patient.id, Adaptation.status.in_(APPLIED))
        # Ties (same instant): a physio's decision beats an automatic one, then the later day.
        .order_by(
            effective_at.desc(),
            case((Adaptation.decided_at.is_not(None), 0), else_=1),
            Adaptation.local_date.desc(),
            Adaptation.id.desc(),
        )
        .limit(50)
    ).all()
    latest: dict[str, tuple] = {}
    notes: dict[str, str] = {}
    for modality, level, version, explanation, before, on, eased in rows:
        is_latest = modality not in latest
        latest.setdefault(modality, (level, version, eased))
        changed = level != before or (eased and is_latest)
        if changes_since and on >= changes_since and changed and modality not in notes:
            notes[modality] = explanation
    levels, versions, lighter = {}, {}, set()
    for modality, item in prescribed.items():
        if item.get("locked_level") is not None:
            levels[modality] = item["locked_level"]
            continue
        level, versions[modality], eased = latest.get(modality, (None, None, False))
        level = level or item.get("start_level") or item["min_level"]
        levels[modality] = max(item["min_level"], min(item["max_level"], level))
        if eased and levels[modality] == level:  # the level it eased still stands
            lighter.add(modality)
    return InForce(levels, versions, notes, frozenset(lighter))
