"""The codes the API exchanges, with plain labels: public, cacheable."""

from __future__ import annotations

import marshmallow as ma

from backend.api.blueprint import Blueprint
from backend.domain import vocabulary as v
from backend.schemas.common import enum
from backend.services import vocabulary

blp = Blueprint("vocabulary", __name__, url_prefix="/api/v1", description="Codes and labels")


class TermSchema(ma.Schema):
    code = ma.fields.String(required=True)
    label = ma.fields.String(required=True)


class SymptomTermSchema(TermSchema):
    code = ma.fields.String(required=True, validate=enum(v.SYMPTOMS))
    severity = ma.fields.String(
        required=True,
        validate=enum(("red", "amber")),
        metadata={"description": "red: no exercise today and the team is told; amber: go lighter"},
    )
    emergency = ma.fields.Boolean(
        required=True, metadata={"description": "stop and call the emergency number"}
    )
    red_with_spinal_lesion = ma.fields.Boolean(
        required=True, metadata={"description": "red (cord compression sign) with a spinal lesion"}
    )


class LesionSiteTermSchema(TermSchema):
    bone = ma.fields.Boolean(required=True)


class MeasureTermSchema(TermSchema):
    unit = ma.fields.String(required=True, metadata={"example": "10^9/L"})


class QuestionnaireItemSchema(ma.Schema):
    code = ma.fields.String(required=True)
    least = ma.fields.String(required=True, metadata={"description": "the label at 0"})
    most = ma.fields.String(required=True, metadata={"description": "the label at 10"})
    meaning = ma.fields.String(required=True, allow_none=True)
    optional = ma.fields.Boolean(required=True)


class QuestionnaireFormSchema(ma.Schema):
    instrument = ma.fields.String(required=True)
    version = ma.fields.String(required=True)
    instruction = ma.fields.String(required=True)
    source = ma.fields.String(required=True)
    items = ma.fields.List(ma.fields.Nested(QuestionnaireItemSchema), required=True)


class VocabularySchema(ma.Schema):
    rules_version = ma.fields.String(required=True)
    symptoms = ma.fields.List(ma.fields.Nested(SymptomTermSchema), required=True)
    modalities = ma.fields.List(ma.fields.Nested(TermSchema), required=True)
    session_statuses = ma.fields.List(ma.fields.Nested(TermSchema), required=True)
    verdicts = ma.fields.List(ma.fields.Nested(TermSchema), required=True)
    precautions = ma.fields.List(ma.fields.Nested(TermSchema), required=True)
    clearances = ma.fields.List(ma.fields.Nested(TermSchema), required=True)
    lesion_sites = ma.fields.List(ma.fields.Nested(LesionSiteTermSchema), required=True)
    labs = ma.fields.List(ma.fields.Nested(MeasureTermSchema), required=True)
    vitals = ma.fields.List(ma.fields.Nested(MeasureTermSchema), required=True)
    esas_r = ma.fields.Nested(
        QuestionnaireFormSchema,
        required=True,
        metadata={"description": "the weekly ESAS-r form, in its published wording"},
    )


@blp.route("/vocabulary", methods=["GET"])
@blp.etag
@blp.response(200, VocabularySchema)
def get_vocabulary():
    """Every code the app shows, with its plain label; symptoms say which are red or amber.

    Public (no sign-in): it holds no patient data, and the app needs it before sign-in too.
    """
    return vocabulary.vocabulary()
