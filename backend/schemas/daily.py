"""Library, check-in, session and log payloads."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import validate, validates_schema

from backend.domain import vocabulary as v
from backend.schemas.common import (
    Day,
    Float,
    Int,
    QueryInt,
    StrictSchema,
    answer,
    enum,
    one_of,
    page_args,
    page_of,
)

PARTS = ("warm_up", "main", "cool_down")


# ---------- library ----------
@answer
class DoseSchema(ma.Schema):
    target_rpe = ma.fields.Float(
        metadata={"description": "target effort on the CR-10 scale (0-10)"}
    )
    rpe_scale = ma.fields.String(dump_default="cr10", validate=enum(v.RPE_SCALES))
    minutes = ma.fields.Float(allow_none=True)
    sets = ma.fields.Integer(allow_none=True)
    reps = ma.fields.Integer(allow_none=True)
    hold_seconds = ma.fields.Integer(allow_none=True)
    band = ma.fields.String(allow_none=True, validate=enum(v.BAND_COLOURS))


class MediaSchema(ma.Schema):
    url = ma.fields.String(
        required=True,
        metadata={
            "format": "uri",
            "description": "absolute URL; `?v=` is the file's hash (cache it forever)",
        },
    )
    content_type = ma.fields.String(required=True, metadata={"example": "video/mp4"})
    bytes = ma.fields.Integer(
        required=True, allow_none=True, metadata={"description": "size, null if not known here"}
    )
    kind = ma.fields.String(required=True, validate=validate.OneOf(("image", "video", "other")))
    placeholder = ma.fields.Boolean(
        required=True, metadata={"description": "the stand-in image of an exercise with no media"}
    )


class LevelSchema(ma.Schema):
    level = ma.fields.Integer()
    description = ma.fields.String()
    dose = ma.fields.Nested(DoseSchema)


class ExerciseSchema(ma.Schema):
    id = ma.fields.String()
    title = ma.fields.String()
    modality = ma.fields.String(validate=enum(v.MODALITIES))
    position = ma.fields.String(validate=enum(v.POSITIONS))
    equipment = ma.fields.List(ma.fields.String(validate=enum(v.EQUIPMENT)))
    roles = ma.fields.List(ma.fields.String(validate=enum(PARTS)))
    load_tags = ma.fields.List(ma.fields.String(validate=enum(v.LOAD_TAGS)))
    instructions = ma.fields.String()
    safety_cues = ma.fields.List(ma.fields.String())
    levels = ma.fields.List(ma.fields.Nested(LevelSchema))
    regressions = ma.fields.List(ma.fields.String())
    progressions = ma.fields.List(ma.fields.String())
    seated_variant = ma.fields.String(allow_none=True)
    media = ma.fields.List(ma.fields.Nested(MediaSchema))
    sources = ma.fields.List(ma.fields.String())


class LibrarySchema(ma.Schema):
    content_version = ma.fields.String()
    exercises = ma.fields.List(ma.fields.Nested(ExerciseSchema))


class LibraryArgsSchema(StrictSchema):
    modality = ma.fields.String(validate=one_of(v.MODALITIES, "modality"))
    equipment = ma.fields.String(validate=one_of(v.EQUIPMENT, "equipment"))
    position = ma.fields.String(validate=one_of(v.POSITIONS, "position"))
    level = QueryInt(validate=validate.Range(v.MIN_LEVEL, v.MAX_LEVEL))


# ---------- check-ins ----------
class CheckInCreateSchema(StrictSchema):
    date = ma.fields.Date(
        load_default=None,
        allow_none=True,
        metadata={
            "description": "your local date it is for (default today); a queued offline "
            "check-in keeps its day, up to the offline window (ONWARD_OFFLINE_WINDOW_DAYS) ago"
        },
    )
    fatigue = Int(
        required=True,
        validate=validate.Range(0, 10),
        metadata={"description": "0-10, higher = worse"},
    )
    pain = Int(
        required=True,
        validate=validate.Range(0, 10),
        metadata={"description": "0-10, higher = worse"},
    )
    sleep_quality = Int(load_default=None, allow_none=True, validate=validate.Range(0, 10))
    symptoms = ma.fields.List(
        ma.fields.String(validate=one_of(v.SYMPTOMS, "symptom code")),
        load_default=list,
        validate=validate.Length(max=30),
    )
    temperature_c = Float(load_default=None, allow_none=True, validate=validate.Range(30.0, 45.0))
    pain_at_lesion = ma.fields.Boolean(
        load_default=False,
        metadata={"description": "new or worse pain where a known metastasis is"},
    )
    resting_hr = Float(
        load_default=None,
        allow_none=True,
        validate=validate.Range(*v.VITAL_POSSIBLE_RANGE["resting_hr"]),
        metadata={"description": "resting heart rate, beats per minute"},
    )
    systolic_bp = Float(
        load_default=None,
        allow_none=True,
        validate=validate.Range(*v.VITAL_POSSIBLE_RANGE["systolic_bp"]),
        metadata={"description": "resting systolic blood pressure, mmHg"},
    )
    diastolic_bp = Float(
        load_default=None,
        allow_none=True,
        validate=validate.Range(*v.VITAL_POSSIBLE_RANGE["diastolic_bp"]),
        metadata={"description": "resting diastolic blood pressure, mmHg"},
    )
    spo2 = Float(
        load_default=None,
        allow_none=True,
        validate=validate.Range(*v.VITAL_POSSIBLE_RANGE["spo2"]),
        metadata={"description": "oxygen saturation at rest, %"},
    )
    glucose = Float(
        load_default=None,
        allow_none=True,
        validate=validate.Range(*v.VITAL_POSSIBLE_RANGE["glucose"]),
        metadata={"description": "blood glucose, mmol/L"},
    )

    @validates_schema
    def _pressure_pair(self, data, **_):
        if (data.get("systolic_bp") is None) != (data.get("diastolic_bp") is None):
            raise ma.ValidationError("Give both blood pressure numbers.", "diastolic_bp")
        if data.get("systolic_bp") is not None and data["diastolic_bp"] >= data["systolic_bp"]:
            raise ma.ValidationError(
                "The lower blood pressure number must be below the upper one.", "diastolic_bp"
            )


@answer
class ReasonSchema(ma.Schema):
    code = ma.fields.String()
    message = ma.fields.String()
    severity = ma.fields.String(validate=enum(v.VERDICTS))
    source = ma.fields.String()
    quote = ma.fields.String(metadata={"description": "the source's sentence the rule encodes"})


@answer
class SessionCheckInSchema(ma.Schema):
    done = ma.fields.Boolean(
        required=True, metadata={"description": "today's check-in shaped this session"}
    )
    id = ma.fields.String(
        required=True, allow_none=True, metadata={"description": "that check-in; null with none"}
    )
    status = ma.fields.String(
        allow_none=True,
        validate=enum(v.VERDICTS),
        metadata={"description": "the verdict of the check-in that shaped it; null with none"},
    )
    unlocks_full_session = ma.fields.Boolean(
        metadata={"description": "checking in now may give a fuller session"}
    )


class CheckInVerdictSchema(ma.Schema):
    id = ma.fields.String(required=True)
    date = Day(required=True, metadata={"description": "your local date"})
    status = ma.fields.String(required=True, validate=enum(v.VERDICTS))
    reasons = ma.fields.List(ma.fields.Nested(ReasonSchema), required=True)
    advice = ma.fields.String(required=True)


class CheckInSchema(CheckInVerdictSchema):
    emergency = ma.fields.Boolean(required=True)


class CheckInEntrySchema(CheckInVerdictSchema):
    """A stored check-in: what was reported and the verdict it got."""

    at = ma.fields.DateTime(required=True)
    fatigue = ma.fields.Integer(required=True)
    pain = ma.fields.Integer(required=True)
    sleep_quality = ma.fields.Integer(required=True, allow_none=True)
    symptoms = ma.fields.List(ma.fields.String(validate=enum(v.SYMPTOMS)), required=True)
    temperature_c = ma.fields.Float(required=True, allow_none=True)
    pain_at_lesion = ma.fields.Boolean(required=True)
    resting_hr = ma.fields.Float(required=True, allow_none=True)
    systolic_bp = ma.fields.Float(required=True, allow_none=True)
    diastolic_bp = ma.fields.Float(required=True, allow_none=True)
    spo2 = ma.fields.Float(required=True, allow_none=True)
    glucose = ma.fields.Float(required=True, allow_none=True)


CheckInPageSchema = page_of(CheckInEntrySchema, "CheckInPageSchema")
PageArgsSchema = page_args(20, 100, "CheckInArgsSchema")


# ---------- sessions ----------
@answer
class BlockSchema(ma.Schema):
    exercise_id = ma.fields.String()
    title = ma.fields.String()
    modality = ma.fields.String(validate=enum(v.MODALITIES))
    part = ma.fields.String(validate=enum(PARTS))
    level = ma.fields.Integer()
    dose = ma.fields.Nested(DoseSchema)
    substituted_for = ma.fields.String(allow_none=True)
    instructions = ma.fields.String(
        allow_none=True,
        metadata={"description": "how to do it (null if the exercise left the library)"},
    )
    level_description = ma.fields.String(
        allow_none=True, metadata={"description": "what this level asks for"}
    )
    safety_cues = ma.fields.List(ma.fields.String())
    media = ma.fields.List(ma.fields.Nested(MediaSchema))


@answer
class VersionsSchema(ma.Schema):
    content = ma.fields.String()
    rules = ma.fields.String()
    model = ma.fields.String(allow_none=True)


@answer
class SessionSchema(ma.Schema):
    id = ma.fields.String()
    date = Day()
    status = ma.fields.String(
        validate=enum(v.SESSION_STATUSES),
        metadata={
            "description": "missed: a planned day that ended without a log; blocked: a red-flag "
            "day with nothing offered (labels: GET /vocabulary)"
        },
    )
    verdict = ma.fields.String(validate=enum(v.VERDICTS))
    blocks = ma.fields.List(ma.fields.Nested(BlockSchema))
    modalities = ma.fields.List(ma.fields.String(validate=enum(v.MODALITIES)))
    levels = ma.fields.Dict(
        keys=ma.fields.String(validate=enum(v.MODALITIES)), values=ma.fields.Integer()
    )
    explanation = ma.fields.String()
    planned_load = ma.fields.Float(metadata={"description": "expected sRPE load (minutes x CR-10)"})
    versions = ma.fields.Nested(VersionsSchema)
    reasons = ma.fields.List(
        ma.fields.Nested(ReasonSchema),
        metadata={"description": "every safety rule that shaped this session, with its source"},
    )
    check_in = ma.fields.Nested(SessionCheckInSchema)
    held = ma.fields.Boolean(
        metadata={"description": "a red flag holds sessions until the care team clears them"}
    )
    log = ma.fields.Nested(
        lambda: SessionLogSchema(), allow_none=True, metadata={"description": "null until logged"}
    )


HistoryArgsSchema = page_args(30, 200, "HistoryArgsSchema", from_=Day(data_key="from"), to=Day())
SessionPageSchema = page_of(SessionSchema, "SessionPageSchema")


# ---------- logs ----------
class BlockLogSchema(StrictSchema):
    exercise_id = ma.fields.String(required=True, validate=validate.Length(1, 100))
    completed = ma.fields.Boolean(required=True)
    pain = Int(load_default=None, allow_none=True, validate=validate.Range(0, 10))


class SessionLogCreateSchema(StrictSchema):
    completed = ma.fields.Boolean(required=True)
    minutes = Float(required=True, validate=validate.Range(0, 300))
    session_rpe = Float(
        required=True, metadata={"description": "whole-session effort on rpe_scale"}
    )
    rpe_scale = ma.fields.String(load_default="cr10", validate=one_of(v.RPE_SCALES, "RPE scale"))
    fatigue_after = Int(load_default=None, allow_none=True, validate=validate.Range(0, 10))
    pain_after = Int(load_default=None, allow_none=True, validate=validate.Range(0, 10))
    blocks = ma.fields.List(
        ma.fields.Nested(BlockLogSchema), load_default=list, validate=validate.Length(max=30)
    )
    adverse_event = ma.fields.String(
        load_default=None, allow_none=True, validate=validate.Length(max=1000)
    )
    stopped_early_reason = ma.fields.String(
        load_default=None, allow_none=True, validate=validate.Length(max=1000)
    )

    @validates_schema
    def _rpe_on_its_scale(self, data, **_):
        low, high = v.RPE_SCALE_RANGE[data["rpe_scale"]]
        if not low <= data["session_rpe"] <= high:
            raise ma.ValidationError(
                f"On the {data['rpe_scale']} scale effort runs {low}-{high}.", "session_rpe"
            )


@answer
class SessionLogSchema(ma.Schema):
    id = ma.fields.String()
    session_id = ma.fields.String()
    performed_on = Day()
    received_at = ma.fields.DateTime()
    completed = ma.fields.Boolean()
    minutes = ma.fields.Float()
    session_rpe = ma.fields.Float()
    rpe_scale = ma.fields.String(validate=enum(v.RPE_SCALES))
    session_load = ma.fields.Float()
    fatigue_after = ma.fields.Integer(allow_none=True)
    pain_after = ma.fields.Integer(allow_none=True)
    blocks = ma.fields.List(ma.fields.Nested(BlockLogSchema))
    adverse_event = ma.fields.String(allow_none=True)
    stopped_early_reason = ma.fields.String(allow_none=True)
    status = ma.fields.String(
        validate=enum(v.SESSION_STATUSES),
        metadata={"description": "the session's status after this log"},
    )


IDEMPOTENCY_KEY = validate.Regexp(
    r"^[A-Za-z0-9_.:-]{8,100}$", error="8-100 letters, digits or _ . : -"
)


class IdempotencyHeaderSchema(ma.Schema):
    class Meta:
        unknown = ma.EXCLUDE  # other headers are none of our business

    idempotency_key = ma.fields.String(
        data_key="Idempotency-Key", required=True, validate=IDEMPOTENCY_KEY
    )


class OptionalIdempotencyHeaderSchema(IdempotencyHeaderSchema):
    idempotency_key = ma.fields.String(
        data_key="Idempotency-Key",
        load_default=None,
        validate=IDEMPOTENCY_KEY,
        metadata={"description": "send one to make a retry safe: a replay is stored once"},
    )
