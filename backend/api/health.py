"""Liveness and readiness for the clinic's IT team."""

from __future__ import annotations

import marshmallow as ma
from flask import jsonify

from backend.api.blueprint import Blueprint
from backend.errors import RETRY_AFTER_SECONDS, problem
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
@blp.alt_response(
    503,
    schema=HealthSchema,
    content_type="application/problem+json",
    description="database unreachable: a problem document with these members too",
)
@blp.doc(operationId="getHealth")
def health():
    """Health and readiness.

    Is the API up, is the database reachable, which content and model are active. 503 while the
    database is unreachable.
    """
    report = operations.health()
    if report["status"] == "ok":
        return report
    body, status, headers = problem(
        503, "The database is unreachable.", headers={"Retry-After": str(RETRY_AFTER_SECONDS)}
    )
    # A Response, so the 200 schema does not strip the problem members.
    response = jsonify({**report, **body})  # "status" is the HTTP status here
    response.status_code = status
    response.headers.update(headers)
    return response
