"""The audit trail, for the clinic's admins."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import validate

from backend.api.blueprint import Blueprint
from backend.api.docs import BEARER
from backend.schemas.common import Moment, QueryInt, StrictSchema
from backend.security import current_actor, require
from backend.services import audit

blp = Blueprint("audit", __name__, url_prefix="/api/v1/audit", description="Record access audit")


class AuditArgsSchema(StrictSchema):
    patient_id = ma.fields.String(validate=validate.Length(max=64))
    limit = QueryInt(load_default=100, validate=validate.Range(1, 1000))
    before = Moment(metadata={"description": "page: events strictly before this time"})


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
@blp.response(200, AuditEventSchema(many=True))
@blp.doc(operationId="listAuditEvents")
def list_audit(args):
    """List audit events.

    Who read or changed which record, newest first (your clinic only); paged with `cursor` and
    `limit`.
    """
    return audit.list_events(
        current_actor(), args.get("patient_id"), args["limit"], args.get("before")
    )
