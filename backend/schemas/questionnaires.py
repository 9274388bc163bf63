"""Questionnaire payloads: the weekly ESAS-r."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import validate

from backend.domain import questionnaires as q
from backend.schemas.common import Day, Int, StrictSchema, enum


def _item(item: q.Item, required: bool = True):
    gloss = f" ({item.meaning})" if item.meaning else ""
    extra = {} if required else {"load_default": None, "allow_none": True}
    return Int(
        required=required,
        validate=validate.Range(*q.ITEM_RANGE),
        metadata={"description": f"0 = {item.least}{gloss}, 10 = {item.most}"},
        **extra,
    )


EsasItemsSchema = StrictSchema.from_dict(
    {**{i.code: _item(i) for i in q.ITEMS}, q.OTHER.code: _item(q.OTHER, required=False)},
    name="EsasItemsSchema",
)


class EsasCreateSchema(StrictSchema):
    date = Day(
        load_default=None,
        allow_none=True,
        metadata={
            "description": "your local date it describes (default today); one answer per "
            "Monday-to-Sunday week, a queued offline one keeps its day (offline window)"
        },
    )
    items = ma.fields.Nested(
        EsasItemsSchema,
        required=True,
        metadata={"description": q.INSTRUCTION + " Each item 0-10; `other` is optional."},
    )
    other_label = ma.fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.Length(1, 100),
        metadata={"description": "what the other problem is, in your words (with `other`)"},
    )


class QuestionnaireSchema(ma.Schema):
    id = ma.fields.String(required=True)
    instrument = ma.fields.String(required=True, validate=enum((q.ESAS_R,)))
    version = ma.fields.String(required=True)
    date = Day(required=True, metadata={"description": "the patient's local date"})
    week = ma.fields.String(
        required=True, metadata={"description": "ISO week it counts for", "example": "2026-W49"}
    )
    at = ma.fields.DateTime(required=True, metadata={"description": "when it was received"})
    items = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Integer(), required=True)
    other_label = ma.fields.String(required=True, allow_none=True)
    total = ma.fields.Integer(
        required=True,
        metadata={"description": "Total Symptom Distress Score, sum of 9 items, 0-90"},
    )
    physical = ma.fields.Integer(
        required=True, metadata={"description": "physical sub-score, 6 items, 0-60"}
    )
    emotional = ma.fields.Integer(
        required=True, metadata={"description": "emotional sub-score (depression, anxiety), 0-20"}
    )


class QuestionnairePageSchema(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(QuestionnaireSchema), required=True)
    next_cursor = ma.fields.String(
        required=True,
        allow_none=True,
        metadata={"description": "opaque; pass as `cursor` for the next page, null on the last"},
    )
