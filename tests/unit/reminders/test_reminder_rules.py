"""Which reminders go, which don't, and what they say."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from backend.domain.reminders import (
    CHECK_IN_PROMPT,
    MISSED_NUDGE,
    MISSED_SESSIONS_NOTE,
    SESSION_REMINDER,
    Day,
    Rules,
    Times,
    plan,
    session_phrase,
)

LONDON = "Europe/London"
DEFAULTS = Times.from_settings({})  # reminder 10:00, window 08-20, quiet 21-08
AT_TEN = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)  # 10:00 in London (GMT)


def kinds(result) -> list[str]:
    return [d.kind for d in result.due]


def test_the_reminder_is_not_due_before_its_time_and_due_from_it():
    assert kinds(plan(AT_TEN - timedelta(minutes=1), LONDON, DEFAULTS, Day(prompted=True))) == []
    assert kinds(plan(AT_TEN, LONDON, DEFAULTS, Day(prompted=True))) == [SESSION_REMINDER]


@pytest.mark.parametrize(
    "day,reason",
    [
        (Day(session_status="completed"), "done"),
        (Day(session_status="partial"), "done"),
        (Day(session_status="stopped"), "done"),
        (Day(session_status="rest"), "rest_day"),
        (Day(session_status="blocked"), "red"),
        (Day(check_in_status="red"), "red"),
    ],
)
def test_nothing_when_the_day_is_done_a_rest_day_or_red(day, reason):
    result = plan(AT_TEN, LONDON, DEFAULTS, day)
    assert result.due == ()
    assert (SESSION_REMINDER, reason) in result.skipped


def test_quiet_hours_hold_a_reminder_until_they_end():
    times = Times.from_settings({"reminder_time": "07:00", "window_start": "06:00"})
    day = Day(prompted=True)
    at_seven = datetime(2026, 11, 26, 7, 0, tzinfo=UTC)
    held = plan(at_seven, LONDON, times, day)
    assert held.due == () and (SESSION_REMINDER, "quiet_hours") in held.skipped
    assert kinds(plan(at_seven + timedelta(hours=1), LONDON, times, day)) == [SESSION_REMINDER]


def test_a_reminder_before_the_window_waits_for_it_and_none_goes_after_it():
    times = Times.from_settings(
        {"reminder_time": "07:30", "quiet_start": "22:00", "quiet_end": "06:00"}
    )
    at = datetime(2026, 11, 26, 7, 30, tzinfo=UTC)
    assert (SESSION_REMINDER, "outside_window") in plan(at, LONDON, times, Day()).skipped
    assert SESSION_REMINDER in kinds(plan(at.replace(hour=8), LONDON, times, Day()))
    late = plan(at.replace(hour=20), LONDON, times, Day(prompted=True))
    assert (SESSION_REMINDER, "outside_window") in late.skipped


def test_snooze_mutes_until_it_ends():
    day = Day(prompted=True)
    until = AT_TEN + timedelta(minutes=30)
    assert (SESSION_REMINDER, "snoozed") in plan(AT_TEN, LONDON, DEFAULTS, day, until).skipped
    assert kinds(plan(until, LONDON, DEFAULTS, day, until)) == [SESSION_REMINDER]


def test_the_daily_cap_holds():
    result = plan(
        AT_TEN, LONDON, DEFAULTS, Day(prompted=True, sent_today=3), rules=Rules(daily_cap=3)
    )
    assert result.due == () and (SESSION_REMINDER, "daily_cap") in result.skipped


def test_a_late_prompt_is_dropped_once_the_reminder_is_due():
    # E.g. the scheduler was down at 08:00: one reminder (asking for the check-in), not two.
    late = plan(AT_TEN, LONDON, DEFAULTS, Day())
    assert kinds(late) == [SESSION_REMINDER] and "check-in" in late.due[0].body
    assert (CHECK_IN_PROMPT, "superseded") in late.skipped


def test_morning_check_in_prompt_at_window_start_unless_checked_in():
    at_eight = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)
    prompt = plan(at_eight, LONDON, DEFAULTS, Day())
    assert kinds(prompt) == [CHECK_IN_PROMPT]
    assert "check-in" in prompt.due[0].body
    assert plan(at_eight, LONDON, DEFAULTS, Day(check_in_status="green")).due == ()
    # When the reminder itself opens the window, it asks for the check-in instead.
    early = Times.from_settings({"reminder_time": "08:00"})
    only = plan(at_eight, LONDON, early, Day())
    assert kinds(only) == [SESSION_REMINDER] and "check-in" in only.due[0].body


def test_the_text_names_todays_session_when_it_exists():
    day = Day(
        prompted=True,
        check_in_status="green",
        session_minutes=20,
        session_modalities=("walking_aerobic", "resistance_band", "resistance_band"),
    )
    (due,) = plan(AT_TEN, LONDON, DEFAULTS, day).due
    assert due.body == "Your 20-minute walk and band session is ready when you are."


def test_a_general_text_when_todays_session_is_not_planned_yet():
    (due,) = plan(AT_TEN, LONDON, DEFAULTS, Day(prompted=True, check_in_status="green")).due
    assert due.body == "Today's session is ready when you are."


def test_amber_days_are_called_lighter():
    (due,) = plan(AT_TEN, LONDON, DEFAULTS, Day(prompted=True, check_in_status="amber")).due
    assert "lighter" in due.body


def test_missed_sessions_turn_the_reminder_into_a_nudge_and_later_tell_the_clinicians():
    rules = Rules(nudge_after=2, clinician_after=4)
    one = plan(AT_TEN, LONDON, DEFAULTS, Day(prompted=True, missed=1), rules=rules)
    assert kinds(one) == [SESSION_REMINDER] and one.clinician_note is None
    two = plan(AT_TEN, LONDON, DEFAULTS, Day(prompted=True, missed=2), rules=rules)
    assert kinds(two) == [MISSED_NUDGE] and two.clinician_note is None
    again = plan(AT_TEN, LONDON, DEFAULTS, Day(prompted=True, missed=2, nudged_recently=True))
    assert kinds(again) == [SESSION_REMINDER]
    four = plan(AT_TEN, LONDON, DEFAULTS, Day(prompted=True, missed=4), rules=rules)
    assert four.clinician_note.kind == MISSED_SESSIONS_NOTE
    assert "4 planned sessions" in four.clinician_note.body
    told = plan(AT_TEN, LONDON, DEFAULTS, Day(prompted=True, missed=4, noted_recently=True))
    assert told.clinician_note is None


def test_session_phrase():
    assert session_phrase(None, ()) == ""
    assert session_phrase(12.5, ("tai_chi_qigong",)) == "12-minute tai chi session"
    assert session_phrase(None, ("balance", "mobility", "aquatic")) == (
        "balance, mobility and pool session"
    )
