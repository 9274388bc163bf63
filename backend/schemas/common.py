"""Strict field helpers: integers are integers (2.7 is not 2), unknown fields are refused."""

from __future__ import annotations

import functools
from zoneinfo import available_timezones

import marshmallow as ma
from marshmallow import validate

Int = functools.partial(ma.fields.Integer, strict=True)
# Query strings are always text, so strictness cannot apply there; "2.7" and "true" are still refused.
QueryInt = ma.fields.Integer
Float = functools.partial(ma.fields.Float, allow_nan=False)

_TIMEZONES = frozenset(available_timezones())


class StrictSchema(ma.Schema):
    class Meta:
        unknown = ma.RAISE
        ordered = True


def time_zone(value: str) -> None:
    """An IANA zone that exists (e.g. Europe/London)."""
    if value not in _TIMEZONES:
        raise ma.ValidationError(f"'{value}' is not an IANA time zone, e.g. Europe/London.")


HHMM = validate.Regexp(r"^([01]\d|2[0-3]):[0-5]\d$", error="Use 24-hour HH:MM, e.g. 09:30.")


def one_of(values, what: str):
    return validate.OneOf(values, error=f"Unknown {what} '{{input}}'. Use one of: {{choices}}.")


def enum(values):
    """Document a response field's closed vocabulary (an enum in the OpenAPI document)."""
    return validate.OneOf(values)
