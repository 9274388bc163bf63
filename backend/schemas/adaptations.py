"""Adaptation records and decisions."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import validate, validates_schema

from backend.domain import vocabulary as v
from backend.schemas.common import Day, Int, StrictSchema, one_of, page_args

STATUSES = ("auto_applied", "pending", "approved", "modified", "rejected", "superseded")


class CandidateSchema(ma.Schema):
    level = ma.fields.Integer()
    p_tolerated = ma.fields.Float(allow_none=True)


class FeatureSchema(ma.Schema):
    name = ma.fields.String()
    contribution = ma.fields.Float(
        metadata={"description": "change in P(tolerated) this feature caused"}
    )


class AdaptationSchema(ma.Schema):
    id = ma.fields.String()
    patient_id = ma.fields.String()
    patient_name = ma.fields.String(allow_none=True)
    modality = ma.fields.String()
    date = Day()
    created_at = ma.fields.DateTime()
    trigger = ma.fields.String()
    policy = ma.fields.String()
    model_version = ma.fields.String(allow_none=True)
    current_level = ma.fields.Integer()
    proposed_level = ma.fields.Integer()
    step = ma.fields.Integer()
    candidates = ma.fields.List(ma.fields.Nested(CandidateSchema))
    reason_codes = ma.fields.List(ma.fields.String())
    top_features = ma.fields.List(ma.fields.Nested(FeatureSchema))
    explanation = ma.fields.String(metadata={"description": "the patient's sentence"})
    clinical_summary = ma.fields.String(
        metadata={
            "description": "the physio's sentence: the reasons and main factors in clinical words"
        }
    )
    status = ma.fields.String()
    applied_level = ma.fields.Integer(allow_none=True)
    lighter = ma.fields.Boolean(
        metadata={"description": "the session at that level is served shorter (main work cut)"}
    )
    decided_by = ma.fields.String(allow_none=True)
    decided_at = ma.fields.DateTime(allow_none=True)
    note = ma.fields.String(allow_none=True)


AdaptationArgsSchema = page_args(
    100,
    500,
    "AdaptationArgsSchema",
    status=ma.fields.String(load_default="pending", validate=one_of(STATUSES, "status")),
    patient_id=ma.fields.String(validate=validate.Length(max=64)),
)


class DecisionSchema(StrictSchema):
    decision = ma.fields.String(
        required=True, validate=one_of(("approve", "modify", "reject"), "decision")
    )
    level = Int(
        load_default=None, allow_none=True, validate=validate.Range(v.MIN_LEVEL, v.MAX_LEVEL)
    )
    note = ma.fields.String(load_default=None, allow_none=True, validate=validate.Length(max=1000))

    @validates_schema
    def _level_only_when_modifying(self, data, **_):
        if data["decision"] == "modify" and data.get("level") is None:
            raise ma.ValidationError("Choose the level when modifying.", "level")
        if data["decision"] != "modify" and data.get("level") is not None:
            raise ma.ValidationError("A level is only given when modifying.", "level")
