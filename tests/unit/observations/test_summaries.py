"""The per-minute arithmetic behind day and session summaries."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from backend.domain.observations import (
    Point,
    PointError,
    day_bounds,
    dedupe,
    local_days,
    make_point,
    summaries_between,
    summarise,
)

T0 = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
WINDOW = (T0 - timedelta(days=30), T0 + timedelta(days=1))


def steps(device, start_min, end_min, value):
    return Point(
        "steps", device, T0 + timedelta(minutes=start_min), T0 + timedelta(minutes=end_min), value
    )


def test_steps_take_the_larger_device_minute_by_minute():
    # The phone's 90 steps over 09:00-09:03 (30 a minute) and the band's 50 in 09:01 alone.
    summary = summarise("steps", [steps("phone", 0, 3, 90), steps("band", 1, 2, 50)])
    assert summary.total == 30 + 50 + 30


def test_an_interval_off_the_minute_is_shared_pro_rata():
    start = T0 + timedelta(seconds=30)
    point = Point("steps", "phone", start, start + timedelta(minutes=1), 60)
    summary = summarise("steps", [point])
    assert summary.total == 60 and summary.minutes == 2


def test_readings_average_across_devices_within_a_minute():
    a = Point("heart_rate", "band", T0, None, 60)
    b = Point("heart_rate", "watch", T0 + timedelta(seconds=20), None, 80)
    c = Point("heart_rate", "band", T0 + timedelta(minutes=1), None, 90)
    summary = summarise("heart_rate", [a, b, c])
    assert (summary.minutes, summary.minimum, summary.maximum, summary.mean) == (2, 70, 90, 80)


def test_a_re_sent_point_replaces_the_earlier_one():
    first = Point("heart_rate", "band", T0, None, 60)
    again = Point("heart_rate", "band", T0, None, 62)
    assert dedupe([first, again]) == [again]


def test_a_steps_interval_over_midnight_counts_on_both_days():
    midnight = datetime(2026, 11, 26, tzinfo=UTC)
    point = Point(
        "steps", "phone", midnight - timedelta(minutes=10), midnight + timedelta(minutes=10), 200
    )
    assert local_days([point], "Europe/London") == {date(2026, 11, 25), date(2026, 11, 26)}
    start, end = day_bounds(date(2026, 11, 25), "Europe/London")
    (summary,) = summaries_between([point], start, end)
    assert summary.total == pytest.approx(100)


def test_the_day_the_clocks_go_forward_has_23_hours():
    start, end = day_bounds(date(2026, 3, 29), "Europe/London")
    assert end - start == timedelta(hours=23)


@pytest.mark.parametrize(
    "kind,value,unit,stored",
    [
        ("weight", 70000, "g", 70),
        ("hrv", 0.045, "s", 45),
        ("heart_rate", 72, "{beats}/min", 72),
    ],
)
def test_units_are_converted_to_the_stored_unit(kind, value, unit, stored):
    point = make_point(0, kind, value, unit, T0, None, "band", WINDOW)
    assert point.value == pytest.approx(stored)


def test_a_steps_rate_above_a_sprint_cadence_is_refused():
    with pytest.raises(PointError) as refused:
        make_point(3, "steps", 700, "{steps}", T0, T0 + timedelta(minutes=2), "band", WINDOW)
    assert (refused.value.index, refused.value.field) == (3, "value")
