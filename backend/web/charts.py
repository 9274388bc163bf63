"""Server-rendered SVG charts: drawn so a trend is seen in a second, readable without colour.

Every chart is an <svg role="img"> with a title and a plain-language description, scales to
its container (viewBox), and carries a tooltip (<title>) on each point. Nothing is fetched.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from datetime import date

from markupsafe import Markup, escape

W, H = 720, 170
LEFT, RIGHT, TOP, BOTTOM = 44, 14, 12, 26
PLOT_W, PLOT_H = W - LEFT - RIGHT, H - TOP - BOTTOM
INK, GRID, MUTED = "#1f2933", "#d9dee5", "#52606d"
FATIGUE, PAIN = "#b45309", "#6d28d9"
EFFORT, LOAD = "#1d4ed8", "#0f766e"
LEVEL, STOPPED = "#334155", "#b91c1c"
APPLIED, PENDING, REJECTED = "#15803d", "#b45309", "#b91c1c"
ESAS = "#be185d"
_ids = itertools.count(1)


def _fmt(day: date) -> str:
    return f"{day.day} {day:%b}"


def _num(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


class Frame:
    """One chart's coordinate system: days along x, a value range up y."""

    def __init__(self, days: Sequence[date], lo: float, hi: float, height: int = H):
        self.days, self.lo, self.hi = list(days), lo, hi
        self.height = height
        self.plot_h = height - TOP - BOTTOM
        self.step = PLOT_W / max(len(self.days), 1)

    def x(self, i: float) -> float:
        return round(LEFT + (i + 0.5) * self.step, 1)

    def y(self, value: float) -> float:
        span = (self.hi - self.lo) or 1
        return round(TOP + self.plot_h * (1 - (value - self.lo) / span), 1)

    def grid(self, ticks: Sequence[float], label=_num, day_ticks: bool = True) -> list[str]:
        parts = []
        for tick in ticks:
            y = self.y(tick)
            parts.append(
                f'<line x1="{LEFT}" x2="{W - RIGHT}" y1="{y}" y2="{y}" stroke="{GRID}" stroke-width="1"/>'
                f'<text x="{LEFT - 6}" y="{y + 4}" text-anchor="end" font-size="11" fill="{MUTED}">'
                f"{escape(label(tick))}</text>"
            )
        for i, day in enumerate(self.days if day_ticks else []):
            if i % 7 == 0:  # week ticks
                x = round(LEFT + i * self.step, 1)
                parts.append(
                    f'<line x1="{x}" x2="{x}" y1="{TOP}" y2="{TOP + self.plot_h}" stroke="{GRID}" '
                    'stroke-width="1" stroke-dasharray="2 3"/>'
                    f'<text x="{x + 2}" y="{self.height - 8}" font-size="11" fill="{MUTED}">'
                    f"{escape(_fmt(day))}</text>"
                )
        return parts

    def svg(self, title: str, description: str, body: list[str]) -> Markup:
        n = next(_ids)
        return Markup(
            f'<svg class="chart" viewBox="0 0 {W} {self.height}" role="img" '
            f'aria-labelledby="chart-{n}-t chart-{n}-d" xmlns="http://www.w3.org/2000/svg">'
            f'<title id="chart-{n}-t">{escape(title)}</title>'
            f'<desc id="chart-{n}-d">{escape(description)}</desc>' + "".join(body) + "</svg>"
        )


def _line(frame: Frame, values, colour: str, dash: str | None, label: str) -> list[str]:
    """A line through the days that have a value (the trend reads across a missing day), with
    a dot and a tooltip on every recorded value."""
    parts = []
    dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
    run = [(frame.x(i), frame.y(v)) for i, v in enumerate(values) if v is not None]
    if len(run) > 1:
        points = " ".join(f"{x},{y}" for x, y in run)
        parts.append(
            f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="2"'
            f'{dash_attr} stroke-linejoin="round"/>'
        )
    for i, value in enumerate(values):
        if value is not None:
            parts.append(
                f'<circle cx="{frame.x(i)}" cy="{frame.y(value)}" r="2.6" fill="{colour}">'
                f"<title>{escape(_fmt(frame.days[i]))}: {escape(label)} {escape(_num(value))}</title>"
                "</circle>"
            )
    return parts


def _mean(values) -> float | None:
    present = [v for v in values if v is not None]
    return sum(present) / len(present) if present else None


def _compare(name: str, values: list, unit: str = "") -> str:
    """'Fatigue averaged 5 in the last 7 days (3 four weeks before).'"""
    now, then = _mean(values[-7:]), _mean(values[-35:-28])
    if now is None:
        return f"No {name.lower()} recorded in the last 7 days."
    text = f"{name} averaged {_num(now)}{unit} in the last 7 days"
    if then is not None:
        text += f" ({_num(then)}{unit} four weeks before)"
    return text + "."


def symptoms(days: list[dict]) -> dict:
    """Fatigue and pain (0-10) from the check-ins."""
    frame = Frame([d["date"] for d in days], 0, 10)
    fatigue = [d["fatigue"] for d in days]
    pain = [d["pain"] for d in days]
    summary = _compare("Fatigue", fatigue) + " " + _compare("Pain", pain)
    body = frame.grid([0, 2, 4, 6, 8, 10])
    body += _line(frame, fatigue, FATIGUE, None, "fatigue")
    body += _line(frame, pain, PAIN, "6 4", "pain")
    return {
        "svg": frame.svg("Fatigue and pain, 0 to 10", summary, body),
        "summary": summary,
        "legend": [("Fatigue", "fatigue"), ("Pain (dashed)", "pain")],
    }


def effort(days: list[dict]) -> dict:
    """Session effort (CR-10) per logged session; stopped sessions ringed in red."""
    frame = Frame([d["date"] for d in days], 0, 10)
    values = [d["effort_cr10"] for d in days]
    body = frame.grid([0, 2, 4, 6, 8, 10])
    body += _line(frame, values, EFFORT, None, "effort (CR-10)")
    stopped = 0
    for i, d in enumerate(days):
        if d["session_status"] == "stopped":
            stopped += 1
            y = frame.y(d["effort_cr10"] if d["effort_cr10"] is not None else 0)
            body.append(
                f'<circle cx="{frame.x(i)}" cy="{y}" r="6" fill="none" stroke="{STOPPED}" '
                f'stroke-width="2"><title>{escape(_fmt(d["date"]))}: session stopped early</title>'
                "</circle>"
            )
    summary = _compare("Session effort", values, "/10")
    if stopped:
        summary += f" {stopped} session{'s' if stopped != 1 else ''} stopped early (ringed)."
    return {
        "svg": frame.svg("Session effort (RPE, CR-10 scale)", summary, body),
        "summary": summary,
        "legend": [("Effort", "effort"), ("Stopped early", "stopped")],
    }


def _nice_max(value: float) -> float:
    if value <= 0:
        return 100
    magnitude = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * magnitude:
            return step * magnitude
    return 10 * magnitude  # pragma: no cover - the loop always returns


def load(days: list[dict]) -> dict:
    """Training load per session (minutes x CR-10) as bars."""
    values = [d["session_load"] for d in days]
    top = _nice_max(max([v for v in values if v is not None] or [0]))
    frame = Frame([d["date"] for d in days], 0, top)
    body = frame.grid([0, top / 2, top], lambda t: f"{t:.0f}")
    width = max(frame.step * 0.7, 1.5)
    for i, value in enumerate(values):
        if value is None:
            continue
        y = frame.y(value)
        body.append(
            f'<rect x="{round(frame.x(i) - width / 2, 1)}" y="{y}" width="{round(width, 1)}" '
            f'height="{round(frame.y(0) - y, 1)}" fill="{LOAD}">'
            f"<title>{escape(_fmt(frame.days[i]))}: load {value:.0f}</title></rect>"
        )
    weekly_now = sum(v for v in values[-7:] if v is not None)
    weekly_then = sum(v for v in values[-35:-28] if v is not None)
    summary = f"Load in the last 7 days: {weekly_now:.0f} (four weeks before: {weekly_then:.0f})."
    return {
        "svg": frame.svg("Training load (minutes × effort)", summary, body),
        "summary": summary,
        "legend": [("Session load", "load")],
    }


def esas(days: list[dict], responses: list[dict]) -> dict:
    """The weekly ESAS-r Total Symptom Distress Score (0-90, higher = worse) on the same days
    axis as load, so a rise in distress lines up with the training around it."""
    frame = Frame([d["date"] for d in days], 0, 90)
    index = {d["date"]: i for i, d in enumerate(days)}
    shown = [r for r in responses if r["date"] in index]
    body = frame.grid([0, 30, 60, 90], lambda t: f"{t:.0f}")
    points = [(frame.x(index[r["date"]]), frame.y(r["total"])) for r in shown]
    if len(points) > 1:
        body.append(
            f'<polyline points="{" ".join(f"{x},{y}" for x, y in points)}" fill="none" '
            f'stroke="{ESAS}" stroke-width="2" stroke-linejoin="round"/>'
        )
    for (x, y), r in zip(points, shown, strict=True):
        label = (
            f"{_fmt(r['date'])}: total {r['total']}/90 "
            f"(physical {r['physical']}/60, emotional {r['emotional']}/20)"
        )
        body.append(
            f'<rect x="{x - 3.5}" y="{y - 3.5}" width="7" height="7" fill="{ESAS}">'
            f"<title>{escape(label)}</title></rect>"
        )
    if shown:
        first, last = shown[0], shown[-1]
        summary = f"Symptom distress {last['total']}/90 on {_fmt(last['date'])}"
        if len(shown) > 1:
            summary += f" ({first['total']} on {_fmt(first['date'])})"
        summary += (
            f"; {len(shown)} weekly questionnaire{'s' if len(shown) != 1 else ''}, higher = worse."
        )
    else:
        summary = "No symptom questionnaire (ESAS-r) answered in this period."
    return {
        "svg": frame.svg("ESAS-r total symptom distress, 0 to 90", summary, body),
        "summary": summary,
        "legend": [("ESAS-r total (weekly)", "esas")],
    }


def _marker_shape(x: float, y: float, marker: dict) -> str:
    label = (
        f"{_fmt(marker['date'])}: {marker['modality'].replace('_', ' ')} "
        f"{marker['current_level']}→{marker['proposed_level']}, {marker['status'].replace('_', ' ')}"
    )
    if marker["status"] in ("pending",):
        shape = f'<circle cx="{x}" cy="{y}" r="5" fill="#fff" stroke="{PENDING}" stroke-width="2">'
        return shape + f"<title>{escape(label)}</title></circle>"
    if marker["status"] == "rejected":
        d = 4.5
        return (
            f'<path d="M{x - d},{y - d}L{x + d},{y + d}M{x - d},{y + d}L{x + d},{y - d}" '
            f'stroke="{REJECTED}" stroke-width="2.2"><title>{escape(label)}</title></path>'
        )
    up = (marker["applied_level"] or 0) >= marker["current_level"]
    d = 6
    points = (
        f"{x},{y - d} {x + d},{y + d * 0.8} {x - d},{y + d * 0.8}"
        if up
        else f"{x},{y + d} {x + d},{y - d * 0.8} {x - d},{y - d * 0.8}"
    )
    colour = APPLIED if marker["status"] != "auto_applied" else LEVEL
    return f'<polygon points="{points}" fill="{colour}"><title>{escape(label)}</title></polygon>'


def level(days: list[dict], modality: str, markers: list[dict], top_level: int) -> dict:
    """The level in force per day for one modality (a step line) with its decisions marked."""
    index = {d["date"]: i for i, d in enumerate(days)}
    frame = Frame([d["date"] for d in days], 0.5, top_level + 0.5, height=150)
    values = [d["levels"].get(modality) for d in days]
    body = frame.grid(list(range(1, top_level + 1)), lambda t: f"L{t:.0f}")
    run: list[str] = []
    for i, value in enumerate(values):
        if value is None:
            if len(run) > 1:
                body.append(_polyline(run))
            run = []
            continue
        left, right = round(frame.x(i) - frame.step / 2, 1), round(frame.x(i) + frame.step / 2, 1)
        y = frame.y(value)
        run += [f"{left},{y}", f"{right},{y}"]
    if len(run) > 1:
        body.append(_polyline(run))
    mine = [m for m in markers if m["modality"] == modality]
    for m in mine:
        day = m["effective_date"] or m["date"]
        if day not in index:
            continue
        shown = m["applied_level"] if m["applied_level"] is not None else m["proposed_level"]
        body.append(_marker_shape(frame.x(index[day]), frame.y(shown), m))
    name = modality.replace("_", " ")
    present = [v for v in values if v is not None]
    if present:
        summary = f"{name.capitalize()}: level {present[0]} at the start, level {present[-1]} now"
    else:
        summary = f"{name.capitalize()}: no level recorded yet"
    decided = [m for m in mine if m["status"] != "pending"]
    summary += f"; {len(decided)} decision{'s' if len(decided) != 1 else ''} in this period."
    return {
        "svg": frame.svg(f"Level: {name}", summary, body),
        "summary": summary,
        "modality": modality,
    }


def _polyline(points: list[str]) -> str:
    return (
        f'<polyline points="{" ".join(points)}" fill="none" stroke="{LEVEL}" stroke-width="2.5"/>'
    )


def adherence(weeks: list[dict]) -> dict:
    """Sessions attended / due per week, against the 80% the programme aims for."""
    frame = Frame([w["week_start"] for w in weeks], 0, 1)
    frame.step = PLOT_W / max(len(weeks), 1)
    body = frame.grid([0, 0.5, 1], lambda t: f"{t:.0%}", day_ticks=False)
    for i, week in enumerate(weeks):
        x = round(LEFT + i * frame.step, 1)
        body.append(
            f'<text x="{x + 2}" y="{frame.height - 8}" font-size="11" fill="{MUTED}">'
            f"{escape(_fmt(week['week_start']))}</text>"
        )
        if week["rate"] is None:
            body.append(
                f'<text x="{frame.x(i)}" y="{frame.y(0) - 4}" text-anchor="middle" font-size="11" '
                f'fill="{MUTED}">–</text>'
            )
            continue
        y = frame.y(week["rate"])
        width = frame.step * 0.6
        label = f"Week of {_fmt(week['week_start'])}: {week['attended']} of {week['due']} sessions"
        body.append(
            f'<rect x="{round(frame.x(i) - width / 2, 1)}" y="{y}" width="{round(width, 1)}" '
            f'height="{round(frame.y(0) - y, 1)}" fill="{EFFORT}"><title>{escape(label)}</title></rect>'
        )
    target = frame.y(0.8)
    body.append(
        f'<line x1="{LEFT}" x2="{W - RIGHT}" y1="{target}" y2="{target}" stroke="{INK}" '
        'stroke-width="1.5" stroke-dasharray="6 4"><title>80% target</title></line>'
    )
    rated = [w for w in weeks if w["rate"] is not None]
    if rated:
        last = rated[-1]
        summary = (
            f"Last week with sessions due: {last['attended']} of {last['due']} done "
            f"({last['rate']:.0%}); dashed line = 80% target."
        )
    else:
        summary = "No sessions were due in this period."
    return {
        "svg": frame.svg("Adherence per week", summary, body),
        "summary": summary,
        "legend": [("Sessions done / due", "effort"), ("80% target (dashed)", "target")],
    }


def sparkline(values: list, lo: float = 0, hi: float = 10, colour: str = FATIGUE) -> Markup:
    """A 14-day mini line for the review queue (its numbers are printed beside it)."""
    width, height, pad = 112, 28, 3
    n = max(len(values) - 1, 1)
    points = [
        (
            round(pad + i * (width - 2 * pad) / n, 1),
            round(height - pad - (v - lo) / (hi - lo) * (height - 2 * pad), 1),
        )
        for i, v in enumerate(values)
        if v is not None
    ]
    body = "".join(f'<circle cx="{x}" cy="{y}" r="1.8" fill="{colour}"/>' for x, y in points)
    if len(points) > 1:
        body = (
            f'<polyline points="{" ".join(f"{x},{y}" for x, y in points)}" fill="none" '
            f'stroke="{colour}" stroke-width="1.5"/>' + body
        )
    return Markup(
        f'<svg class="spark" viewBox="0 0 {width} {height}" aria-hidden="true" '
        f'xmlns="http://www.w3.org/2000/svg"><rect x="0" y="0" width="{width}" height="{height}" '
        f'fill="#f5f7fa"/>{body}</svg>'
    )


def for_patient(trends: dict, top_levels: dict[str, int]) -> dict:
    """Every chart of the patient page from the trends series."""
    days = trends["days"]
    return {
        "symptoms": symptoms(days),
        "effort": effort(days),
        "load": load(days),
        "adherence": adherence(trends["weekly_adherence"]),
        "esas": esas(days, trends.get("questionnaires", [])),
        "levels": [
            level(days, m, trends["adaptations"], top_levels.get(m, 8))
            for m in trends["modalities"]
        ],
    }
