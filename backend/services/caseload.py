"""The caseload at a glance: each patient's status and why, most urgent first.

Urgency: open red-flag alerts, then pending adaptation proposals, then missed sessions, falling
or low adherence or a silent patient, then the rest. Scoped to the actor's clinic (and care team
with scope=mine). Every source table is aggregated by one GROUP BY statement over the same set of
patients, so 300 patients cost the same handful of queries as 3.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Date, and_, case, exists, func, literal, select

from backend import clock
from backend.errors import Invalid
from backend.extensions import db
from backend.models import Adaptation, Alert, CheckIn, ExerciseSession, Patient, User, care_team
from backend.security import Actor
from backend.services import audit, paging, transactional
from backend.services.trends import ATTENDED

TIERS = ("red_flag", "review", "attention", "stable")
LOOKBACK_DAYS = 84  # the last check-in is looked for within the 12 weeks the trends show
QUIET_DAYS = 7  # an activated patient silent this long needs a call
MIN_DUE = 3  # fewer due sessions than this say nothing about adherence
FALLING_BY = 0.25  # last 14 days this far below the 14 before = falling
LOW_ADHERENCE = 0.5


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def rate(done: int, due: int) -> float | None:
    """Sessions done / due (None when nothing was due)."""
    return round(done / due, 3) if due else None


# Each source table is aggregated by its own GROUP BY statement over the same set of patients
# and merged by id here: one combined statement made PostgreSQL's planner loop over the
# aggregates (2 s for 300 patients); separately they take tens of milliseconds.
@dataclass(frozen=True)
class _Days:
    """Each patient's local 'today' (and the window edges) as SQL CASE expressions on their zone."""

    dates: dict[str, date]
    fallback: date

    def edge(self, zone_column, days_back: int):
        shift = timedelta(days=days_back)
        whens = [(zone_column == z, literal(d - shift, Date)) for z, d in self.dates.items()]
        otherwise = literal(self.fallback - shift, Date)
        return case(*whens, else_=otherwise) if whens else otherwise

    def earliest(self, days_back: int) -> date:
        return min([*self.dates.values(), self.fallback]) - timedelta(days=days_back)


def _count(condition):
    return func.sum(case((condition, 1), else_=0))


SESSION_COUNTS = ("due_28", "done_28", "due_14", "done_14", "due_prev", "done_prev", "missed_7")


def _session_counts(patient_ids, days: _Days) -> dict[str, dict]:
    """Per patient: sessions due and attended over 28 days (and both 14-day halves), missed in 7."""
    s = ExerciseSession
    today, d7, d14, d28 = (days.edge(Patient.timezone, n) for n in (0, 7, 14, 28))
    # A planned session is due (missed if unlogged) only once its day is over.
    due = s.status.in_(ATTENDED) | and_(s.status == "planned", s.local_date < today)
    done = s.status.in_(ATTENDED)
    recent = and_(s.local_date >= d14, s.local_date <= today)
    before = and_(s.local_date >= d28, s.local_date < d14)
    columns = (
        _count(and_(s.local_date >= d28, due)),
        _count(and_(s.local_date >= d28, done)),
        _count(and_(recent, due)),
        _count(and_(recent, done)),
        _count(and_(before, due)),
        _count(and_(before, done)),
        _count(and_(s.local_date >= d7, s.local_date < today, s.status == "planned")),
    )
    rows = db.session.execute(
        select(s.patient_id, *columns)
        .join(Patient, Patient.id == s.patient_id)
        .where(
            s.patient_id.in_(patient_ids),
            s.local_date >= days.earliest(28),
            s.local_date <= today,
        )
        .group_by(s.patient_id)
    ).all()
    return {pid: dict(zip(SESSION_COUNTS, counts, strict=True)) for pid, *counts in rows}


def _latest_check_ins(patient_ids, days: _Days) -> dict[str, object]:
    """Each patient's latest check-in within the look-back (the day via GROUP BY, then its rows)."""
    last_day = (
        select(CheckIn.patient_id, func.max(CheckIn.local_date).label("day"))
        .where(
            CheckIn.patient_id.in_(patient_ids),
            CheckIn.local_date >= days.earliest(LOOKBACK_DAYS),
        )
        .group_by(CheckIn.patient_id)
        .subquery("last_day")
    )
    rows = db.session.execute(
        select(
            CheckIn.patient_id,
            CheckIn.at,
            CheckIn.local_date,
            CheckIn.status,
            CheckIn.fatigue,
            CheckIn.pain,
        )
        .join(
            last_day,
            and_(last_day.c.patient_id == CheckIn.patient_id, last_day.c.day == CheckIn.local_date),
        )
        .order_by(CheckIn.at, CheckIn.id)
    ).all()
    return {row.patient_id: row for row in rows}  # ordered by time: the day's latest wins


def _open_alerts(patient_ids) -> dict[str, tuple]:
    rows = db.session.execute(
        select(Alert.patient_id, func.count(Alert.id), func.min(Alert.opened_at))
        .where(Alert.patient_id.in_(patient_ids), Alert.acknowledged_at.is_(None))
        .group_by(Alert.patient_id)
    ).all()
    return {pid: (n, oldest) for pid, n, oldest in rows}


def _pending(clinic_id: str, patient_ids) -> dict[str, tuple]:
    rows = db.session.execute(
        select(Adaptation.patient_id, func.count(Adaptation.id), func.min(Adaptation.created_at))
        .where(
            Adaptation.clinic_id == clinic_id,
            Adaptation.status == "pending",
            Adaptation.patient_id.in_(patient_ids),
        )
        .group_by(Adaptation.patient_id)
    ).all()
    return {pid: (n, oldest) for pid, n, oldest in rows}


@dataclass(frozen=True)
class _Row:
    """Everything known about one patient of the caseload, merged from the aggregates."""

    id: str
    timezone: str
    cancer_type: str
    created_at: datetime
    display_name: str
    activated: bool
    open_alerts: int
    oldest_alert: datetime | None
    pending: int
    oldest_pending: datetime | None
    sessions: dict  # SESSION_COUNTS -> int
    check_in: object | None


def _caseload_rows(actor: Actor, search: str | None, scope: str, now: datetime):
    if scope not in ("mine", "clinic"):
        raise Invalid("scope must be mine or clinic.")
    chosen = select(Patient.id).join(User, User.id == Patient.user_id)
    chosen = chosen.where(Patient.clinic_id == actor.clinic_id)
    if scope == "mine":
        chosen = chosen.where(
            exists().where(
                care_team.c.patient_id == Patient.id, care_team.c.clinician_id == actor.user_id
            )
        )
    if search and search.strip():
        chosen = chosen.where(User.display_name.icontains(search.strip(), autoescape=True))
    people = db.session.execute(
        select(
            Patient.id,
            Patient.timezone,
            Patient.cancer_type,
            Patient.created_at,
            User.display_name,
            User.password_hash.is_not(None),
        )
        .join(User, User.id == Patient.user_id)
        .where(Patient.id.in_(chosen))
    ).all()
    days = _Days(
        {z: now.astimezone(ZoneInfo(z)).date() for z in {p.timezone for p in people}}, now.date()
    )
    if not people:
        return [], days
    ids = chosen  # the same set of patients for every aggregate (an IN subquery)
    sessions = _session_counts(ids, days)
    check_ins = _latest_check_ins(ids, days)
    alerts = _open_alerts(ids)
    pending = _pending(actor.clinic_id, ids)
    rows = [
        _Row(
            id=pid,
            timezone=tz,
            cancer_type=cancer,
            created_at=created,
            display_name=name,
            activated=bool(activated),
            open_alerts=alerts.get(pid, (0, None))[0],
            oldest_alert=alerts.get(pid, (0, None))[1],
            pending=pending.get(pid, (0, None))[0],
            oldest_pending=pending.get(pid, (0, None))[1],
            sessions={name: 0 for name in SESSION_COUNTS} | sessions.get(pid, {}),
            check_in=check_ins.get(pid),
        )
        for pid, tz, cancer, created, name, activated in people
    ]
    return rows, days


def _entry(row, today: date) -> dict:
    """One caseload line: the numbers, the reasons in words, and the urgency tier."""
    reasons = []
    n = row.sessions
    if row.open_alerts:
        reasons.append(("red_flag", _plural(row.open_alerts, "open red flag")))
    if row.pending:
        reasons.append(("review", _plural(row.pending, "proposal") + " to review"))
    if n["missed_7"]:
        reasons.append(
            ("missed_sessions", _plural(n["missed_7"], "missed session") + " in the last 7 days")
        )
    adherence = rate(n["done_28"], n["due_28"])
    recent, before = rate(n["done_14"], n["due_14"]), rate(n["done_prev"], n["due_prev"])
    if (
        n["due_14"] >= MIN_DUE
        and n["due_prev"] >= MIN_DUE
        and recent is not None
        and before is not None
        and recent <= before - FALLING_BY
    ):
        reasons.append(("adherence_falling", f"Adherence fell from {before:.0%} to {recent:.0%}"))
    elif n["due_28"] >= MIN_DUE and adherence is not None and adherence < LOW_ADHERENCE:
        reasons.append(("adherence_low", f"Adherence {adherence:.0%} over 28 days"))
    last = row.check_in
    days_since = (today - last.local_date).days if last else None
    enrolled_days = (today - row.created_at.date()).days
    if (
        row.activated
        and enrolled_days > QUIET_DAYS
        and (days_since is None or days_since > QUIET_DAYS)
    ):
        reasons.append(
            (
                "no_recent_check_in",
                f"No check-in for {days_since} days" if days_since else "No check-in yet",
            )
        )
    codes = {code for code, _ in reasons}
    tier = (
        "red_flag"
        if "red_flag" in codes
        else "review"
        if "review" in codes
        else "attention"
        if codes
        else "stable"
    )
    return {
        "id": row.id,
        "display_name": row.display_name,
        "cancer_type": row.cancer_type,
        "timezone": row.timezone,
        "activated": bool(row.activated),
        "status": tier,
        "urgency": TIERS.index(tier),
        "reasons": [{"code": c, "message": m} for c, m in reasons],
        "open_red_flags": row.open_alerts,
        "oldest_open_alert_at": row.oldest_alert,
        "pending_proposals": row.pending,
        "oldest_pending_at": row.oldest_pending,
        "adherence_28d": adherence,
        "adherence_14d": recent,
        "adherence_prior_14d": before,
        "sessions_due_28d": n["due_28"],
        "sessions_done_28d": n["done_28"],
        "missed_sessions_7d": n["missed_7"],
        "last_check_in": (
            {
                "at": last.at,
                "date": last.local_date,
                "days_ago": days_since,
                "status": last.status,
                "fatigue": last.fatigue,
                "pain": last.pain,
            }
            if last
            else None
        ),
    }


def _order_key(entry: dict):
    """Within a tier: longest-waiting alert or proposal first; most missed, lowest adherence."""
    waiting = entry["oldest_open_alert_at"] or entry["oldest_pending_at"]
    return (
        entry["urgency"],
        waiting.timestamp() if waiting else 0.0,
        -entry["missed_sessions_7d"],
        entry["adherence_28d"] if entry["adherence_28d"] is not None else 1.0,
        entry["display_name"].casefold(),
        entry["id"],
    )


@transactional
def caseload_status(
    actor: Actor, search: str | None = None, status: str = "all", scope: str = "mine"
) -> dict:
    """The caseload with each patient's status, most urgent first, and counts at a glance."""
    if status not in ("all", *TIERS):
        raise Invalid("Unknown status filter.")
    now = clock.now()
    rows, days = _caseload_rows(actor, search, scope, now)
    entries = sorted(
        (_entry(row, days.dates.get(row.timezone, days.fallback)) for row in rows),
        key=_order_key,
    )
    for rank, entry in enumerate(entries, start=1):
        entry["rank"] = rank
    counts = {"patients": len(entries), **{t: 0 for t in TIERS}}
    for entry in entries:
        counts[entry["status"]] += 1
    counts["open_red_flags"] = sum(e["open_red_flags"] for e in entries)
    counts["pending_proposals"] = sum(e["pending_proposals"] for e in entries)
    shown = entries if status == "all" else [e for e in entries if e["status"] == status]
    audit.record(actor, "caseload.read", None, f"{len(shown)} patients, status={status}")
    return {"counts": counts, "patients": shown}


def caseload_page(
    actor: Actor, search: str | None, status: str, scope: str, limit: int, cursor: str | None
) -> dict:
    """One page of the caseload in urgency order, with the counts of the whole caseload.
    The order is computed, not a column, so a page continues after the cursor's patient."""
    data = caseload_status(actor, search, status, scope)
    return {"counts": data["counts"], **paging.after_in(data["patients"], cursor, limit)}
