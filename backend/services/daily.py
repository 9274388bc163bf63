"""A patient's day: check in, get today's session, log it. Always scoped to the signed-in patient."""

from __future__ import annotations

import hashlib
import json
import statistics
from dataclasses import replace
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from backend import clock
from backend.domain import records, zones
from backend.domain.planner import WeekEntry, plan_session
from backend.domain.safety import evaluate, holding_codes, red_flag_codes
from backend.domain.sessions import LOGGED, shown_status
from backend.domain.vocabulary import VITALS
from backend.errors import Conflict, Invalid, NotFound
from backend.extensions import db
from backend.models import Alert, CheckIn, ExerciseSession, Patient, SessionLog
from backend.security import Actor
from backend.services import (
    alerts,
    audit,
    coach,
    content,
    levels,
    load_cap,
    media,
    paging,
    transactional,
)
from backend.services.patient_inputs import domain_inputs, domain_prescription
from backend.services.patients import is_id, load_patient, zone_hold
from backend.services.training import cr10

BASELINE_DAYS = 14  # TOLERANCE_MODEL.md: rolling baseline = median of the last 14 days' check-ins


def local_date(patient: Patient) -> date:
    """Today in the patient's own time zone (held back after a change eastwards)."""
    return zones.patient_date(clock.now(), patient.timezone, zone_hold(patient))


def _as_check_in(row: CheckIn) -> records.CheckIn:
    return records.CheckIn(
        on=row.local_date,
        fatigue=row.fatigue,
        pain=row.pain,
        sleep_quality=row.sleep_quality,
        symptoms=frozenset(row.symptoms),
        temperature_c=row.temperature_c,
        pain_at_lesion=row.pain_at_lesion,
        **{name: getattr(row, name) for name in VITALS},
    )


def _recent_check_ins(patient_id: str, on: date) -> list[CheckIn]:
    since = on - timedelta(days=BASELINE_DAYS)
    query = (
        select(CheckIn)
        .where(
            CheckIn.patient_id == patient_id, CheckIn.local_date >= since, CheckIn.local_date <= on
        )
        .order_by(CheckIn.at)
    )
    return list(db.session.scalars(query))


def _baseline(check_ins: list[CheckIn], on: date, rows) -> records.Baseline:
    """Median of the latest check-in of each of the previous 14 days (today excluded), the
    last session's effort, and that session's pre-session scores (next-day response, §9)."""
    latest_per_day = {c.local_date: c for c in check_ins if c.local_date < on}
    days = list(latest_per_day.values())
    last = _last_logged(rows, on)
    before = next((c for c in check_ins if last and c.id == last[0].check_in_id), None)
    return records.Baseline(
        fatigue=statistics.median(c.fatigue for c in days) if days else None,
        pain=statistics.median(c.pain for c in days) if days else None,
        last_session_rpe_over_target=_over_target(last),
        pre_session_fatigue=before.fatigue if before else None,
        pre_session_pain=before.pain if before else None,
        recent_symptoms=tuple(
            ((clock.now() - c.at).total_seconds() / 3600, frozenset(c.symptoms or ()))
            for c in check_ins
            if c.local_date < on and c.symptoms
        ),
    )


def _recent_sessions(patient_id: str, on: date) -> list:
    """(session, log) pairs of the last 14 days and this week: the week's structure and the
    last session's effort both come from these rows."""
    since = min(on - timedelta(days=on.weekday() + 1), on - timedelta(days=BASELINE_DAYS))
    return db.session.execute(
        select(ExerciseSession, SessionLog)
        .outerjoin(SessionLog, SessionLog.session_id == ExerciseSession.id)
        .where(
            ExerciseSession.patient_id == patient_id,
            ExerciseSession.local_date >= since,
            ExerciseSession.local_date <= on,
        )
    ).all()


def _last_logged(rows, before: date):
    """The (session, log) pair of the last session logged before `before`, if any."""
    logged = [(s, log) for s, log in rows if log is not None and s.local_date < before]
    if not logged:
        return None
    return max(logged, key=lambda pair: (pair[0].local_date, pair[1].received_at))


def _over_target(last) -> float | None:
    """How far (CR-10 points) that session's effort was above its target."""
    if last is None:
        return None
    session, log = last
    targets = [b["dose"]["target_rpe"] for b in session.blocks if b["part"] == "main"]
    if not targets:
        return None
    return cr10(log.session_rpe, log.rpe_scale) - statistics.mean(targets)


def _verdict(patient: Patient, on: date, check_ins: list[CheckIn], rows):
    """The safety verdict for a day; `rows` are the recent (session, log) pairs."""
    profile, labs, calendar = domain_inputs(patient)
    todays = [c for c in check_ins if c.local_date == on]
    latest = todays[-1] if todays else None
    rules = content.current().rules
    baseline, care = _baseline(check_ins, on, rows), care_team_state(patient, rules)
    verdicts = [
        evaluate(profile, labs, calendar, _as_check_in(c) if c else None, on, baseline, rules, care)
        for c in (todays or [None])
    ]
    # A red check-in keeps the day red (fatigue 9, then 3 minutes later a 3, is no session
    # today: §9 RED "No session"); otherwise the latest check-in counts (a patient may
    # correct a slip between green and amber).
    reds = [v for v in verdicts if v.status == "red"]
    return (reds[-1] if reds else verdicts[-1]), latest


def todays_rules(patient: Patient) -> dict:
    """Every safety rule shaping the patient's session today, with its source: the served
    session's own, or, before it is planned, the verdict the app would get now."""
    on = local_date(patient)
    session = db.session.scalar(
        select(ExerciseSession).where(
            ExerciseSession.patient_id == patient.id, ExerciseSession.local_date == on
        )
    )
    if session is not None and session.reasons is not None:
        return {"date": on, "planned": True, "verdict": session.verdict, "reasons": session.reasons}
    verdict, _ = _verdict(
        patient, on, _recent_check_ins(patient.id, on), _recent_sessions(patient.id, on)
    )
    return {"date": on, "planned": False, "verdict": verdict.status, "reasons": _reasons(verdict)}


def care_team_state(patient: Patient, rules) -> records.CareTeamState:
    """Open holds and the latest decision on the patient's holding red flags (§5)."""
    holding = holding_codes(rules)
    alerts = [
        a
        for a in db.session.scalars(
            select(Alert).where(Alert.patient_id == patient.id, Alert.kind == "red_flag")
        )
        if any(r.get("code") in holding for r in a.reasons or [])
    ]
    waiting = [a.local_date for a in alerts if a.acknowledged_at is None or a.decision == "pause"]
    if waiting:
        return records.CareTeamState(held_since=min(waiting))
    decided = [a for a in alerts if a.decided_at is not None]
    latest = max(decided, key=lambda a: a.decided_at, default=None)
    if latest is not None and latest.decision == "resume_lighter":
        zone = ZoneInfo(patient.timezone)
        return records.CareTeamState(resumed_lighter_on=latest.decided_at.astimezone(zone).date())
    return records.CareTeamState()


def _reasons(verdict) -> list[dict]:
    return _rule_dicts(verdict.reasons)


def _rule_dicts(reasons) -> list[dict]:
    return [
        {
            "code": r.code,
            "message": r.message,
            "severity": r.severity,
            "source": r.source,
            "quote": r.quote,
        }
        for r in reasons
    ]


# ---------- check-ins ----------
def check_in(actor: Actor, data: dict, key: str | None = None) -> dict:
    """Record a check-in and judge its day; red alerts the patient's clinicians at once.

    With an Idempotency-Key a replay gets the stored answer (an offline queue synced twice).
    """
    result = _record_check_in(actor, data, key)
    if result["alert_id"]:
        # After the commit: the alert exists even if a channel fails (the dispatcher retries,
        # and the escalation job notices an alert nobody was told about).
        alerts.notify_red_flag(result["alert_id"])
    return result


def offline_window(on: date, today: date, what: str, field: str, location: str = "json") -> None:
    """Refuse work for a day older than the offline window (ONWARD_OFFLINE_WINDOW_DAYS)."""
    days = current_app.config["OFFLINE_WINDOW_DAYS"]
    if on < today - timedelta(days=days):
        message = (
            f"This {what} is for {on.isoformat()}, more than {days} days ago; offline work is "
            f"accepted for {days} days. Please tell your physiotherapist instead."
        )
        raise Invalid(message, {location: {field: [message]}})


def _check_in_answer(row: CheckIn, emergency: bool, alert_id: str | None) -> dict:
    return {
        "id": row.id,
        "date": row.local_date,
        "status": row.status,
        "reasons": row.reasons,
        "advice": row.advice,
        "emergency": emergency,
        "alert_id": alert_id,
    }


def _check_in_replay(key: str, patient_id: str, digest: str) -> dict | None:
    row = db.session.scalar(
        select(CheckIn).where(CheckIn.patient_id == patient_id, CheckIn.idempotency_key == key)
    )
    if row is None:
        return None
    if row.request_hash != digest:
        raise Conflict("This Idempotency-Key was already used for a different check-in.")
    urgent = {r.code for r in content.current().rules.all_rules() if r.emergency}
    return _check_in_answer(row, any(r["code"] in urgent for r in row.reasons), None)


@transactional
def _record_check_in(actor: Actor, data: dict, key: str | None) -> dict:
    patient = load_patient(actor, actor.patient_id or "")
    digest = _digest("check-in", data)
    replay = _check_in_replay(key, patient.id, digest) if key else None
    if replay is not None:
        return replay
    known = red_flag_codes(content.current().rules)
    unknown = {
        i: [f"Unknown symptom code '{s}'."]
        for i, s in enumerate(data["symptoms"])
        if s not in known
    }
    if unknown:
        raise Invalid("Unknown symptom codes.", {"json": {"symptoms": unknown}})
    today = local_date(patient)
    on = data.get("date") or today
    if on > today:
        raise Invalid("That day has not started yet.", {"json": {"date": ["Not after today."]}})
    offline_window(on, today, "check-in", "date")
    row = CheckIn(
        patient_id=patient.id,
        local_date=on,
        at=clock.now(),
        fatigue=data["fatigue"],
        pain=data["pain"],
        sleep_quality=data.get("sleep_quality"),
        symptoms=sorted(set(data["symptoms"])),
        temperature_c=data.get("temperature_c"),
        pain_at_lesion=data.get("pain_at_lesion", False),
        **{name: data.get(name) for name in VITALS},
        status="green",
        reasons=[],
        advice="",
        rules_version=content.current().rules.version,
        idempotency_key=key,
        request_hash=digest if key else None,
    )
    try:
        with db.session.begin_nested():
            db.session.add(row)
    except IntegrityError:
        # A concurrent replay of the same key won the race; answer as it was answered.
        return _check_in_replay(key, patient.id, digest)
    verdict, _ = _verdict(
        patient, on, _recent_check_ins(patient.id, on), _recent_sessions(patient.id, on)
    )
    row.status, row.reasons, row.advice = verdict.status, _reasons(verdict), verdict.advice
    # A day held by an earlier red flag is red too, but only a new red reason is a new alert.
    # Standing states (the hold, a missing clearance, a recorded condition) are not events.
    # A red flag synced late still alerts: the team must know, whatever the day.
    alert_id = _open_alert(patient, row) if verdict.new_red_flag else None
    if on == today:  # a past day's check-in (synced late) decides no levels: its day is over
        coach.after_check_in(patient, row, verdict)
    return _check_in_answer(row, bool(getattr(verdict, "emergency", False)), alert_id)


@transactional
def list_check_ins(actor: Actor, limit: int, cursor: str | None) -> dict:
    """The patient's check-ins, newest day first (a late-synced one sits at its own day),
    latest first within a day; `cursor` is the last id of the previous page."""
    patient = load_patient(actor, actor.patient_id or "")
    query = select(CheckIn).where(CheckIn.patient_id == patient.id)
    after = None
    if cursor:
        last = db.session.get(CheckIn, cursor)
        if last is None or last.patient_id != patient.id:
            raise Invalid(
                "Unknown cursor.", {"query": {"cursor": ["Not a cursor from this list."]}}
            )
        after = (last.local_date, last.at, last.id)
    columns = (CheckIn.local_date, CheckIn.at, CheckIn.id)
    page, next_cursor = paging.newest_first(query, columns, after, limit)
    return {"items": [_check_in_entry(c) for c in page], "next_cursor": next_cursor}


def _check_in_entry(row: CheckIn) -> dict:
    return {
        "id": row.id,
        "date": row.local_date,
        "at": row.at,
        "status": row.status,
        "reasons": row.reasons,
        "advice": row.advice,
        "fatigue": row.fatigue,
        "pain": row.pain,
        "sleep_quality": row.sleep_quality,
        "symptoms": row.symptoms,
        "temperature_c": row.temperature_c,
        "pain_at_lesion": row.pain_at_lesion,
        **{name: getattr(row, name) for name in VITALS},
    }


def _open_alert(patient: Patient, check_in_row: CheckIn) -> str:
    """One open red-flag alert per patient per day; a later red check-in adds its reasons."""
    alert = db.session.scalar(
        select(Alert).where(
            Alert.patient_id == patient.id,
            Alert.local_date == check_in_row.local_date,
            Alert.acknowledged_at.is_(None),
        )
    )
    red = [r for r in check_in_row.reasons if r["severity"] == "red"]
    if alert is None:
        alert = Alert(
            patient_id=patient.id,
            clinic_id=patient.clinic_id,
            kind="red_flag",
            check_in_id=check_in_row.id,
            local_date=check_in_row.local_date,
            opened_at=clock.now(),
            reasons=red,
        )
        db.session.add(alert)
        db.session.flush()
    else:
        seen = {r["code"] for r in alert.reasons}
        alert.reasons = alert.reasons + [r for r in red if r["code"] not in seen]
        alert.check_in_id = check_in_row.id
    return alert.id


# ---------- today's session ----------
@transactional
def today(actor: Actor) -> dict:
    """Today's session, planned from the latest check-in and re-planned until it is logged."""
    patient = load_patient(actor, actor.patient_id or "")
    return serve(patient, local_date(patient))


def serve(patient: Patient, on: date) -> dict:
    """Plan (or re-plan) the patient's session for a local date and store it."""
    rows = _recent_sessions(patient.id, on)
    existing = next(((s, log) for s, log in rows if s.local_date == on), None)
    if existing and existing[0].status in LOGGED:
        return session_dict(*existing, today=local_date(patient))
    verdict, latest = _verdict(patient, on, _recent_check_ins(patient.id, on), rows)
    plan, used_levels, model_version = _plan(patient, on, verdict, latest, rows)
    stored = _store(patient, on, plan, latest, used_levels, model_version, existing, verdict)
    return session_dict(stored, None, today=local_date(patient))


def _plan(patient, on, verdict, latest, rows):
    prescription = domain_prescription(patient)
    if prescription is None:
        plan = records.DailySession(
            on=on,
            verdict=verdict.status,
            blocks=(),
            explanation="Your physiotherapist has not set your programme yet. A gentle walk is fine if you feel up to it.",
            rest_day=True,
        )
        return plan, {}, None
    profile, _, _ = domain_inputs(patient)
    current, versions, notes, lighter = levels.levels_in_force(
        patient, changes_since=on - timedelta(days=1)
    )
    week = [
        WeekEntry(on=s.local_date, modalities=tuple(s.modalities), completed=s.status in LOGGED)
        for s, _log in rows
        if on - timedelta(days=on.weekday() + 1) <= s.local_date < on
    ]
    summary = f"fatigue {latest.fatigue}/10, pain {latest.pain}/10 this morning" if latest else None
    cap = content.current().rules.weekly_load_cap
    plan = plan_session(
        on=on,
        prescription=prescription,
        verdict=verdict,
        levels=current,
        week=week,
        catalog=content.current().catalog,
        profile=profile,
        check_in_summary=summary,
        lighter=lighter,
        load_ceilings=load_cap.ceilings((s for s, _log in rows), on),
    )
    note = " ".join(notes[m] for m in plan.modalities if m in notes)
    if plan.capped:
        note = f"{note} {cap.rule.message}".strip()
    if note and plan.blocks and plan.verdict != "red":
        plan = replace(plan, explanation=f"{plan.explanation} {note}")
    version = next((versions[m] for m in plan.modalities if versions.get(m)), None)
    return plan, {m: current.get(m) for m in plan.modalities}, version


def _block_dict(block: records.Block) -> dict:
    dose = {k: v for k, v in block.dose.__dict__.items()}
    return {
        "exercise_id": block.exercise_id,
        "title": block.title,
        "modality": block.modality,
        "part": block.part,
        "level": block.level,
        "dose": {**dose, "rpe_scale": "cr10"},
        "substituted_for": block.substituted_for,
    }


def _store(
    patient, on, plan, latest, used_levels, model_version, existing, verdict
) -> ExerciseSession:
    now = clock.now()
    status = (
        "blocked"
        if plan.verdict == "red"
        else ("rest" if plan.rest_day or not plan.blocks else "planned")
    )
    c = content.current()
    cap = c.rules.weekly_load_cap
    fields = {
        "status": status,
        "verdict": plan.verdict,
        "blocks": [_block_dict(b) for b in plan.blocks],
        "modalities": list(plan.modalities),
        "substitutions": [list(pair) for pair in plan.substitutions],
        "levels": used_levels,
        "explanation": plan.explanation,
        "reasons": _reasons(verdict) + (_rule_dicts([cap.rule]) if plan.capped else []),
        "planned_load": round(plan.planned_load, 2),
        "check_in_id": latest.id if latest else None,
        "content_version": c.catalog.version,
        "rules_version": c.rules.version,
        "model_version": model_version,
    }
    if existing:
        session = existing[0]
        if any(getattr(session, k) != v for k, v in fields.items()):
            for key, value in fields.items():
                setattr(session, key, value)
            session.revision += 1
            session.updated_at = now
        return session
    session = ExerciseSession(
        patient_id=patient.id, local_date=on, revision=1, created_at=now, updated_at=now, **fields
    )
    try:
        with db.session.begin_nested():
            db.session.add(session)
    except IntegrityError:
        # A concurrent request planned the same day first: serve that one.
        session = db.session.scalar(
            select(ExerciseSession).where(
                ExerciseSession.patient_id == patient.id, ExerciseSession.local_date == on
            )
        )
    return session


def session_dict(session: ExerciseSession, log: SessionLog | None, today: date) -> dict:
    """A session as the app shows it on the patient's `today` (a past unlogged day is missed)."""
    return {
        "id": session.id,
        "date": session.local_date,
        "status": shown_status(session.status, session.local_date, today),
        "verdict": session.verdict,
        "blocks": [_presented_block(b) for b in session.blocks],
        "modalities": session.modalities,
        "levels": session.levels,
        "explanation": session.explanation,
        "planned_load": session.planned_load,
        "versions": {
            "content": session.content_version,
            "rules": session.rules_version,
            "model": session.model_version,
        },
        "reasons": session.reasons or [],
        "check_in": _check_in_state(session),
        "held": _has_reason(session, content.current().rules.care_team_hold.code),
        "log": log_dict(log, session) if log else None,
    }


def _presented_block(block: dict) -> dict:
    """A stored block with what the app shows beside the dose, from the library: the
    instructions, this level's description, the safety cues and the media."""
    exercise = content.current().catalog.exercises.get(block["exercise_id"])
    level = exercise.dose_at(block["level"]) if exercise else None
    return {
        **block,
        "instructions": exercise.instructions if exercise else None,
        "level_description": level.description if level else None,
        "safety_cues": list(exercise.safety_cues) if exercise else [],
        "media": media.for_exercise(exercise),
    }


def _has_reason(session: ExerciseSession, code: str) -> bool:
    return any(r.get("code") == code for r in session.reasons or [])


def _check_in_state(session: ExerciseSession) -> dict:
    """Whether today's check-in shaped the session; without one, checking in may unlock more."""
    missing = _has_reason(session, content.current().rules.check_in_missing.code)
    done = session.check_in_id is not None and not missing
    return {
        "done": done,
        "id": session.check_in_id if done else None,
        "status": session.verdict if done else None,
        "unlocks_full_session": not done and session.status not in LOGGED,
    }


@transactional
def history(
    actor: Actor, start: date | None, end: date | None, limit: int, before: date | None
) -> list[dict]:
    """Past sessions with their logs, newest first."""
    patient = load_patient(actor, actor.patient_id or "")
    query = (
        select(ExerciseSession, SessionLog)
        .outerjoin(SessionLog, SessionLog.session_id == ExerciseSession.id)
        .where(ExerciseSession.patient_id == patient.id)
    )
    if start:
        query = query.where(ExerciseSession.local_date >= start)
    if end:
        query = query.where(ExerciseSession.local_date <= end)
    if before:
        query = query.where(ExerciseSession.local_date < before)
    query = query.order_by(ExerciseSession.local_date.desc()).limit(limit)
    today = local_date(patient)
    return [session_dict(s, log, today) for s, log in db.session.execute(query)]


# ---------- logs ----------
def _digest(session_id: str, body: dict) -> str:
    canonical = json.dumps({"session_id": session_id, **body}, sort_keys=True, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def log_dict(log: SessionLog, session: ExerciseSession) -> dict:
    return {
        "id": log.id,
        "session_id": log.session_id,
        "performed_on": log.performed_on,
        "received_at": log.received_at,
        "completed": log.completed,
        "minutes": log.minutes,
        "session_rpe": log.session_rpe,
        "rpe_scale": log.rpe_scale,
        "session_load": log.session_load,
        "fatigue_after": log.fatigue_after,
        "pain_after": log.pain_after,
        "blocks": log.blocks,
        "adverse_event": log.adverse_event,
        "stopped_early_reason": log.stopped_early_reason,
        "status": session.status,
    }


def _replay(key: str, patient_id: str, digest: str) -> dict | None:
    """The stored answer for a replayed request, or Conflict if the key was used for another body."""
    found = db.session.execute(
        select(SessionLog, ExerciseSession)
        .join(ExerciseSession, ExerciseSession.id == SessionLog.session_id)
        .where(SessionLog.patient_id == patient_id, SessionLog.idempotency_key == key)
    ).first()
    if found is None:
        return None
    log, session = found
    if log.request_hash != digest:
        raise Conflict("This Idempotency-Key was already used for a different log.")
    return log_dict(log, session)


@transactional
def log_session(actor: Actor, session_id: str, key: str, body: dict) -> dict:
    """Store a session log once per key: a replay gets the same answer, another body under the key 409."""
    patient = load_patient(actor, actor.patient_id or "")
    session = db.session.get(ExerciseSession, session_id) if is_id(session_id) else None
    if session is None:
        raise NotFound("No such session.")
    if session.patient_id != patient.id:
        owner = db.session.get(Patient, session.patient_id)
        audit.denied(actor, owner.clinic_id, owner.id, f"session={session.id}")
        raise NotFound("No such session.")
    digest = _digest(session_id, body)
    replay = _replay(key, patient.id, digest)
    if replay is not None:
        return replay
    offline_window(session.local_date, local_date(patient), "log", "session_id", "path")
    _check_log(session, body)
    log = SessionLog(
        patient_id=patient.id,
        session_id=session.id,
        idempotency_key=key,
        request_hash=digest,
        performed_on=session.local_date,  # a log synced days later keeps the day it was done
        received_at=clock.now(),
        completed=body["completed"],
        minutes=body["minutes"],
        session_rpe=body["session_rpe"],
        rpe_scale=body["rpe_scale"],
        session_load=round(body["minutes"] * cr10(body["session_rpe"], body["rpe_scale"]), 2),
        fatigue_after=body.get("fatigue_after"),
        pain_after=body.get("pain_after"),
        blocks=body.get("blocks", []),
        adverse_event=body.get("adverse_event"),
        stopped_early_reason=body.get("stopped_early_reason"),
    )
    try:
        with db.session.begin_nested():
            db.session.add(log)
    except IntegrityError:
        # A concurrent replay of the same key won the race; answer as it was answered.
        replay = _replay(key, patient.id, digest)
        if replay is not None:
            return replay
        raise Conflict("This session has already been logged.") from None
    if body.get("stopped_early_reason") or body.get("adverse_event"):
        session.status = "stopped"
    else:
        session.status = "completed" if body["completed"] else "partial"
    session.updated_at = clock.now()
    coach.after_log(patient, session, log)
    return log_dict(log, session)


def _check_log(session: ExerciseSession, body: dict) -> None:
    # "Already logged" is left to the unique constraints: a pre-check would race with a
    # concurrent replay that commits between it and the insert.
    if session.status == "blocked":
        raise Conflict(
            "This session was paused for your safety; please contact your physiotherapist."
        )
    served = {b["exercise_id"] for b in session.blocks}
    unknown = {
        i: ["This exercise was not in the session."]
        for i, b in enumerate(body.get("blocks", []))
        if b["exercise_id"] not in served
    }
    if unknown:
        raise Invalid(
            "The log names exercises that were not in the session.", {"json": {"blocks": unknown}}
        )
