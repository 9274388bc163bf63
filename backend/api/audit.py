"""The audit trail, for the clinic's admins."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import validate

from backend.api.blueprint import Blueprint
from backend.api.docs import BEARER
from backend.schemas.common import page_args, page_of
from backend.security import current_actor, require
from backend.services import audit

blp = Blueprint("audit", __name__, url_prefix="/api/v1/audit", description="Record access audit")


AuditArgsSchema = page_args(
    100, 1000, "AuditArgsSchema", patient_id=ma.fields.String(validate=validate.Length(max=64))
)


class AuditEventSchema(ma.Schema):
    id = ma.fields.String()
    at = ma.fields.DateTime()
    actor_id = ma.fields.String()
    actor_role = ma.fields.String()
    patient_id = ma.fields.String(allow_none=True)
    action = ma.fields.String()
    remote_addr = ma.fields.String(allow_none=True)
    detail = ma.fields.String(allow_none=True)


@blp.route("", methods=["GET"])
@blp.doc(security=BEARER)
@require("admin")
@blp.arguments(AuditArgsSchema, location="query")
@blp.response(200, page_of(AuditEventSchema, "AuditPageSchema"))
@blp.doc(operationId="listAuditEvents")
def list_audit(args):
    """List audit events.

    Who read or changed which record, newest first (your clinic only); paged with `cursor` and
    `limit`.
    """
    return audit.list_events(
        current_actor(), args.get("patient_id"), args["limit"], args.get("cursor")
    )
