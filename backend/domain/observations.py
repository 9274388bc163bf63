"""Wearable observations: the types Onward accepts, their units and plausible ranges, and the
per-minute arithmetic that turns overlapping devices' points into one day or session summary.

Pure: no web, no ORM. A point is identified by (device, kind, start) within a patient, so a
re-upload replaces the same point and never adds a second one.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

MAX_POINTS = 5000
MAX_DEVICE_CHARS = 64
MINUTE = timedelta(minutes=1)
MAX_FUTURE = timedelta(minutes=5)  # phone clocks drift a little
MAX_STEP_INTERVAL = timedelta(hours=24)
STEPS_PER_MINUTE = 300  # faster than a sprint cadence: a sensor fault, not a walk


@dataclass(frozen=True)
class Kind:
    """One observation type: its UCUM units (unit -> factor to the stored unit) and range."""

    name: str
    stored_unit: str
    units: dict[str, float]
    low: float
    high: float
    interval: bool = False  # a count over [start, end) rather than a reading at start


KINDS: dict[str, Kind] = {
    k.name: k
    for k in (
        Kind("heart_rate", "/min", {"/min": 1, "{beats}/min": 1, "{beat}/min": 1}, 25, 250),
        Kind("resting_hr", "/min", {"/min": 1, "{beats}/min": 1, "{beat}/min": 1}, 25, 200),
        Kind(
            "steps", "{steps}", {"{steps}": 1, "{step}": 1, "{count}": 1, "1": 1}, 0, 100_000, True
        ),
        Kind("hrv", "ms", {"ms": 1, "s": 1000}, 1, 500),
        Kind("spo2", "%", {"%": 1}, 50, 100),
        Kind("systolic_bp", "mm[Hg]", {"mm[Hg]": 1}, 50, 280),
        Kind("diastolic_bp", "mm[Hg]", {"mm[Hg]": 1}, 25, 180),
        Kind("weight", "kg", {"kg": 1, "g": 0.001, "[lb_av]": 0.45359237}, 20, 350),
    )
}


@dataclass(frozen=True)
class Point:
    kind: str
    device: str
    start: datetime  # aware, UTC
    end: datetime | None
    value: float  # in the kind's stored unit

    @property
    def key(self) -> tuple[str, str, datetime]:
        return (self.device, self.kind, self.start)


class PointError(ValueError):
    """A point that cannot be accepted: which one, which field, and why."""

    def __init__(self, index: int, field: str, message: str):
        super().__init__(f"point {index}, {field}: {message}")
        self.index, self.field, self.message = index, field, message


def parse_time(raw, index: int, field: str) -> datetime:
    """An ISO 8601 instant with an offset (a wall-clock time alone is ambiguous)."""
    if isinstance(raw, datetime):
        moment = raw
    elif isinstance(raw, str):
        try:
            moment = datetime.fromisoformat(raw.replace("Z", "+00:00"))
        except ValueError:
            raise PointError(index, field, "not an ISO 8601 date-time.") from None
    else:
        raise PointError(index, field, "not an ISO 8601 date-time.")
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise PointError(index, field, "needs a UTC offset (e.g. Z or +01:00).")
    try:
        return moment.astimezone(UTC)
    except OverflowError:  # 0001-01-01T00:00+14:00 is before year 1 in UTC
        raise PointError(index, field, "out of range.") from None


def make_point(
    index: int,
    kind_name: str,
    value,
    unit,
    start: datetime,
    end: datetime | None,
    device,
    window: tuple[datetime, datetime],
    value_field: str = "value",
    unit_field: str = "unit",
) -> Point:
    """Validate one reading (unit, range, times) and convert it to the stored unit."""
    kind = KINDS.get(kind_name)
    if kind is None:
        raise PointError(index, "type", f"must be one of {', '.join(KINDS)}.")
    if not isinstance(device, str) or not 1 <= len(device.strip()) <= MAX_DEVICE_CHARS:
        raise PointError(index, "device", f"a device name of 1–{MAX_DEVICE_CHARS} characters.")
    if unit not in kind.units:
        raise PointError(index, unit_field, f"{kind.name} takes {', '.join(kind.units)} (UCUM).")
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise PointError(index, value_field, "must be a number.")
    converted = float(value) * kind.units[unit]
    high = kind.high
    if kind.interval:
        if end is None:
            raise PointError(
                index, "end", f"{kind.name} are counted over an interval: give its end."
            )
        if not start < end <= start + MAX_STEP_INTERVAL:
            raise PointError(index, "end", "must be after the start and within 24 hours of it.")
        high = min(high, STEPS_PER_MINUTE * max(1.0, (end - start) / MINUTE))
    elif end is not None and end < start:
        raise PointError(index, "end", "must not be before the start.")
    if not kind.low <= converted <= high:
        raise PointError(
            index,
            value_field,
            f"{kind.name} {value:g} {unit} is outside the plausible {kind.low:g}–{high:g} "
            f"{kind.stored_unit}.",
        )
    oldest, newest = window
    if start < oldest:
        raise PointError(index, "start", "older than the raw-data window; it cannot be stored.")
    if start > newest + MAX_FUTURE or (end is not None and end > newest + MAX_FUTURE):
        raise PointError(index, "start", "is in the future.")
    return Point(kind.name, device.strip(), start, end, round(converted, 4))


def parse_compact(index: int, raw: dict, default_device, window) -> Point:
    """{"type", "start", "end"?, "value", "unit", "device"?}: the phone's own compact form."""
    allowed = {"type", "start", "end", "value", "unit", "device"}
    unknown = sorted(set(raw) - allowed)
    if unknown:
        raise PointError(index, unknown[0], "unknown field.")
    for name in ("type", "start", "value", "unit"):
        if name not in raw:
            raise PointError(index, name, "missing.")
    start = parse_time(raw["start"], index, "start")
    end = parse_time(raw["end"], index, "end") if raw.get("end") is not None else None
    device = raw.get("device", default_device)
    return make_point(index, raw["type"], raw["value"], raw["unit"], start, end, device, window)


def dedupe(points: Iterable[Point]) -> list[Point]:
    """One point per key; a later point in the batch replaces an earlier one."""
    latest: dict[tuple, Point] = {}
    for point in points:
        latest[point.key] = point
    return list(latest.values())


@dataclass(frozen=True)
class Summary:
    """One kind over a day or a session. `minutes` counts minutes with data, whatever the
    number of devices; steps have a `total`, readings a min, max and mean of minute values."""

    kind: str
    minutes: int
    minimum: float | None
    maximum: float | None
    mean: float | None
    total: float | None


def _minute(moment: datetime) -> datetime:
    return moment.replace(second=0, microsecond=0)


def steps_by_minute(points: Iterable[Point]) -> dict[datetime, float]:
    """Per-minute steps counted once across devices: each point is spread evenly over the
    minutes it covers, and each minute keeps the largest device's count (two devices worn
    together see the same steps; the one that saw more missed fewer)."""
    per_device: dict[tuple[str, datetime], float] = defaultdict(float)
    for point in points:
        span = (point.end - point.start).total_seconds()
        cursor = point.start
        while cursor < point.end:
            boundary = min(_minute(cursor) + MINUTE, point.end)
            share = (boundary - cursor).total_seconds() / span
            per_device[(point.device, _minute(cursor))] += point.value * share
            cursor = boundary
    best: dict[datetime, float] = defaultdict(float)
    for (_, minute), count in per_device.items():
        best[minute] = max(best[minute], count)
    return best


def readings_by_minute(points: Iterable[Point]) -> dict[datetime, float]:
    """Per-minute mean of every device's readings in that minute (overlap is not extra data)."""
    sums: dict[datetime, list[float]] = defaultdict(lambda: [0.0, 0])
    for point in points:
        cell = sums[_minute(point.start)]
        cell[0] += point.value
        cell[1] += 1
    return {minute: total / count for minute, (total, count) in sums.items()}


def summarise(kind: str, points: list[Point]) -> Summary | None:
    """The summary of one kind's points (already restricted to the day or session)."""
    if not points:
        return None
    if KINDS[kind].interval:
        minutes = steps_by_minute(points)
        total = round(sum(minutes.values()), 1)
        return Summary(kind, sum(1 for v in minutes.values() if v > 0), None, None, None, total)
    values = list(readings_by_minute(points).values())
    mean = round(sum(values) / len(values), 2)
    return Summary(kind, len(values), round(min(values), 2), round(max(values), 2), mean, None)


def day_bounds(day: date, timezone: str) -> tuple[datetime, datetime]:
    """The UTC instants a local day starts and ends at (23 or 25 hours around DST)."""
    zone = ZoneInfo(timezone)
    start = datetime.combine(day, datetime.min.time(), zone)
    end = datetime.combine(day + timedelta(days=1), datetime.min.time(), zone)
    return start.astimezone(UTC), end.astimezone(UTC)


def local_days(points: Iterable[Point], timezone: str) -> set[date]:
    """The patient's local days the points touch (a steps interval may cross midnight)."""
    zone = ZoneInfo(timezone)
    days = set()
    for point in points:
        days.add(point.start.astimezone(zone).date())
        if point.end is not None:
            days.add((point.end - timedelta(microseconds=1)).astimezone(zone).date())
    return days


def clip(point: Point, start: datetime, end: datetime) -> Point | None:
    """The part of a point inside [start, end): readings by their start, counts pro rata."""
    if point.end is None or not KINDS[point.kind].interval:
        return point if start <= point.start < end else None
    lo, hi = max(point.start, start), min(point.end, end)
    if lo >= hi:
        return None
    share = (hi - lo) / (point.end - point.start)
    return Point(point.kind, point.device, lo, hi, point.value * share)


def summaries_between(points: Iterable[Point], start: datetime, end: datetime) -> list[Summary]:
    """Every kind's summary over [start, end)."""
    by_kind: dict[str, list[Point]] = defaultdict(list)
    for point in points:
        inside = clip(point, start, end)
        if inside is not None:
            by_kind[point.kind].append(inside)
    found = (summarise(kind, by_kind[kind]) for kind in KINDS if by_kind[kind])
    return [s for s in found if s is not None]
