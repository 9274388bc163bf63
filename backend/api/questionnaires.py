"""Outcome questionnaires: the patient answers the weekly ESAS-r, the care team reads it."""

from __future__ import annotations

from backend.api.blueprint import Blueprint
from backend.api.docs import BEARER
from backend.schemas.daily import OptionalIdempotencyHeaderSchema, PageArgsSchema
from backend.schemas.questionnaires import (
    EsasCreateSchema,
    QuestionnairePageSchema,
    QuestionnaireSchema,
)
from backend.security import current_actor, require
from backend.services import questionnaires

blp = Blueprint(
    "questionnaires", __name__, url_prefix="/api/v1", description="Outcome questionnaires"
)


@blp.route("/me/questionnaires/esas-r", methods=["POST"])
@blp.doc(security=BEARER)
@require("patient")
@blp.arguments(OptionalIdempotencyHeaderSchema, location="headers")
@blp.arguments(EsasCreateSchema)
@blp.response(201, QuestionnaireSchema)
def submit_esas(headers, body):
    """This week's symptom questionnaire (ESAS-r, public domain): nine items, 0-10 each.

    One answer per Monday-to-Sunday week: a second one that week is a 409 and changes
    nothing (a week's answer is a record the care team may already have read). Send an
    Idempotency-Key to make a retry safe: a replay gets the stored answer.
    """
    return questionnaires.submit_esas(current_actor(), body, headers["idempotency_key"])


@blp.route("/me/questionnaires", methods=["GET"])
@blp.doc(security=BEARER)
@require("patient")
@blp.arguments(PageArgsSchema, location="query")
@blp.response(200, QuestionnairePageSchema)
def list_mine(args):
    """Your questionnaire answers and scores, newest first; page with `cursor`."""
    return questionnaires.list_mine(current_actor(), args["limit"], args.get("cursor"))


@blp.route("/patients/<patient_id>/questionnaires", methods=["GET"])
@blp.doc(security=BEARER)
@require("clinician")
@blp.arguments(PageArgsSchema, location="query")
@blp.response(200, QuestionnairePageSchema)
def list_for_patient(args, patient_id):
    """A patient's questionnaire answers and scores, newest first (audited)."""
    return questionnaires.list_for_patient(
        current_actor(), patient_id, args["limit"], args.get("cursor")
    )
