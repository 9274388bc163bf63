"""A patient's last weeks as daily series: how they felt, what they did, at which level."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, or_, select

from backend import clock
from backend.domain import vocabulary as v
from backend.domain.sessions import shown_status
from backend.extensions import db
from backend.models import Adaptation, CheckIn, ExerciseSession, Patient, SessionLog
from backend.security import Actor
from backend.services import audit, content, questionnaires, transactional
from backend.services.adaptations import APPLIED
from backend.services.patients import load_patient
from backend.services.training import cr10

DEFAULT_WEEKS = 12
MAX_WEEKS = 52
ATTENDED = ("completed", "partial", "stopped")  # a stopped session was still turned up for
REVIEWED = ("pending", "approved", "modified", "rejected")


def is_change(a: Adaptation) -> bool:
    """A decision worth showing: the level moved, or a physio was (or is to be) asked.

    The coach records a 'stay at this level' decision after every check-in and log; those are
    kept in the database but would drown the timeline and the charts. Nor is a proposal
    replaced by a newer one before anyone decided: it changed nothing and nobody decided it.
    """
    if a.status == "superseded":
        return False
    return a.proposed_level != a.current_level or a.status in REVIEWED


def is_due(session: ExerciseSession, today: date) -> bool:
    """Did this day ask for exercise? A planned session only once its day is over."""
    return shown_status(session.status, session.local_date, today) in (*ATTENDED, "missed")


@dataclass(frozen=True)
class Window:
    """The rows behind a patient's trends, read once and shared by the charts and the history."""

    patient: Patient
    start: date
    end: date
    check_ins: list  # CheckIn rows, oldest first (the latest of a day wins)
    sessions: list  # (ExerciseSession, SessionLog | None), oldest first
    adaptations: list  # Adaptation rows proposed or decided inside the window, oldest first
    levels_before: dict[str, int]  # the level in force per modality when the window opens
    questionnaires: list = ()  # ESAS-r responses inside the window, oldest first


def _local_day(moment: datetime, zone: ZoneInfo) -> date:
    return moment.astimezone(zone).date()


def _effective_at():
    return func.coalesce(Adaptation.decided_at, Adaptation.created_at)


def sessions_with_logs(patient_ids, since: date) -> list:
    """(session, log) pairs of these patients from `since`, oldest first."""
    return db.session.execute(
        select(ExerciseSession, SessionLog)
        .outerjoin(SessionLog, SessionLog.session_id == ExerciseSession.id)
        .where(ExerciseSession.patient_id.in_(patient_ids), ExerciseSession.local_date >= since)
        .order_by(ExerciseSession.local_date)
    ).all()


def load_window(patient: Patient, weeks: int = DEFAULT_WEEKS) -> Window:
    """Read `weeks` weeks (ending today in the patient's zone) of check-ins, sessions, decisions."""
    zone = ZoneInfo(patient.timezone)
    end = _local_day(clock.now(), zone)
    start = end - timedelta(days=weeks * 7 - 1)
    opens = datetime.combine(start, time(), zone).astimezone(UTC)
    check_ins = db.session.scalars(
        select(CheckIn)
        .where(CheckIn.patient_id == patient.id, CheckIn.local_date >= start)
        .order_by(CheckIn.at, CheckIn.id)
    ).all()
    sessions = [
        (s, log) for s, log in sessions_with_logs([patient.id], start) if s.local_date <= end
    ]
    decisions = db.session.scalars(
        select(Adaptation)
        .where(
            Adaptation.patient_id == patient.id,
            or_(Adaptation.created_at >= opens, _effective_at() >= opens),
        )
        .order_by(Adaptation.created_at, Adaptation.id)
    ).all()
    before = db.session.execute(
        select(Adaptation.modality, Adaptation.applied_level)
        .where(
            Adaptation.patient_id == patient.id,
            Adaptation.status.in_(APPLIED),
            _effective_at() < opens,
        )
        .order_by(_effective_at().desc(), Adaptation.id.desc())
        .limit(50)
    ).all()
    levels_before = _prescribed_start(patient)
    for modality, level in reversed(before):  # oldest first, so the latest wins
        if level is not None:
            levels_before[modality] = level
    return Window(
        patient,
        start,
        end,
        list(check_ins),
        sessions,
        list(decisions),
        levels_before,
        questionnaires.series(patient.id, start, end),
    )


def _prescribed_start(patient: Patient) -> dict[str, int]:
    return {
        m["modality"]: m.get("locked_level") or m.get("start_level") or m["min_level"]
        for m in (patient.prescription or {}).get("modalities", [])
    }


def _modalities(w: Window) -> list[str]:
    """Prescribed modalities plus any seen in the window, in the vocabulary's order."""
    seen = {m["modality"] for m in (w.patient.prescription or {}).get("modalities", [])}
    for s, _ in w.sessions:
        seen.update(k for k, level in (s.levels or {}).items() if level is not None)
    seen.update(a.modality for a in w.adaptations)
    return [m for m in v.MODALITIES if m in seen]


def _marker(a: Adaptation, zone: ZoneInfo) -> dict:
    applied = a.status in APPLIED and a.applied_level is not None
    return {
        "id": a.id,
        "date": a.local_date,
        "effective_date": _local_day(a.decided_at or a.created_at, zone) if applied else None,
        "modality": a.modality,
        "status": a.status,
        "current_level": a.current_level,
        "proposed_level": a.proposed_level,
        "applied_level": a.applied_level,
        "step": a.proposed_level - a.current_level,
    }


def _effort(log: SessionLog | None) -> float | None:
    return round(cr10(log.session_rpe, log.rpe_scale), 1) if log else None


def series(w: Window) -> dict:
    """Daily series (fatigue, pain, effort, load, level per modality, 7-day adherence)."""
    zone = ZoneInfo(w.patient.timezone)
    n_days = (w.end - w.start).days + 1
    days = [w.start + timedelta(days=i) for i in range(n_days)]
    check = {c.local_date: c for c in w.check_ins}  # ordered by time: the latest wins
    by_day = {s.local_date: (s, log) for s, log in w.sessions}
    modalities = _modalities(w)
    markers = [_marker(a, zone) for a in w.adaptations if is_change(a)]
    changes: dict[date, dict[str, int]] = {}
    for m in markers:
        if m["effective_date"] is not None:
            changes.setdefault(m["effective_date"], {})[m["modality"]] = m["applied_level"]
    carry = dict(w.levels_before)
    out = []
    for day in days:
        session, log = by_day.get(day, (None, None))
        used = (session.levels or {}) if session else {}
        shown = {}
        for m in modalities:
            # The level a session was served at is the truth for its day; a decision takes
            # effect from the day it was made (or the next day, if that day's session was served).
            if used.get(m) is not None:
                shown[m] = used[m]
                carry[m] = changes.get(day, {}).get(m, used[m])
            else:
                carry[m] = changes.get(day, {}).get(m, carry.get(m))
                shown[m] = carry[m]
        week = [by_day.get(day - timedelta(days=k)) for k in range(7)]
        due = [pair[0] for pair in week if pair and is_due(pair[0], w.end)]
        c = check.get(day)
        out.append(
            {
                "date": day,
                "fatigue": c.fatigue if c else None,
                "pain": c.pain if c else None,
                "check_in_status": c.status if c else None,
                "session_status": (
                    shown_status(session.status, session.local_date, w.end) if session else None
                ),
                "session_rpe": log.session_rpe if log else None,
                "rpe_scale": log.rpe_scale if log else None,
                "effort_cr10": _effort(log),
                "minutes": log.minutes if log else None,
                "session_load": log.session_load if log else None,
                "planned_load": session.planned_load if session else None,
                "levels": shown,
                "adherence_7d": (
                    round(sum(s.status in ATTENDED for s in due) / len(due), 3) if due else None
                ),
            }
        )
    return {
        "patient_id": w.patient.id,
        "timezone": w.patient.timezone,
        "from": w.start,
        "to": w.end,
        "weeks": n_days // 7,
        "modalities": modalities,
        "days": out,
        "adaptations": markers,
        "weekly_adherence": _weekly(w, days),
        "questionnaires": [_esas_point(r) for r in w.questionnaires],
    }


def _esas_point(row) -> dict:
    answer = questionnaires.as_dict(row)
    return {k: answer[k] for k in ("date", "week", "total", "physical", "emotional")}


def _weekly(w: Window, days: list[date]) -> list[dict]:
    by_day = {s.local_date: s for s, _ in w.sessions}
    weeks = []
    for i in range(0, len(days), 7):
        block = days[i : i + 7]
        due = [by_day[d] for d in block if d in by_day and is_due(by_day[d], w.end)]
        done = sum(s.status in ATTENDED for s in due)
        weeks.append(
            {
                "week_start": block[0],
                "week_end": block[-1],
                "due": len(due),
                "attended": done,
                "rate": round(done / len(due), 3) if due else None,
            }
        )
    return weeks


def _title(exercise_id: str | None) -> str | None:
    if exercise_id is None:
        return None
    exercise = content.current().catalog.exercises.get(exercise_id)
    return exercise.title if exercise else exercise_id


def session_summary(
    session: ExerciseSession, log: SessionLog | None, today: date | None = None
) -> dict:
    """A served session and what the patient logged, as the history lists it."""
    status = shown_status(session.status, session.local_date, today) if today else session.status
    return {
        "id": session.id,
        "date": session.local_date,
        "status": status,
        "verdict": session.verdict,
        "modalities": list(session.modalities or []),
        "levels": dict(session.levels or {}),
        "planned_load": session.planned_load,
        "explanation": session.explanation,
        "substitutions": [
            {"from": _title(pair[0]), "to": _title(pair[1])} for pair in session.substitutions or []
        ],
        "log": (
            {
                "completed": log.completed,
                "minutes": log.minutes,
                "session_rpe": log.session_rpe,
                "rpe_scale": log.rpe_scale,
                "effort_cr10": _effort(log),
                "session_load": log.session_load,
                "fatigue_after": log.fatigue_after,
                "pain_after": log.pain_after,
                "adverse_event": log.adverse_event,
                "stopped_early_reason": log.stopped_early_reason,
            }
            if log
            else None
        ),
    }


def history(w: Window) -> list[dict]:
    """The window's sessions, newest first: every served, missed, blocked or stopped one (rest
    days are left out), with substitutions."""
    return [session_summary(s, log, w.end) for s, log in reversed(w.sessions) if s.status != "rest"]


@transactional
def trends(actor: Actor, patient_id: str, weeks: int = DEFAULT_WEEKS) -> dict:
    """The patient's daily series for the last `weeks` weeks (clinicians of their clinic only)."""
    patient = load_patient(actor, patient_id)
    weeks = max(1, min(MAX_WEEKS, weeks))
    audit.record(actor, "trends.read", patient.id, f"{weeks} weeks")
    return series(load_window(patient, weeks))
