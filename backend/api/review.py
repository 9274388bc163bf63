"""The physiotherapist's overview: caseload status, red-flag alerts and patient trends."""

from __future__ import annotations

from backend.api.blueprint import Blueprint
from backend.api.docs import BEARER
from backend.schemas.common import page_of
from backend.schemas.review import (
    AcknowledgeSchema,
    AlertArgsSchema,
    AlertSchema,
    CaseloadStatusArgsSchema,
    CaseloadStatusSchema,
    TrendsArgsSchema,
    TrendsSchema,
)
from backend.security import current_actor, require
from backend.services import caseload, review, trends

blp = Blueprint(
    "review", __name__, url_prefix="/api/v1", description="Caseload status, alerts and trends"
)


@blp.route("/caseload", methods=["GET"])
@blp.doc(security=BEARER)
@require("clinician")
@blp.arguments(CaseloadStatusArgsSchema, location="query")
@blp.response(200, CaseloadStatusSchema)
@blp.doc(operationId="listCaseload")
def caseload_status(args):
    """Your caseload by urgency.

    Each patient's status, most urgent first, with counts of the whole caseload at a glance; paged
    with `cursor` and `limit`.
    """
    return caseload.caseload_page(
        current_actor(),
        args.get("search"),
        args["status"],
        args["scope"],
        args["limit"],
        args.get("cursor"),
    )


@blp.route("/alerts", methods=["GET"])
@blp.doc(security=BEARER)
@require("clinician")
@blp.arguments(AlertArgsSchema, location="query")
@blp.response(200, page_of(AlertSchema, "AlertPageSchema"))
@blp.doc(operationId="listAlerts")
def list_alerts(args):
    """List red-flag alerts.

    Red-flag alerts of your clinic: open ones longest-waiting first, or acknowledged ones most
    recent first; paged with `cursor` and `limit`.
    """
    return review.list_alerts(
        current_actor(), args["status"], args.get("patient_id"), args["limit"], args.get("cursor")
    )


@blp.route("/alerts/<alert_id>/ack", methods=["POST"])
@blp.doc(security=BEARER)
@require("clinician")
@blp.arguments(AcknowledgeSchema)
@blp.response(200, AlertSchema)
@blp.doc(operationId="acknowledgeAlert")
def acknowledge(body, alert_id):
    """Acknowledge a red-flag alert.

    Acknowledge a red flag with a note and a decision on the patient's sessions (audited). Sessions
    stay held until then; `pause` keeps them held, and a paused alert can be decided again
    (resume or resume_lighter) later.
    """
    return review.acknowledge(current_actor(), alert_id, body["note"], body["decision"])


@blp.route("/patients/<patient_id>/trends", methods=["GET"])
@blp.doc(security=BEARER)
@require("clinician")
@blp.arguments(TrendsArgsSchema, location="query")
@blp.response(200, TrendsSchema)
@blp.doc(operationId="getPatientTrends")
def patient_trends(args, patient_id):
    """A patient's trends.

    Daily series of the last weeks: fatigue, pain, effort, load, level per modality and adherence.
    """
    return trends.trends(current_actor(), patient_id, args["weeks"])
