"""Template filters: dates, times, percentages and codes as a clinician reads them."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import phonenumbers
from flask import g

from backend import clock
from backend.web.blueprint import blp

ACRONYMS = {"picc": "PICC line", "hsct": "Stem-cell transplant (HSCT)", "wbc": "WBC"}


@blp.app_template_filter("humanise")
def humanise(code: str | None) -> str:
    """'walking_aerobic' -> 'Walking aerobic'."""
    code = code or ""
    return ACRONYMS.get(code) or code.replace("_", " ").capitalize()


@blp.app_template_filter("day")
def day(value: date | None) -> str:
    """'Thu 26 Nov'."""
    return f"{value:%a} {value.day} {value:%b}" if value else "–"


@blp.app_template_filter("when")
def when(value: datetime | None) -> str:
    """'26 Nov 2026, 09:00 GMT': in the clinic's zone (stored times are UTC), labelled."""
    if value is None:
        return "–"
    local = value.astimezone(ZoneInfo(g.get("clinic_timezone") or "UTC"))
    return f"{local.day} {local:%b %Y, %H:%M} {local.tzname()}"


@blp.app_template_filter("phone")
def phone(e164: str | None) -> str:
    """'+447700900123' -> '+44 20 7946 0958'."""
    if not e164:
        return "–"
    number = phonenumbers.parse(e164, None)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


@blp.app_template_filter("clock_in")
def clock_in(zone: str) -> str:
    """'14:05 (AEDT)': the time now in a patient's zone."""
    local = clock.now().astimezone(ZoneInfo(zone))
    return f"{local:%H:%M} ({local.tzname()})"


@blp.app_template_filter("ago")
def ago(value: datetime | None) -> str:
    """'5 min ago', '3 h ago', '2 days ago'."""
    if value is None:
        return "–"
    seconds = max(0, (clock.now() - value).total_seconds())
    if seconds < 3600:
        return f"{int(seconds // 60)} min ago"
    if seconds < 86400:
        return f"{int(seconds // 3600)} h ago"
    days = int(seconds // 86400)
    return f"{days} day{'s' if days != 1 else ''} ago"


@blp.app_template_filter("pct")
def pct(value: float | None) -> str:
    return "–" if value is None else f"{value:.0%}"


@blp.app_template_filter("num")
def num(value) -> str:
    """1.0 -> '1', 2.5 -> '2.5', None -> '–'."""
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.1f}".rstrip("0").rstrip(".")
    return str(value)


@blp.app_template_filter("value")
def value(v) -> str:
    """A form field's value: '' for None, ISO for dates, the text as typed otherwise."""
    if v is None:
        return ""
    if isinstance(v, date):
        return v.isoformat()
    return str(v)


@blp.app_template_filter("field_id")
def field_id(name: str) -> str:
    return "f-" + name.replace(".", "-")
