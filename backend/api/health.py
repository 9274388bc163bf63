"""Liveness and readiness for the clinic's IT team."""

from __future__ import annotations

import marshmallow as ma

from backend.api.blueprint import Blueprint
from backend.services import operations

blp = Blueprint("health", __name__, url_prefix="/api/v1", description="Operations")


class HealthSchema(ma.Schema):
    status = ma.fields.String()
    database = ma.fields.String()
    content_version = ma.fields.String(allow_none=True)
    model_version = ma.fields.String(allow_none=True)
    policy = ma.fields.String()


@blp.route("/health", methods=["GET"])
@blp.response(200, HealthSchema)
@blp.alt_response(503, schema=HealthSchema, description="database unreachable")
def health():
    """Is the API up, is the database reachable, which model is active."""
    report = operations.health()
    return report, (200 if report["status"] == "ok" else 503)
