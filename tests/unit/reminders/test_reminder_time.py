"""A reminder at HH:MM is due at HH:MM local, once a day, also on DST change days."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backend.domain.reminders import (
    SESSION_REMINDER,
    Day,
    Times,
    cutoff,
    plan,
    send_at,
)

LONDON, NEW_YORK = "Europe/London", "America/New_York"
OPEN = {
    "window_start": "00:00",
    "window_end": "00:00",
    "quiet_start": "00:00",
    "quiet_end": "00:00",
}


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(
    "zone,on,at,expected",
    [
        # ordinary days, both offsets
        (LONDON, date(2026, 1, 15), time(9, 30), utc(2026, 1, 15, 9, 30)),
        (LONDON, date(2026, 7, 15), time(9, 30), utc(2026, 7, 15, 8, 30)),
        # the change days themselves: still 09:30 on the wall
        (LONDON, date(2026, 3, 29), time(9, 30), utc(2026, 3, 29, 8, 30)),
        (LONDON, date(2026, 10, 25), time(9, 30), utc(2026, 10, 25, 9, 30)),
        (NEW_YORK, date(2026, 3, 8), time(9, 30), utc(2026, 3, 8, 13, 30)),
        (NEW_YORK, date(2026, 11, 1), time(9, 30), utc(2026, 11, 1, 14, 30)),
        # spring-forward gap: the first valid minute after it (02:00 BST / 03:00 EDT)
        (LONDON, date(2026, 3, 29), time(1, 30), utc(2026, 3, 29, 1, 0)),
        (LONDON, date(2026, 3, 29), time(1, 0), utc(2026, 3, 29, 1, 0)),
        (NEW_YORK, date(2026, 3, 8), time(2, 30), utc(2026, 3, 8, 7, 0)),
        # fall-back repeated hour: the first occurrence (BST / EDT)
        (LONDON, date(2026, 10, 25), time(1, 30), utc(2026, 10, 25, 0, 30)),
        (NEW_YORK, date(2026, 11, 1), time(1, 30), utc(2026, 11, 1, 5, 30)),
    ],
)
def test_send_instant(zone, on, at, expected):
    assert send_at(on, at, zone) == expected


def _simulate(zone: str, reminder: str, start: datetime, end: datetime) -> list[datetime]:
    """Tick every minute; mark the reminder queued when due, as the service does per date."""
    times = Times.from_settings({**OPEN, "reminder_time": reminder})
    sent: dict[date, datetime] = {}
    now = start
    while now < end:
        today = now.astimezone(ZoneInfo(zone)).date()
        result = plan(now, zone, times, Day(reminded=today in sent))
        if any(d.kind == SESSION_REMINDER for d in result.due):
            assert today not in sent, f"second reminder on {today} at {now}"
            sent[today] = now
        now += timedelta(minutes=1)
    return sorted(sent.values())


@pytest.mark.parametrize(
    "zone,change",
    [
        (LONDON, date(2026, 3, 29)),
        (LONDON, date(2026, 10, 25)),
        (NEW_YORK, date(2026, 3, 8)),
        (NEW_YORK, date(2026, 11, 1)),
    ],
)
@pytest.mark.parametrize("reminder", ["09:30", "01:30", "02:30", "00:00", "23:59"])
def test_minute_ticks_across_a_change_send_once_a_day_at_the_right_time(zone, change, reminder):
    # From local midnight the day before to local midnight after the day after.
    start = datetime.combine(change - timedelta(days=1), time(), ZoneInfo(zone))
    end = datetime.combine(change + timedelta(days=2), time(), ZoneInfo(zone))
    sent = _simulate(zone, reminder, start.astimezone(UTC), end.astimezone(UTC))
    assert len(sent) == 3  # one per local date: the day before, the change day, the day after
    gap_end = {LONDON: time(2, 0), NEW_YORK: time(3, 0)}[zone]
    wanted = time.fromisoformat(reminder)
    for day, at in zip((-1, 0, 1), sent, strict=True):
        local = at.astimezone(ZoneInfo(zone))
        assert local.date() == change + timedelta(days=day)
        assert local.fold == 0  # the first of a repeated hour, never the second
        if local.time() != wanted:  # only a reminder time inside the spring-forward gap moves
            assert change.month == 3 and day == 0 and local.time() == gap_end, local


ZONES = st.sampled_from(
    [LONDON, NEW_YORK, "Australia/Lord_Howe", "Asia/Kolkata", "America/Santiago", "UTC"]
)


@settings(max_examples=200, deadline=None)
@given(
    zone=ZONES,
    on=st.dates(date(2026, 1, 1), date(2027, 12, 31)),
    minute=st.integers(0, 24 * 60 - 1),
)
def test_send_instant_is_the_wall_time_or_the_first_valid_minute_after_it(zone, on, minute):
    at = time(minute // 60, minute % 60)
    instant = send_at(on, at, zone)
    local = instant.astimezone(ZoneInfo(zone))
    wall = datetime.combine(on, at)
    if local.replace(tzinfo=None) != wall:
        # `at` did not exist: every minute between it and the answer is in the gap too.
        assert local.replace(tzinfo=None) > wall
        one_before = (instant - timedelta(minutes=1)).astimezone(ZoneInfo(zone))
        assert one_before.replace(tzinfo=None) < wall
    else:
        assert local.fold == 0  # the first of a repeated hour


@settings(max_examples=200, deadline=None)
@given(
    zone=ZONES,
    now=st.integers(0, 2 * 365 * 24 * 60).map(lambda m: utc(2026, 1, 1) + timedelta(minutes=m)),
)
def test_cutoff_is_the_latest_time_that_has_come(zone, now):
    today, latest = cutoff(now, zone)
    assert send_at(today, latest, zone) <= now
    if latest != time(23, 59):
        following = (datetime.combine(today, latest) + timedelta(minutes=1)).time()
        assert send_at(today, following, zone) > now
