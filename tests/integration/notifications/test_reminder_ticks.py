"""The scheduler ticks every minute for days: one reminder per patient per local day, on time.

Across the DST changes of Europe/London (2026-03-29, 2026-10-25) and America/New_York
(2026-03-08, 2026-11-01), and across a patient flying from London to New York.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from backend import clock
from backend.domain.reminders import SESSION_REMINDER
from backend.services.reminders import queue_due_reminders
from tests import factories
from tests.integration.notifications.builders import clinic_with_patients, notifications
from tests.integration.notifications.conftest import OPEN_SETTINGS, set_patient

LONDON, NEW_YORK = ZoneInfo("Europe/London"), ZoneInfo("America/New_York")
tick = factories.in_app(queue_due_reminders)


def _run(start: datetime, end: datetime, step_minutes: int = 1, on_tick=None) -> None:
    with clock.frozen(start) as frozen:
        while frozen.now() < end:
            if on_tick:
                on_tick(frozen.now())
            tick(frozen.now())
            frozen.advance(minutes=step_minutes)


def _reminders(patient_id: str) -> list[tuple[date, datetime]]:
    rows = notifications(patient_id=patient_id, kind=SESSION_REMINDER, channel="in_app")
    return [(r["local_date"], r["created_at"]) for r in rows]


@pytest.mark.parametrize(
    "zone,change",
    [
        (LONDON, date(2026, 3, 29)),
        (LONDON, date(2026, 10, 25)),
        (NEW_YORK, date(2026, 3, 8)),
        (NEW_YORK, date(2026, 11, 1)),
    ],
    ids=["london-spring", "london-autumn", "new-york-spring", "new-york-autumn"],
)
def test_every_minute_across_a_dst_change(client, zone, change):
    world = clinic_with_patients(client, 3, timezone=zone.key)
    at_930, in_gap_or_fold, late = (p["id"] for p in world["patients"])
    # 01:30 London / 02:30 New York fall in the spring gap, and 01:30 in both is repeated in
    # autumn. 23:45 checks the end of a 23- or 25-hour day.
    odd_time = "01:30" if zone is LONDON or change.month == 11 else "02:30"
    set_patient(at_930, reminder_time="09:30", **OPEN_SETTINGS)
    set_patient(in_gap_or_fold, reminder_time=odd_time, **OPEN_SETTINGS)
    set_patient(late, reminder_time="23:45", **OPEN_SETTINGS)

    start = datetime.combine(change - timedelta(days=1), time(), zone).astimezone(UTC)
    end = datetime.combine(change + timedelta(days=2), time(), zone).astimezone(UTC)
    _run(start, end)

    days = [change + timedelta(days=d) for d in (-1, 0, 1)]

    def expect(wall: str, on: date) -> datetime:
        local = datetime.combine(on, time.fromisoformat(wall), zone)  # fold=0: first occurrence
        if local.astimezone(UTC).astimezone(zone).time() != local.time():  # in the gap
            local = datetime.combine(on, time(2 if zone is LONDON else 3), zone)
        return local.astimezone(UTC)

    assert _reminders(at_930) == [(d, expect("09:30", d)) for d in days]
    assert _reminders(in_gap_or_fold) == [(d, expect(odd_time, d)) for d in days]
    assert _reminders(late) == [(d, expect("23:45", d)) for d in days]
    # The wall clock of the change day itself, spelled out:
    by_day = dict(_reminders(at_930))
    assert by_day[change].astimezone(zone).time() == time(9, 30)
    gap_or_fold = dict(_reminders(in_gap_or_fold))[change].astimezone(zone)
    if change.month == 3:
        assert gap_or_fold.time() == time(2 if zone is LONDON else 3, 0)  # first valid minute
    else:
        assert gap_or_fold.time() == time(1, 30) and gap_or_fold.fold == 0  # once, the first


def test_a_patient_flying_from_london_to_new_york_gets_one_reminder_a_day(client):
    world = clinic_with_patients(client, 1, timezone="Europe/London")
    patient = world["patients"][0]["id"]
    set_patient(patient, reminder_time="09:30", **OPEN_SETTINGS)
    start = datetime(2026, 11, 9, 0, 0, tzinfo=UTC)
    # Lands on 10 Nov at 13:00 London time (08:00 in New York), after the 09:30 London
    # reminder: 09:30 in New York is still 10 Nov there, so no second one that day.
    flight = datetime(2026, 11, 10, 13, 0, tzinfo=UTC)

    def move(now):
        if now == flight:
            set_patient(patient, timezone="America/New_York")

    _run(start, datetime(2026, 11, 13, 0, 0, tzinfo=UTC), on_tick=move)
    assert _reminders(patient) == [
        (date(2026, 11, 9), datetime(2026, 11, 9, 9, 30, tzinfo=UTC)),  # London
        (date(2026, 11, 10), datetime(2026, 11, 10, 9, 30, tzinfo=UTC)),  # London, not again
        (date(2026, 11, 11), datetime(2026, 11, 11, 14, 30, tzinfo=UTC)),  # 09:30 New York
        (date(2026, 11, 12), datetime(2026, 11, 12, 14, 30, tzinfo=UTC)),
    ]


def test_flying_east_before_the_reminder_gets_it_at_the_new_local_time(client):
    world = clinic_with_patients(client, 1, timezone="America/New_York")
    patient = world["patients"][0]["id"]
    set_patient(patient, reminder_time="09:30", **OPEN_SETTINGS)
    # Leaves New York on 10 Nov at 19:00 local (00:00 UTC on 11 Nov), lands in London at
    # 07:00 on 11 Nov: the 11 Nov reminder comes at 09:30 London, not 09:30 New York.
    _run(
        datetime(2026, 11, 10, 5, 0, tzinfo=UTC),
        datetime(2026, 11, 12, 5, 0, tzinfo=UTC),
        on_tick=lambda now: (
            now == datetime(2026, 11, 11, 0, 0, tzinfo=UTC)
            and set_patient(patient, timezone="Europe/London")
        ),
    )
    assert _reminders(patient) == [
        (date(2026, 11, 10), datetime(2026, 11, 10, 14, 30, tzinfo=UTC)),
        (date(2026, 11, 11), datetime(2026, 11, 11, 9, 30, tzinfo=UTC)),
    ]
