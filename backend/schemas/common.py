"""Strict field helpers: integers are integers (2.7 is not 2), unknown fields are refused."""

from __future__ import annotations

import functools
from datetime import UTC, date
from zoneinfo import available_timezones

import marshmallow as ma
from marshmallow import validate

Int = functools.partial(ma.fields.Integer, strict=True)
# Query strings are always text, so strictness cannot apply there; "2.7" and "true" are still refused.
QueryInt = ma.fields.Integer
Float = functools.partial(ma.fields.Float, allow_nan=False)

_TIMEZONES = frozenset(available_timezones())
# The dates the app can compute with: arithmetic near year 1 or 9999 overflows (a 500).
EARLIEST, LATEST = date(1900, 1, 1), date(2200, 12, 31)
RANGE_ERROR = f"Use a date between {EARLIEST} and {LATEST}."


class Day(ma.fields.Date):
    """A calendar date between EARLIEST and LATEST."""

    def _deserialize(self, value, attr, data, **kwargs):
        day = super()._deserialize(value, attr, data, **kwargs)
        if not EARLIEST <= day <= LATEST:
            raise ma.ValidationError(RANGE_ERROR)
        return day


class Moment(ma.fields.AwareDateTime):
    """An instant with a UTC offset, between EARLIEST and LATEST once in UTC."""

    def _deserialize(self, value, attr, data, **kwargs):
        moment = super()._deserialize(value, attr, data, **kwargs)
        try:
            in_utc = moment.astimezone(UTC)
        except OverflowError:  # 0001-01-01T00:00:00+14:00 is before year 1 in UTC
            raise ma.ValidationError(RANGE_ERROR) from None
        if not EARLIEST <= in_utc.date() <= LATEST:
            raise ma.ValidationError(RANGE_ERROR)
        return in_utc


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


# ---------- the one list style (docs/architecture.md, item 48) ----------
CURSOR = ma.fields.String(
    validate=validate.Length(1, 64),
    metadata={"description": "`next_cursor` of the previous page (opaque); omit for the first"},
)


def page_args(default: int, maximum: int, name: str, **fields) -> type[ma.Schema]:
    """The query of a list: `limit` (1..maximum), `cursor`, and the list's own filters."""
    limit = QueryInt(
        load_default=default,
        validate=validate.Range(1, maximum),
        metadata={"description": f"page size, 1-{maximum}"},
    )
    return type(name, (StrictSchema,), {**fields, "limit": limit, "cursor": CURSOR})


def page_of(item: type[ma.Schema], name: str, **fields) -> type[ma.Schema]:
    """A list's answer: `{items, next_cursor}` (and any list-wide `fields`, e.g. counts)."""
    members = {
        **fields,
        "items": ma.fields.List(ma.fields.Nested(item), required=True),
        "next_cursor": ma.fields.String(
            required=True,
            allow_none=True,
            metadata={"description": "pass as `cursor` for the next page; null on the last"},
        ),
    }
    return type(name, (ma.Schema,), members)


def answer(schema: type[ma.Schema]) -> type[ma.Schema]:
    """A response schema whose every member the server always sends (null where allowed):
    each is `required` in the document, so a generated client types it without `Unset`.
    Only for schemas that are never loaded (a required field would refuse input)."""
    for field in schema._declared_fields.values():
        field.required = True
    return schema
