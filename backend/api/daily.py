"""The patient's day: check in, today's session, history, and logging what was done."""

from __future__ import annotations

from backend.api.blueprint import Blueprint
from backend.api.docs import BEARER
from backend.schemas.daily import (
    CheckInCreateSchema,
    CheckInPageSchema,
    CheckInSchema,
    HistoryArgsSchema,
    IdempotencyHeaderSchema,
    OptionalIdempotencyHeaderSchema,
    PageArgsSchema,
    SessionLogCreateSchema,
    SessionLogSchema,
    SessionSchema,
)
from backend.security import current_actor, require
from backend.services import daily

blp = Blueprint("daily", __name__, url_prefix="/api/v1/me", description="The patient's day")


@blp.route("/check-ins", methods=["POST"])
@blp.doc(security=BEARER)
@require("patient")
@blp.arguments(OptionalIdempotencyHeaderSchema, location="headers")
@blp.arguments(CheckInCreateSchema)
@blp.response(201, CheckInSchema)
def check_in(headers, body):
    """Tell us how you are today; the answer says whether to exercise, go lighter, or rest and why."""
    return daily.check_in(current_actor(), body, headers["idempotency_key"])


@blp.route("/check-ins", methods=["GET"])
@blp.doc(security=BEARER)
@require("patient")
@blp.arguments(PageArgsSchema, location="query")
@blp.response(200, CheckInPageSchema)
def list_check_ins(args):
    """Your check-ins, newest first, with the verdict each got; page with `cursor`."""
    return daily.list_check_ins(current_actor(), args["limit"], args.get("cursor"))


@blp.route("/sessions/today", methods=["GET"])
@blp.doc(security=BEARER)
@require("patient")
@blp.etag
@blp.response(200, SessionSchema)
def today():
    """Today's session, with the reason it looks the way it does."""
    return daily.today(current_actor())


@blp.route("/sessions", methods=["GET"])
@blp.doc(security=BEARER)
@require("patient")
@blp.arguments(HistoryArgsSchema, location="query")
@blp.response(200, SessionSchema(many=True))
def history(args):
    """Your past sessions and what you logged, newest first."""
    return daily.history(
        current_actor(), args.get("from_"), args.get("to"), args["limit"], args.get("before")
    )


@blp.route("/sessions/<session_id>/log", methods=["POST"])
@blp.doc(security=BEARER)
@require("patient")
@blp.arguments(IdempotencyHeaderSchema, location="headers")
@blp.arguments(SessionLogCreateSchema)
@blp.response(201, SessionLogSchema)
def log_session(headers, body, session_id):
    """Log a session. Send the same Idempotency-Key when retrying: it is stored once."""
    return daily.log_session(current_actor(), session_id, headers["idempotency_key"], body)
