"""The physiotherapist's review: red-flag alerts, the proposal queue, one patient's overview.

Everything is scoped to the actor's clinic; a record of another clinic is a 404. The caseload
with its urgency order lives in services.caseload.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.orm import aliased

from backend import clock
from backend.errors import Conflict, Invalid, NotFound
from backend.extensions import db
from backend.models import Adaptation, Alert, CheckIn, Patient, User
from backend.security import Actor
from backend.services import adaptations, audit, daily, levels, patients, transactional, trends
from backend.services.caseload import rate

ATTENDED = trends.ATTENDED
QUEUE_LIMIT = 200
# A routine progression is one a physio approves without reading the case: the patient is
# doing the programme as prescribed. [derived] thresholds, stated on the review page.
ROUTINE_MIN_ADHERENCE = 0.8  # sessions done / due over 28 days
ROUTINE_CLEAN_DAYS = 7  # no missed or stopped session in the last week


def _within(use_case):
    """A use case without its own commit, so it joins the caller's transaction."""
    return use_case.__wrapped__


# ---------- alerts ----------
def _alert_dict(
    alert: Alert,
    patient_name: str,
    acknowledged_by_name: str | None,
    contact: tuple[str | None, str | None] = (None, None),
) -> dict:
    return {
        "id": alert.id,
        "patient_id": alert.patient_id,
        "patient_name": patient_name,
        # How to reach the patient about it (the card's "phoned the patient").
        "patient_phone": contact[0],
        "patient_prefers": contact[1],
        "kind": alert.kind,
        "date": alert.local_date,
        "opened_at": alert.opened_at,
        "reasons": [
            {"code": r.get("code"), "message": r.get("message"), "severity": r.get("severity")}
            for r in alert.reasons or []
        ],
        "status": "open" if alert.acknowledged_at is None else "acknowledged",
        "acknowledged_at": alert.acknowledged_at,
        "acknowledged_by": alert.acknowledged_by,
        "acknowledged_by_name": acknowledged_by_name,
        "note": alert.note,
        "decision": alert.decision,
        "decided_at": alert.decided_at,
        "escalated_at": alert.escalated_at,
    }


def alert_rows(clinic_id: str, status: str, patient_id: str | None, limit: int) -> list[dict]:
    acknowledger = aliased(User)
    query = (
        select(
            Alert,
            User.display_name,
            acknowledger.display_name,
            Patient.phone,
            Patient.preferred_contact,
        )
        .join(Patient, Patient.id == Alert.patient_id)
        .join(User, User.id == Patient.user_id)
        .outerjoin(acknowledger, acknowledger.id == Alert.acknowledged_by)
        .where(Alert.clinic_id == clinic_id)
    )
    if patient_id:
        query = query.where(Alert.patient_id == patient_id)
    if status == "open":
        # The one waiting longest is the most urgent.
        query = query.where(Alert.acknowledged_at.is_(None)).order_by(Alert.opened_at, Alert.id)
    elif status == "acknowledged":
        query = query.where(Alert.acknowledged_at.is_not(None)).order_by(
            Alert.acknowledged_at.desc(), Alert.id
        )
    else:
        raise Invalid("status must be open or acknowledged.")
    rows = db.session.execute(query.limit(limit)).all()
    return [
        _alert_dict(alert, name, by, (phone, prefers)) for alert, name, by, phone, prefers in rows
    ]


@transactional
def list_alerts(
    actor: Actor, status: str = "open", patient_id: str | None = None, limit: int = 100
) -> list[dict]:
    """Red-flag alerts of the clinic: open ones longest-waiting first, or the acknowledged."""
    patients.check_filter(actor, patient_id)
    found = alert_rows(actor.clinic_id, status, patient_id, limit)
    audit.record(actor, "alerts.read", patient_id, f"{len(found)} alerts, status={status}")
    return found


DECISIONS = ("resume", "resume_lighter", "pause")


@transactional
def acknowledge(actor: Actor, alert_id: str, note: str, decision: str) -> dict:
    """Acknowledge a red flag with a note and a decision; audited with who and when.

    The decision says what happens to the patient's sessions (§5: held until cleared):
    resume, resume lighter (a week of lighter sessions) or pause (still held; a paused alert
    can be decided again later).
    """
    alert = db.session.get(Alert, alert_id) if patients.is_id(alert_id) else None
    if alert is None:
        raise NotFound("No such alert.")
    if alert.clinic_id != actor.clinic_id:
        audit.denied(actor, alert.clinic_id, alert.patient_id, f"alert={alert.id}")
        raise NotFound("No such alert.")
    note = (note or "").strip()
    if not note:
        raise Invalid("Add a note.", {"json": {"note": ["Say what you did about it."]}})
    if decision not in DECISIONS:
        raise Invalid(
            "Choose what happens to the patient's sessions.",
            {"json": {"decision": ["Choose resume, resume_lighter or pause."]}},
        )
    now = clock.now()
    # Two clinicians deciding at once: the conditional update lets exactly one win.
    won = db.session.execute(
        update(Alert)
        .where(
            Alert.id == alert.id,
            or_(Alert.acknowledged_at.is_(None), Alert.decision == "pause"),
        )
        .values(
            acknowledged_at=func.coalesce(Alert.acknowledged_at, now),
            acknowledged_by=func.coalesce(Alert.acknowledged_by, actor.user_id),
            note=note,
            decision=decision,
            decided_at=now,
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    if won != 1:
        db.session.refresh(alert)
        who = db.session.get(User, alert.acknowledged_by)
        raise Conflict(
            f"This alert was already acknowledged by {who.display_name if who else 'someone'} "
            f"at {alert.acknowledged_at:%H:%M} UTC on {alert.acknowledged_at:%d %b}."
        )
    db.session.refresh(alert)
    audit.record(
        actor, "alert.acknowledge", alert.patient_id, f"alert {alert.id} {decision}: {note[:200]}"
    )
    patient = db.session.get(Patient, alert.patient_id)
    me = db.session.get(User, actor.user_id)
    return _alert_dict(alert, patient.user.display_name, me.display_name if me else None)


# ---------- the review queue ----------
def routine_problem(
    proposal: dict, prescription: dict | None, open_red_flag: bool, recent: dict | None = None
) -> str | None:
    """Why a proposal is not a routine progression (None = routine: +1 inside the range, for
    a patient without a red flag who is doing the programme: see ROUTINE_*)."""
    if proposal["step"] != 1:
        return "not a one-level step up"
    if open_red_flag:
        return "the patient has an open red flag"
    ranges = {m["modality"]: m for m in (prescription or {}).get("modalities", [])}
    allowed = ranges.get(proposal["modality"])
    if allowed is None:
        return "the modality is no longer prescribed"
    if allowed.get("locked_level") is not None:
        return "the level is locked"
    if not allowed["min_level"] <= proposal["proposed_level"] <= allowed["max_level"]:
        return "outside the prescribed range"
    return _attendance_problem(recent) if recent is not None else None


def _attendance_problem(recent: dict) -> str | None:
    adherence = recent.get("adherence_28d")
    if adherence is not None and adherence < ROUTINE_MIN_ADHERENCE:
        return f"adherence {adherence:.0%} over 28 days (routine needs {ROUTINE_MIN_ADHERENCE:.0%})"
    today = recent["days"][-1]
    for session in recent["sessions"]:
        if (
            session["status"] in ("missed", "stopped")
            and (today - session["date"]).days < ROUTINE_CLEAN_DAYS
        ):
            return f"a session {session['status']} on {session['date']:%a %d %b}"
    return None


def level_choices(modality: str, prescription: dict | None) -> list[int]:
    """The levels a physio may choose when modifying (the prescription's range, or the lock)."""
    ranges = {m["modality"]: m for m in (prescription or {}).get("modalities", [])}
    allowed = ranges.get(modality)
    if allowed is None:
        return []
    if allowed.get("locked_level") is not None:
        return [allowed["locked_level"]]
    return list(range(allowed["min_level"], allowed["max_level"] + 1))


def _recent_data(patient_ids: set[str], now: datetime) -> dict[str, dict]:
    """Beside each proposal: 14 days of fatigue and pain, the last sessions and adherence."""
    if not patient_ids:
        return {}
    zones = dict(
        db.session.execute(
            select(Patient.id, Patient.timezone).where(Patient.id.in_(patient_ids))
        ).all()
    )
    todays = {pid: now.astimezone(ZoneInfo(z)).date() for pid, z in zones.items()}
    since = min(todays.values()) - timedelta(days=28)
    check_ins = db.session.execute(
        select(CheckIn.patient_id, CheckIn.local_date, CheckIn.fatigue, CheckIn.pain)
        .where(CheckIn.patient_id.in_(patient_ids), CheckIn.local_date >= since)
        .order_by(CheckIn.at)
    ).all()
    sessions = trends.sessions_with_logs(patient_ids, since)
    out = {}
    for pid, today in todays.items():
        days = [today - timedelta(days=n) for n in range(13, -1, -1)]
        latest = {d: (f, p) for p_id, d, f, p in check_ins if p_id == pid}
        mine = [(s, log) for s, log in sessions if s.patient_id == pid and s.local_date <= today]
        due = [
            s for s, _ in mine if trends.is_due(s, today) and s.local_date > today - timedelta(28)
        ]
        out[pid] = {
            "days": days,
            "fatigue": [latest.get(d, (None, None))[0] for d in days],
            "pain": [latest.get(d, (None, None))[1] for d in days],
            "sessions": [
                trends.session_summary(s, log, today)
                for s, log in sorted(mine, key=lambda pair: pair[0].local_date, reverse=True)
                if s.status != "rest"
            ][:5],
            "adherence_28d": rate(sum(s.status in ATTENDED for s in due), len(due)),
        }
    return out


def _level_history(patient_ids: set[str], now: datetime) -> dict[str, dict]:
    """Per patient and modality, the logged sessions at each level over 12 weeks (and how many
    were stopped early): the patient's own record beside each level's predicted risk."""
    if not patient_ids:
        return {}
    since = now.date() - timedelta(weeks=trends.DEFAULT_WEEKS)
    out: dict[str, dict] = {}
    for session, log in trends.sessions_with_logs(patient_ids, since):
        if log is None:
            continue
        for modality, level in (session.levels or {}).items():
            at = out.setdefault(session.patient_id, {}).setdefault(modality, {})
            done = at.setdefault(str(level), {"sessions": 0, "stopped": 0})
            done["sessions"] += 1
            done["stopped"] += session.status == "stopped"
    return out


def _decorate(proposals: list[dict], open_flags: set[str], now: datetime) -> list[dict]:
    ids = {p["patient_id"] for p in proposals}
    prescriptions = (
        dict(
            db.session.execute(
                select(Patient.id, Patient.prescription).where(Patient.id.in_(ids))
            ).all()
        )
        if ids
        else {}
    )
    recent = _recent_data(ids, now)
    history = _level_history(ids, now)
    for p in proposals:
        p["level_history"] = history.get(p["patient_id"], {}).get(p["modality"], {})
        prescription = prescriptions.get(p["patient_id"])
        p["recent"] = recent.get(p["patient_id"])
        p["not_routine_because"] = routine_problem(
            p, prescription, p["patient_id"] in open_flags, p["recent"]
        )
        p["routine"] = p["not_routine_because"] is None
        p["level_choices"] = level_choices(p["modality"], prescription)
    return proposals


@transactional
def queue(actor: Actor) -> dict:
    """Pending proposals (most urgent first) with each patient's recent data, and open alerts."""
    now = clock.now()
    alerts = alert_rows(actor.clinic_id, "open", None, QUEUE_LIMIT)
    open_flags = {a["patient_id"] for a in alerts}
    proposals = _within(adaptations.list_for_clinic)(actor, "pending", None, QUEUE_LIMIT)
    _decorate(proposals, open_flags, now)
    audit.record(actor, "alerts.read", None, f"{len(alerts)} alerts, status=open")
    return {
        "proposals": proposals,
        "alerts": alerts,
        "counts": {
            "proposals": len(proposals),
            "routine": sum(p["routine"] for p in proposals),
            "alerts": len(alerts),
        },
        "routine_rule": {
            "min_adherence": f"{ROUTINE_MIN_ADHERENCE:.0%}",
            "clean_days": ROUTINE_CLEAN_DAYS,
        },
    }


@transactional
def bulk_approve(actor: Actor, adaptation_ids: list[str], note: str | None = None) -> dict:
    """Approve the routine progressions among these proposals in one transaction.

    Routine is re-checked here, never trusted from the page: a proposal that is no longer
    pending, or is not a +1 step inside the range, or whose patient has an open red flag or
    is not doing the programme (ROUTINE_*), is skipped with the reason.
    """
    ids = [i for i in dict.fromkeys(adaptation_ids) if isinstance(i, str)]
    found = {
        a.id: (a, prescription)
        for a, prescription in db.session.execute(
            select(Adaptation, Patient.prescription)
            .join(Patient, Patient.id == Adaptation.patient_id)
            .where(Adaptation.id.in_(ids), Adaptation.clinic_id == actor.clinic_id)
        ).all()
    }
    flagged = set(
        db.session.scalars(
            select(Alert.patient_id).where(
                Alert.clinic_id == actor.clinic_id, Alert.acknowledged_at.is_(None)
            )
        )
    )
    recent = _recent_data({a.patient_id for a, _ in found.values()}, clock.now())
    approved, skipped = [], []
    for adaptation_id in ids:
        adaptation, prescription = found.get(adaptation_id, (None, None))
        if adaptation is None:
            skipped.append({"id": adaptation_id, "reason": "not found"})
            continue
        if adaptation.status != "pending":
            skipped.append({"id": adaptation_id, "reason": f"already {adaptation.status}"})
            continue
        proposal = adaptations.to_dict(adaptation)
        problem = routine_problem(
            proposal, prescription, adaptation.patient_id in flagged, recent[adaptation.patient_id]
        )
        if problem:
            skipped.append({"id": adaptation_id, "reason": problem})
            continue
        approved.append(_within(adaptations.decide)(actor, adaptation_id, "approve", None, note))
    audit.record(
        actor, "adaptations.bulk_approve", None, f"{len(approved)} approved, {len(skipped)} skipped"
    )
    return {"approved": approved, "skipped": skipped}


# ---------- one patient ----------
def timeline(patient_id: str, limit: int = 100) -> tuple[list[dict], dict[str, int]]:
    """Decisions that changed a level or went to a physio, newest first, with who decided;
    and how many were folded away: 'stay at this level' decisions, and proposals superseded
    by a newer one before anyone decided (neither is a decision anyone needs to read)."""
    decider = aliased(User)
    superseded = Adaptation.status == "superseded"
    changed = and_(
        ~superseded,
        or_(
            Adaptation.proposed_level != Adaptation.current_level,
            Adaptation.status.in_(trends.REVIEWED),
        ),
    )
    rows = db.session.execute(
        select(Adaptation, decider.display_name)
        .outerjoin(decider, decider.id == Adaptation.decided_by)
        .where(Adaptation.patient_id == patient_id, changed)
        .order_by(Adaptation.created_at.desc(), Adaptation.id.desc())
        .limit(limit)
    ).all()
    folded = dict(
        db.session.execute(
            select(superseded, func.count(Adaptation.id))
            .where(Adaptation.patient_id == patient_id, ~changed)
            .group_by(superseded)
        ).all()
    )
    out = []
    for adaptation, decided_by_name in rows:
        item = adaptations.to_dict(adaptation)
        item["decided_by_name"] = decided_by_name
        out.append(item)
    return out, {"unchanged": folded.get(False, 0), "superseded": folded.get(True, 0)}


@transactional
def patient_overview(actor: Actor, patient_id: str, weeks: int = trends.DEFAULT_WEEKS) -> dict:
    """Everything the patient page shows, read in one transaction and audited as one read."""
    patient = patients.load_patient(actor, patient_id)
    window = trends.load_window(patient, weeks)
    past_alerts = alert_rows(actor.clinic_id, "acknowledged", patient.id, 10)
    # A paused alert still holds the patient's sessions: it stays with the open ones.
    open_alerts = alert_rows(actor.clinic_id, "open", patient.id, 50) + [
        a for a in past_alerts if a["decision"] == "pause"
    ]
    decisions, folded = timeline(patient.id)
    pending = [a for a in decisions if a["status"] == "pending"]
    _decorate(pending, {patient.id} if open_alerts else set(), clock.now())
    audit.record(actor, "patient.read", patient.id, "dashboard")
    in_force = levels.levels_in_force(patient)
    return {
        "patient": patients.to_dict(patient),
        "levels": in_force.levels,
        "lighter": sorted(in_force.lighter),  # modalities the coach serves lighter for now
        "open_alerts": open_alerts,
        "past_alerts": [a for a in past_alerts if a["decision"] != "pause"],
        "today_rules": daily.todays_rules(patient),
        "pending": pending,
        "timeline": decisions,
        "unchanged_decisions": folded["unchanged"],
        "superseded_proposals": folded["superseded"],
        "trends": trends.series(window),
        "sessions": trends.history(window),
    }
