"""Wearable observation batches: the envelope. Each point is validated by the domain
(backend/domain/observation_input.py) so a 422 can name the point and its field."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import validate

from backend.domain.observations import KINDS, MAX_DEVICE_CHARS, MAX_POINTS
from backend.schemas.common import Moment, StrictSchema

POINT_FORMS = (
    "Either a FHIR R4 Observation (resourceType Observation; LOINC 8867-4 heart rate, 40443-4 "
    "resting heart rate, 55423-8 steps, 80404-7 HRV, 59408-5 or 2708-6 SpO2, 8480-6 / 8462-4 "
    "blood pressure or their 85354-9 panel, 29463-7 body weight; valueQuantity with a UCUM "
    "code; effectiveDateTime or effectivePeriod), or the compact form "
    '{"type", "start", "end", "value", "unit", "device"} with type one of '
    f"{', '.join(KINDS)}. Steps need an end."
)


class SessionLinkSchema(StrictSchema):
    session_id = ma.fields.String(required=True, validate=validate.Length(1, 64))
    start = Moment(required=True)
    end = Moment(required=True)


class ObservationBatchSchema(StrictSchema):
    device = ma.fields.String(
        validate=validate.Length(1, MAX_DEVICE_CHARS),
        metadata={"description": "the source of points that name none (default 'unspecified')"},
    )
    points = ma.fields.List(
        ma.fields.Dict(),
        required=True,
        validate=validate.Length(1, MAX_POINTS),
        metadata={"description": POINT_FORMS},
    )
    sessions = ma.fields.List(
        ma.fields.Nested(SessionLinkSchema),
        validate=validate.Length(0, 20),
        metadata={"description": "sessions to link to the streams by their start and end"},
    )


class SummarySchema(ma.Schema):
    minutes = ma.fields.Integer(
        metadata={"description": "minutes with data, counted once across devices"}
    )
    minimum = ma.fields.Float(allow_none=True)
    maximum = ma.fields.Float(allow_none=True)
    mean = ma.fields.Float(allow_none=True)
    total = ma.fields.Float(
        allow_none=True, metadata={"description": "steps: per-minute maximum across devices"}
    )


class DaySummarySchema(SummarySchema):
    date = ma.fields.Date()
    type = ma.fields.String()


class SessionStreamSchema(ma.Schema):
    session_id = ma.fields.String()
    start = ma.fields.DateTime()
    end = ma.fields.DateTime()
    summaries = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Nested(SummarySchema))


class ObservationResultSchema(ma.Schema):
    received = ma.fields.Integer(metadata={"description": "points read from the batch"})
    stored = ma.fields.Integer(metadata={"description": "distinct (device, type, start) keys"})
    new = ma.fields.Integer(metadata={"description": "keys not stored before (0 on a re-upload)"})
    days = ma.fields.List(ma.fields.Nested(DaySummarySchema))
    sessions = ma.fields.List(ma.fields.Nested(SessionStreamSchema))
