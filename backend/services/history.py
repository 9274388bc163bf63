"""A patient's days as canonical log records (TOLERANCE_MODEL.md import format), for the model."""

from __future__ import annotations

import statistics
from collections import defaultdict
from datetime import date, timedelta

from sqlalchemy import select

from backend.domain.vocabulary import BONE_SITES
from backend.extensions import db
from backend.models import CheckIn, ExerciseSession, Patient, SessionLog
from backend.services.training import cr10

VISCERAL = ("lung", "liver", "gi", "lymph_nodes", "skin")


def _flags(patient: Patient) -> dict:
    sites = {lesion["site"] for lesion in (patient.clinical or {}).get("lesions", [])}
    return {
        "met_bone": int(bool(sites & set(BONE_SITES))),
        "met_visceral": int(bool(sites & set(VISCERAL))),
        "met_brain": int("brain" in sites),
    }


def _main_target(session: ExerciseSession, modality: str) -> float | None:
    targets = [
        b["dose"]["target_rpe"]
        for b in session.blocks
        if b["part"] == "main" and b["modality"] == modality
    ]
    return statistics.mean(targets) if targets else None


def records(patients: list[Patient], start: date, end: date) -> list[dict]:
    """One record per patient-day with a check-in or a logged session, oldest first."""
    ids = [p.id for p in patients]
    by_id = {p.id: p for p in patients}
    check_ins = db.session.scalars(
        select(CheckIn)
        .where(CheckIn.patient_id.in_(ids), CheckIn.local_date >= start, CheckIn.local_date <= end)
        .order_by(CheckIn.at)
    )
    days: dict[tuple[str, date], dict] = defaultdict(dict)
    for c in check_ins:  # the latest check-in of a day wins
        days[(c.patient_id, c.local_date)].update(
            fatigue=c.fatigue, pain=c.pain, sleep_quality=c.sleep_quality
        )
    logged = db.session.execute(
        select(ExerciseSession, SessionLog)
        .join(SessionLog, SessionLog.session_id == ExerciseSession.id)
        .where(
            ExerciseSession.patient_id.in_(ids),
            ExerciseSession.local_date >= start,
            ExerciseSession.local_date <= end,
        )
    )
    for session, log in logged:
        if log.minutes <= 0:
            continue  # nothing was done: a rest day for the model (the import format needs minutes > 0)
        modality = session.modalities[0] if session.modalities else None
        stopped = bool(log.stopped_early_reason)
        days[(session.patient_id, session.local_date)].update(
            session_minutes=log.minutes,
            session_rpe=cr10(log.session_rpe, log.rpe_scale),
            rpe_scale="cr10",
            session_load=round(log.minutes * cr10(log.session_rpe, log.rpe_scale), 2),
            completed=int(log.completed and not stopped),
            stopped_early=int(stopped),
            adverse_event=int(bool(log.adverse_event)),
            fatigue_after=log.fatigue_after,
            pain_after=log.pain_after,
            modality=modality,
            level=(session.levels or {}).get(modality) if modality else None,
            target_rpe=_main_target(session, modality) if modality else None,
            planned_load=session.planned_load,
        )
    out = []
    for (patient_id, day), values in sorted(days.items(), key=lambda kv: (kv[0][0], kv[0][1])):
        out.append(_record(by_id[patient_id], day, values))
    return out


def _record(patient: Patient, day: date, values: dict) -> dict:
    calendar = (patient.clinical or {}).get("calendar", {})
    infusions = set(calendar.get("infusions", [])) | set(calendar.get("high_dose_infusions", []))
    return {
        "patient_id": patient.id,
        "date": day.isoformat(),
        "fatigue": None,
        "pain": None,
        "session_minutes": None,
        "session_rpe": None,
        "rpe_scale": None,
        "session_load": None,
        "completed": None,
        "stopped_early": None,
        "modality": None,
        "level": None,
        "infusion": int(day.isoformat() in infusions),
        **_flags(patient),
        **values,
    }


def today_record(patient: Patient, day: date, check_in: CheckIn | None) -> dict:
    """The decision day: its check-in (if any) and no session yet (the dose is the candidate's)."""
    values = {}
    if check_in is not None:
        values.update(
            fatigue=check_in.fatigue, pain=check_in.pain, sleep_quality=check_in.sleep_quality
        )
    return _record(patient, day, values)


def window(day: date, days: int = 90) -> tuple[date, date]:
    return day - timedelta(days=days), day
