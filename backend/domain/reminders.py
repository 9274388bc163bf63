"""Who is due a reminder now, in their own local time (pure: no framework, no database).

Every "time has come" decision compares instants, never wall-clock strings, so that
DST is handled once, here:

- a reminder at 09:30 is due at 09:30 local on every date, whatever the UTC offset;
- a time inside a spring-forward gap (01:30 in London on 2026-03-29) is due at the first
  valid minute after it (02:00 BST);
- a time inside a fall-back repeated hour is due at its first occurrence only.

Window and quiet hours are wall-clock rules ("never before 08:00 on my phone"), so they
compare the local time of day.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

MINUTES_PER_DAY = 24 * 60

CHECK_IN_PROMPT = "check_in_prompt"
SESSION_REMINDER = "session_reminder"
MISSED_NUDGE = "missed_nudge"
MISSED_SESSIONS_NOTE = "missed_sessions"  # to the patient's clinicians
# The daily reminder is either the plain reminder or, after missed sessions, the nudge.
DAILY_REMINDER_KINDS = (SESSION_REMINDER, MISSED_NUDGE)
PATIENT_KINDS = (CHECK_IN_PROMPT, SESSION_REMINDER, MISSED_NUDGE)

DONE = frozenset({"completed", "partial", "stopped"})

DEFAULT_TIMES = {
    "reminder_time": "10:00",
    "window_start": "08:00",
    "window_end": "20:00",
    "quiet_start": "21:00",
    "quiet_end": "08:00",
}

# Plain words for the modality codes, as a patient would say them.
MODALITY_WORDS = {
    "walking_aerobic": "walk",
    "resistance_band": "band",
    "tai_chi_qigong": "tai chi",
    "aquatic": "pool",
    "balance": "balance",
    "mobility": "mobility",
}


def parse_hhmm(value: str) -> time:
    """'09:30' -> time(9, 30)."""
    hours, minutes = value.split(":")
    return time(int(hours), int(minutes))


@dataclass(frozen=True)
class Times:
    """A patient's reminder settings as times of day."""

    reminder: time
    window_start: time
    window_end: time
    quiet_start: time
    quiet_end: time

    @classmethod
    def from_settings(cls, settings: Mapping) -> Times:
        """From the stored "HH:MM" strings; missing ones take the defaults."""
        return _times(*(settings.get(key) or default for key, default in DEFAULT_TIMES.items()))


@functools.lru_cache(maxsize=4096)
def _times(reminder: str, window_start: str, window_end: str, quiet_start: str, quiet_end: str):
    # Thousands of patients share a few settings: parse each combination once.
    return Times(
        *(parse_hhmm(v) for v in (reminder, window_start, window_end, quiet_start, quiet_end))
    )


@dataclass(frozen=True)
class Day:
    """What is known about the patient's local day when the scheduler looks."""

    session_status: str | None = None  # planned | rest | blocked | completed | partial | stopped
    check_in_status: str | None = None  # the latest check-in today: green | amber | red
    session_minutes: float | None = None
    session_modalities: tuple[str, ...] = ()
    sent_today: int = 0  # patient-facing notifications already queued today
    reminded: bool = False  # the daily reminder (or nudge) is already queued
    prompted: bool = False  # the check-in prompt is already queued
    missed: int = 0  # planned sessions in the look-back period with no log
    nudged_recently: bool = False
    noted_recently: bool = False  # clinicians already told about missed sessions


@dataclass(frozen=True)
class Rules:
    daily_cap: int = 3
    nudge_after: int = 2
    clinician_after: int = 4


@dataclass(frozen=True)
class Due:
    kind: str
    title: str
    body: str


@dataclass(frozen=True)
class Plan:
    """What to send now; `skipped` says why anything that could be sent was not."""

    local_date: date
    due: tuple[Due, ...] = ()
    skipped: tuple[tuple[str, str], ...] = ()
    clinician_note: Due | None = None  # tell the clinicians about missed sessions


def local_now(now: datetime, zone: str | ZoneInfo) -> datetime:
    return now.astimezone(_zone(zone))


@functools.lru_cache(maxsize=8192)  # pure; a tick asks the same few (day, time, zone) a lot
def send_at(on: date, at: time, zone: str | ZoneInfo) -> datetime:
    """The UTC instant of wall-clock `at` on local date `on` (gap -> next valid minute)."""
    tz = _zone(zone)
    wall = datetime.combine(on, at)
    for step in range(MINUTES_PER_DAY):
        candidate = wall + timedelta(minutes=step)
        aware = candidate.replace(tzinfo=tz, fold=0)  # fold=0: first of a repeated hour
        if _exists(aware, tz):
            return aware.astimezone(UTC)
    raise ValueError(f"no valid local time after {wall} in {tz.key}")  # pragma: no cover


def cutoff(now: datetime, zone: str | ZoneInfo) -> tuple[date, time]:
    """The local date and the latest HH:MM whose send instant today is not after `now`.

    Any setting at or before the cutoff has come; the database can pre-filter on it with a
    plain string comparison of "HH:MM" values.
    """
    tz = _zone(zone)
    today = local_now(now, tz).date()
    low, high = 0, MINUTES_PER_DAY - 1  # send_at is non-decreasing in the minute of day
    if send_at(today, _minute(low), tz) > now:  # pragma: no cover - midnight in a gap
        return today, time(0, 0)
    while low < high:
        middle = (low + high + 1) // 2
        if send_at(today, _minute(middle), tz) <= now:
            low = middle
        else:
            high = middle - 1
    return today, _minute(low)


def plan(
    now: datetime,
    zone: str | ZoneInfo,
    times: Times,
    day: Day,
    snoozed_until: datetime | None = None,
    rules: Rules = Rules(),  # noqa: B008 - frozen, safe to share
) -> Plan:
    """Decide which patient notifications are due now, and whether to tell the clinicians."""
    tz = _zone(zone)
    local = local_now(now, tz)
    today = local.date()
    due: list[Due] = []
    skipped: list[tuple[str, str]] = []
    sent = day.sent_today

    candidates = []
    if not day.prompted and times.window_start < times.reminder:
        # The prompt only gets its own slot when the reminder comes later; otherwise the
        # reminder itself asks for the check-in.
        candidates.append((CHECK_IN_PROMPT, times.window_start))
    if not day.reminded:
        candidates.append((SESSION_REMINDER, times.reminder))

    reminder_time_came = now >= send_at(today, times.reminder, tz)
    for kind, at in candidates:
        if now < send_at(today, at, tz):
            continue  # not yet: nothing to explain
        reason = _blocked(kind, local, times, day, now, snoozed_until)
        if kind == CHECK_IN_PROMPT and reminder_time_came:
            reason = reason or "superseded"  # the reminder asks for the check-in itself
        if reason is None and sent >= rules.daily_cap:
            reason = "daily_cap"
        if reason:
            skipped.append((kind, reason))
            continue
        due.append(_message(kind, day, rules))
        sent += 1

    note = (
        reminder_time_came
        and day.missed >= rules.clinician_after
        and not day.noted_recently
        and day.session_status not in DONE
    )
    return Plan(
        local_date=today,
        due=tuple(due),
        skipped=tuple(skipped),
        clinician_note=clinician_note(day.missed) if note else None,
    )


def _blocked(kind, local, times, day, now, snoozed_until) -> str | None:
    """Why this notification may not go now (None: it may)."""
    if day.session_status in DONE:
        return "done"
    if day.session_status == "rest":
        return "rest_day"
    if day.check_in_status == "red" or day.session_status == "blocked":
        return "red"
    if kind == CHECK_IN_PROMPT and day.check_in_status is not None:
        return "checked_in"
    if snoozed_until is not None and now < snoozed_until:
        return "snoozed"
    clock = local.time().replace(second=0, microsecond=0, tzinfo=None)
    if _in_range(clock, times.quiet_start, times.quiet_end, empty_when_equal=True):
        return "quiet_hours"
    if not _in_range(clock, times.window_start, times.window_end, empty_when_equal=False):
        return "outside_window"
    return None


def _message(kind: str, day: Day, rules: Rules) -> Due:
    if kind == CHECK_IN_PROMPT:
        return Due(
            CHECK_IN_PROMPT,
            "How are you today?",
            "A one-minute check-in helps us shape today's session around how you feel.",
        )
    if day.missed >= rules.nudge_after and not day.nudged_recently:
        return Due(
            MISSED_NUDGE,
            "We've missed you",
            "The last few sessions didn't happen, and that's OK. "
            + "Even five easy minutes today counts. "
            + _session_sentence(day),
        )
    body = _session_sentence(day)
    if day.check_in_status is None:
        body += " Start with a quick check-in so it fits how you feel."
    elif day.check_in_status == "amber":
        body += " It's a lighter one today: go at your own pace."
    return Due(SESSION_REMINDER, "Time for today's session", body)


def session_phrase(minutes: float | None, modalities: tuple[str, ...]) -> str:
    """'20-minute walk and band session', or '' when today's content is not planned yet."""
    words = []
    for code in modalities:
        word = MODALITY_WORDS.get(code, code.replace("_", " "))
        if word not in words:
            words.append(word)
    if not words:
        return ""
    what = words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]
    if minutes and minutes >= 1:
        return f"{round(minutes)}-minute {what} session"
    return f"{what} session"


def _session_sentence(day: Day) -> str:
    phrase = session_phrase(day.session_minutes, day.session_modalities)
    if phrase:
        return f"Your {phrase} is ready when you are."
    return "Today's session is ready when you are."


def clinician_note(missed: int) -> Due:
    return Due(
        MISSED_SESSIONS_NOTE,
        "Missed sessions",
        f"{missed} planned sessions in the past week were not logged. "
        + "A check-in call may help.",
    )


def _in_range(at: time, start: time, end: time, *, empty_when_equal: bool) -> bool:
    """start <= at < end, wrapping past midnight when end < start."""
    if start == end:
        return not empty_when_equal
    if start < end:
        return start <= at < end
    return at >= start or at < end


def _exists(aware: datetime, tz: ZoneInfo) -> bool:
    """False for a wall time inside a spring-forward gap (it does not survive a round trip)."""
    back = aware.astimezone(UTC).astimezone(tz)
    return back.replace(tzinfo=None, fold=0) == aware.replace(tzinfo=None, fold=0)


def _minute(index: int) -> time:
    return time(index // 60, index % 60)


def _zone(zone: str | ZoneInfo) -> ZoneInfo:
    return zone if isinstance(zone, ZoneInfo) else ZoneInfo(zone)
