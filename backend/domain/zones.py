"""The patient's calendar day, and what a time-zone change may do to it.

A patient's day is the date where they are. A zone change must not hand them a day: moving
east must not start a day that has not started where they were (a way to skip a held day),
and moving west must not reopen a day already lived (a way to log two session days within
minutes). So after a change the date is held, a `ZoneHold`: never below the date at the
change (`floor`), and never above the date in the zone they left (`cap_zone`) until the new
date has started there. At most one new date per midnight follows, whatever the changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class ZoneHold:
    """Until `until` (UTC): the date is at least `floor` and at most the date in `cap_zone`."""

    floor: date
    until: datetime
    cap_zone: str | None = None


def date_in(now: datetime, zone: str) -> date:
    return now.astimezone(ZoneInfo(zone)).date()


def patient_date(now: datetime, zone: str, hold: ZoneHold | None) -> date:
    """Today for the patient: the date in their zone, held after a zone change."""
    today = date_in(now, zone)
    if hold is None or now >= hold.until:
        return today
    if hold.cap_zone is not None:
        today = min(today, date_in(now, hold.cap_zone))
    return max(today, hold.floor)


def _midnight(day: date, zone: str) -> datetime:
    return datetime.combine(day, time(0), tzinfo=ZoneInfo(zone)).astimezone(UTC)


def after_zone_change(
    now: datetime, old_zone: str, new_zone: str, hold: ZoneHold | None
) -> ZoneHold | None:
    """The hold a change from `old_zone` to `new_zone` at `now` needs (None: none needed)."""
    current = patient_date(now, old_zone, hold)
    new_today = date_in(now, new_zone)
    if new_today == current:
        return None
    if new_today < current:  # west: keep today until it starts in the new zone
        return ZoneHold(floor=current, until=_midnight(current, new_zone))
    # East: keep today until the new date starts where the patient was (the zone whose
    # date is today: an active cap, else the zone they leave).
    active_cap = hold is not None and now < hold.until and hold.cap_zone is not None
    was = hold.cap_zone if active_cap and hold is not None else old_zone
    until = max(_midnight(new_today, was), now)
    return ZoneHold(floor=current, until=until, cap_zone=was)
