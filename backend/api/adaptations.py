"""The physiotherapist's review of intensity adaptations."""

from __future__ import annotations

from backend.api.blueprint import Blueprint
from backend.api.docs import BEARER
from backend.schemas.adaptations import AdaptationArgsSchema, AdaptationSchema, DecisionSchema
from backend.schemas.common import page_of
from backend.security import current_actor, require
from backend.services import adaptations

blp = Blueprint(
    "adaptations", __name__, url_prefix="/api/v1/adaptations", description="Intensity adaptations"
)


@blp.route("", methods=["GET"])
@blp.doc(security=BEARER)
@require("clinician")
@blp.arguments(AdaptationArgsSchema, location="query")
@blp.response(200, page_of(AdaptationSchema, "AdaptationPageSchema"))
@blp.doc(operationId="listAdaptations")
def list_adaptations(args):
    """List intensity adaptations.

    The review queue (status=pending, most urgent first) or the history of other statuses, newest
    first; paged with `cursor` and `limit`.
    """
    return adaptations.list_for_clinic(
        current_actor(), args["status"], args.get("patient_id"), args["limit"], args.get("cursor")
    )


@blp.route("/<adaptation_id>/decision", methods=["POST"])
@blp.doc(security=BEARER)
@require("clinician")
@blp.arguments(DecisionSchema)
@blp.response(200, AdaptationSchema)
@blp.doc(operationId="decideAdaptation")
def decide(body, adaptation_id):
    """Decide a proposed adaptation.

    Approve, modify (with a level inside the prescription) or reject a pending proposal, with a
    note; a decided one is a 409.
    """
    return adaptations.decide(
        current_actor(), adaptation_id, body["decision"], body.get("level"), body.get("note")
    )
