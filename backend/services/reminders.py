"""Every minute: queue the reminders whose local time has come, once per patient and day.

One set-based pass, whatever the number of patients:
1. per distinct time zone, `domain.reminders.cutoff` gives the local date and the latest
   "HH:MM" that has come (DST handled there);
2. one SELECT finds the candidates, with the facts of their day as columns; its filters only
   narrow the set (due time passed, not queued yet, day not done/rest/red, window open);
3. `domain.reminders.plan` decides for each candidate (window, quiet hours, snooze, cap,
   wording) — the domain is the authority;
4. one bulk INSERT ... ON CONFLICT DO NOTHING queues the notifications.
"""

from __future__ import annotations

import functools
import json
import logging
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfoNotFoundError

from sqlalchemy import Date, String, and_, bindparam, case, cast, exists, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased

from backend import clock
from backend.domain import reminders as rules
from backend.errors import Invalid
from backend.extensions import db
from backend.models import CheckIn, ExerciseSession, Patient, SessionLog, User, care_team
from backend.models.notifications import Device, Notification, Snooze
from backend.notify import setting
from backend.security import Actor
from backend.services import transactional
from backend.services.notifications import insert_once, new_row
from backend.services.patients import load_patient

log = logging.getLogger(__name__)

N = Notification
DAY_OVER = ("completed", "partial", "stopped", "rest", "blocked")
SNOOZE_MINUTES = (15, 240)
# Built once: aliasing is costly and the query is built every minute.
TODAYS = aliased(ExerciseSession, name="todays_session")
PAST = aliased(ExerciseSession, name="past_session")


@dataclass
class TickReport:
    candidates: int = 0
    queued: Counter = field(default_factory=Counter)  # kind -> patients
    skipped: Counter = field(default_factory=Counter)  # reason -> patients
    notes: int = 0  # clinicians told about missed sessions
    rows: int = 0  # notification rows created (all channels)


def queue_due_reminders(now: datetime | None = None) -> TickReport:
    """Queue the check-in prompts, reminders, nudges and clinician notes due at `now`."""
    return _queue(now or clock.now())


@transactional
def _queue(now: datetime) -> TickReport:
    report = TickReport()
    zones = _zone_cutoffs(now)
    if not zones:
        return report
    statement, params = _candidates(zones)
    candidates = db.session.execute(statement, params).all()
    report.candidates = len(candidates)
    policy = rules.Rules(
        daily_cap=setting("REMINDER_DAILY_CAP"),
        nudge_after=setting("REMINDER_NUDGE_AFTER"),
        clinician_after=setting("REMINDER_CLINICIAN_AFTER"),
    )
    rows: list[dict] = []
    notes: dict[str, tuple[date, str, rules.Due]] = {}
    for c in candidates:
        try:
            times, wanted = _preferences(c.settings_json)
        except (ValueError, AttributeError, TypeError):
            log.warning("patient %s has unreadable reminder settings", c.id)
            continue
        minutes, modalities = _session_summary(c.blocks_json)
        day = rules.Day(
            session_status=c.session_status,
            check_in_status=c.check_in_status,
            session_minutes=minutes,
            session_modalities=modalities,
            sent_today=c.sent_today,
            reminded=c.reminded,
            prompted=c.prompted,
            missed=c.missed,
            nudged_recently=c.nudged_recently,
            noted_recently=c.noted_recently,
        )
        decision = rules.plan(now, c.timezone, times, day, c.snoozed_until, policy)
        report.skipped.update(reason for _, reason in decision.skipped)
        channels = ["in_app"] + [ch for ch in wanted if ch != "push" or c.has_device]
        for due in decision.due:
            report.queued[due.kind] += 1
            rows += [
                new_row(
                    kind=due.kind,
                    channel=channel,
                    local_date=decision.local_date,
                    title=due.title,
                    body=due.body,
                    now=now,
                    recipient_id=c.user_id,
                    patient_id=c.id,
                )
                for channel in channels
            ]
        if decision.clinician_note:
            notes[c.id] = (decision.local_date, c.display_name, decision.clinician_note)
    rows += _clinician_notes(notes, now)
    report.notes = len(notes)
    report.rows = len(insert_once(rows))
    return report


# The JSON arrives as text and is parsed here, once per distinct document: patients share
# a handful of settings, and json.loads of 100 000 documents was a third of a tick.
@functools.lru_cache(maxsize=4096)
def _preferences(settings_json: str | None) -> tuple[rules.Times, tuple[str, ...]]:
    """(reminder times, extra channels beyond the inbox) from a patient's settings."""
    settings = json.loads(settings_json or "{}")
    extra = tuple(ch for ch in ("email", "push") if ch in (settings.get("channels") or []))
    return rules.Times.from_settings(settings), extra


@functools.lru_cache(maxsize=4096)
def _session_summary(blocks_json: str | None) -> tuple[float, tuple[str, ...]]:
    """(minutes, modalities) of today's session, or (0, ()) when it is not planned yet."""
    blocks = json.loads(blocks_json or "[]")
    minutes = sum(((b.get("dose") or {}).get("minutes") or 0) for b in blocks)
    return minutes, tuple(b["modality"] for b in blocks if b.get("modality"))


def _zone_cutoffs(now: datetime) -> dict[str, tuple[date, str, str]]:
    """zone -> (local date, due cutoff "HH:MM", local time "HH:MM") for every zone in use."""
    out = {}
    for zone in db.session.scalars(select(Patient.timezone).distinct()):
        try:
            today, cut = rules.cutoff(now, zone)
        except (ZoneInfoNotFoundError, ValueError):
            log.warning("unknown time zone %r: its patients get no reminders", zone)
            continue
        out[zone] = (today, f"{cut:%H:%M}", f"{rules.local_now(now, zone):%H:%M}")
    return out


def _candidates(zones: dict[str, tuple[date, str, str]]):
    """The SELECT of patients who may be due, and its parameters for this minute."""
    lookback = timedelta(days=setting("REMINDER_LOOKBACK_DAYS"))
    params = {}
    for i, (today, cut, local) in enumerate(zones.values()):
        params.update(
            {
                f"today_{i}": today,
                f"since_{i}": today - lookback,
                f"cut_{i}": cut,
                f"now_{i}": local,
            }
        )
    return _candidates_statement(tuple(zones)), params


@functools.lru_cache(maxsize=64)
def _candidates_statement(zones: tuple[str, ...]):
    """Built once per set of zones (building it costs more than running it, every minute)."""

    def per_zone(name, type_=None):
        return case(
            {zone: bindparam(f"{name}_{i}", type_=type_) for i, zone in enumerate(zones)},
            value=Patient.timezone,
        )

    today = per_zone("today", Date())
    since = per_zone("since", Date())
    cut = per_zone("cut", String())
    clock_now = per_zone("now", String())

    def hhmm(key):
        return func.coalesce(Patient.settings[key].as_string(), rules.DEFAULT_TIMES[key])

    reminder, window_start, window_end = (
        hhmm("reminder_time"),
        hhmm("window_start"),
        hhmm("window_end"),
    )

    def queued(kinds, since_day=None):
        """A notification of these kinds exists today (or since `since_day`)."""
        on = N.local_date == today if since_day is None else N.local_date >= since_day
        return exists().where(N.patient_id == Patient.id, N.kind.in_(kinds), on)

    check_in_status = (
        select(CheckIn.status)
        .where(CheckIn.patient_id == Patient.id, CheckIn.local_date == today)
        .order_by(CheckIn.at.desc())
        .limit(1)
        .scalar_subquery()
    )
    sent_today = (
        select(func.count(N.id))
        .where(
            N.patient_id == Patient.id,
            N.recipient_id == Patient.user_id,
            N.local_date == today,
            N.channel == "in_app",
            N.kind.in_(rules.PATIENT_KINDS),
        )
        .scalar_subquery()
    )
    missed = (
        select(func.count(PAST.id))
        .where(
            PAST.patient_id == Patient.id,
            PAST.local_date >= since,
            PAST.local_date < today,
            PAST.status == "planned",
            ~exists().where(SessionLog.session_id == PAST.id),
        )
        .scalar_subquery()
    )
    reminded = queued(rules.DAILY_REMINDER_KINDS)
    prompted = queued((rules.CHECK_IN_PROMPT,))
    return (
        select(
            Patient.id,
            Patient.user_id,
            Patient.timezone,
            cast(Patient.settings, String).label("settings_json"),
            User.display_name,
            TODAYS.status.label("session_status"),
            cast(TODAYS.blocks, String).label("blocks_json"),
            check_in_status.label("check_in_status"),
            Snooze.until.label("snoozed_until"),
            sent_today.label("sent_today"),
            reminded.label("reminded"),
            prompted.label("prompted"),
            missed.label("missed"),
            queued((rules.MISSED_NUDGE,), since).label("nudged_recently"),
            queued((rules.MISSED_SESSIONS_NOTE,), since).label("noted_recently"),
            exists().where(Device.user_id == Patient.user_id).label("has_device"),
        )
        .join(User, User.id == Patient.user_id)
        .outerjoin(TODAYS, and_(TODAYS.patient_id == Patient.id, TODAYS.local_date == today))
        .outerjoin(Snooze, Snooze.patient_id == Patient.id)
        .where(
            User.active.is_(True),
            cut.is_not(None),
            # These only narrow the set; plan() re-checks every rule.
            or_(TODAYS.status.is_(None), TODAYS.status.not_in(DAY_OVER)),
            or_(check_in_status.is_(None), check_in_status != "red"),
            or_(window_end <= window_start, window_end > clock_now),
            or_(
                and_(~reminded, reminder <= cut),
                and_(
                    ~prompted,
                    window_start <= cut,
                    cut < reminder,  # once the reminder is due, it asks for the check-in
                    check_in_status.is_(None),
                ),
            ),
        )
    )


def _clinician_notes(notes: dict[str, tuple[date, str, rules.Due]], now: datetime) -> list[dict]:
    """One in-app note per care-team clinician of each patient who missed sessions."""
    if not notes:
        return []
    team = db.session.execute(
        select(care_team.c.patient_id, care_team.c.clinician_id)
        .join(User, User.id == care_team.c.clinician_id)
        .where(care_team.c.patient_id.in_(list(notes)), User.active.is_(True))
    ).all()
    rows = []
    for patient_id, clinician_id in team:
        on, name, note = notes[patient_id]
        rows.append(
            new_row(
                kind=note.kind,
                channel="in_app",
                local_date=on,
                title=f"{note.title}: {name}",
                body=note.body,
                now=now,
                recipient_id=clinician_id,
                patient_id=patient_id,
            )
        )
    return rows


@transactional
def snooze(actor: Actor, minutes: int) -> dict:
    """Mute the caller's reminders for `minutes`; a later snooze replaces an earlier one."""
    low, high = SNOOZE_MINUTES
    if not low <= minutes <= high:
        raise Invalid(
            "Snooze length out of range.",
            {"json": {"minutes": [f"Use {low} to {high} minutes."]}},
        )
    patient = load_patient(actor, actor.patient_id or "")
    now = clock.now()
    until = now + timedelta(minutes=minutes)
    row = db.session.get(Snooze, patient.id)
    if row is None:
        try:
            with db.session.begin_nested():
                db.session.add(Snooze(patient_id=patient.id, until=until, created_at=now))
            return {"snoozed_until": until}
        except IntegrityError:  # a double tap raced us; update its row instead
            row = db.session.get(Snooze, patient.id, populate_existing=True)
    row.until, row.created_at = until, now
    return {"snoozed_until": until}
