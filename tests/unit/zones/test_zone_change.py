"""A time-zone change never moves a patient into a day that has not started where they were
(issue 14, item 1: a change to Pacific/Kiritimati served the next day green)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import available_timezones

from hypothesis import given, settings
from hypothesis import strategies as st

from backend.domain.zones import after_zone_change, date_in, patient_date

LONDON, KIRITIMATI, NEW_YORK = "Europe/London", "Pacific/Kiritimati", "America/New_York"
ZONES = sorted(z for z in available_timezones() if "/" in z and not z.startswith("Etc/"))


def at(hour: int, day: int = 3) -> datetime:
    return datetime(2026, 12, day, hour, tzinfo=UTC)


def test_moving_east_keeps_todays_date_until_it_starts_where_the_patient_was():
    hold = after_zone_change(at(10), LONDON, KIRITIMATI, None)
    assert hold is not None
    assert patient_date(at(10), KIRITIMATI, hold) == date(2026, 12, 3)  # not Dec 4
    assert patient_date(at(23), KIRITIMATI, hold) == date(2026, 12, 3)
    # London's midnight: Dec 4 has started where she was.
    assert patient_date(at(0, day=4), KIRITIMATI, hold) == date(2026, 12, 4)
    # From then on, Kiritimati's own date.
    assert patient_date(at(11, day=4), KIRITIMATI, hold) == date(2026, 12, 5)


def test_moving_west_keeps_today_until_it_starts_in_the_new_zone():
    hold = after_zone_change(at(2), LONDON, NEW_YORK, None)  # 21:00 on Dec 2 in New York
    assert patient_date(at(2), NEW_YORK, hold) == date(2026, 12, 3)
    assert patient_date(at(6), NEW_YORK, hold) == date(2026, 12, 3)
    assert patient_date(at(5, day=4), NEW_YORK, hold) == date(2026, 12, 4)


def test_a_change_within_the_same_date_needs_no_hold():
    assert after_zone_change(at(10), LONDON, NEW_YORK, None) is None


def test_changing_back_and_forth_never_gains_a_day():
    hold = after_zone_change(at(10), LONDON, KIRITIMATI, None)
    hold = after_zone_change(at(11), KIRITIMATI, LONDON, hold)
    hold = after_zone_change(at(12), LONDON, KIRITIMATI, hold)
    assert patient_date(at(12), KIRITIMATI, hold) == date(2026, 12, 3)


@settings(max_examples=300, deadline=None)
@given(
    # hypothesis takes naive bounds and adds the zone itself
    start=st.datetimes(
        min_value=datetime(2026, 1, 1),  # noqa: DTZ001
        max_value=datetime(2027, 1, 1),  # noqa: DTZ001
        timezones=st.just(UTC),
    ),
    first=st.sampled_from(ZONES),
    moves=st.lists(
        st.tuples(st.integers(0, 36 * 60), st.sampled_from(ZONES)), min_size=1, max_size=6
    ),
)
def test_a_change_never_moves_the_date_and_time_never_moves_it_back(start, first, moves):
    """At a change the date stays what it was; as time passes it never goes back, and it
    never runs ahead of the patient's zone."""
    now, zone, hold = start, first, None
    for minutes, new_zone in moves:
        before = patient_date(now, zone, hold)
        hold = after_zone_change(now, zone, new_zone, hold)
        zone = new_zone
        assert patient_date(now, zone, hold) == before
        for step in range(0, minutes + 1, 30):
            later = now + timedelta(minutes=step)
            current = patient_date(later, zone, hold)
            assert current >= before
            assert current <= max(before, date_in(later, zone))
            before = current
        now += timedelta(minutes=minutes)
