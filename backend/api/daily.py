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
    SessionPageSchema,
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
@blp.doc(operationId="createCheckIn")
def check_in(headers, body):
    """Check in for today.

    Tell us how you are today; the answer says whether to exercise, go lighter or rest, and why. An
    optional `date` keeps a queued offline check-in at its own day (within the offline window);
    an `Idempotency-Key` makes a retry safe.
    """
    return daily.check_in(current_actor(), body, headers["idempotency_key"])


@blp.route("/check-ins", methods=["GET"])
@blp.doc(security=BEARER)
@require("patient")
@blp.arguments(PageArgsSchema, location="query")
@blp.response(200, CheckInPageSchema)
@blp.doc(operationId="listCheckIns")
def list_check_ins(args):
    """List your check-ins.

    Newest day first (latest first within a day), each with the verdict it got; paged with `cursor`
    and `limit`.
    """
    return daily.list_check_ins(current_actor(), args["limit"], args.get("cursor"))


@blp.route("/sessions/today", methods=["GET"])
@blp.doc(security=BEARER)
@require("patient")
@blp.etag
@blp.response(200, SessionSchema)
@blp.doc(operationId="getTodaySession")
def today():
    """Today's session.

    Today's session with every block's dose, instructions, safety cues and media inline, the reason
    it looks the way it does, and whether today's check-in shaped it. Send `If-None-Match` with
    the last ETag to get a 304 until it changes.
    """
    return daily.today(current_actor())


@blp.route("/sessions", methods=["GET"])
@blp.doc(security=BEARER)
@require("patient")
@blp.arguments(HistoryArgsSchema, location="query")
@blp.response(200, SessionPageSchema)
@blp.doc(operationId="listSessions")
def history(args):
    """List your past sessions.

    Your sessions and what you logged, newest first, optionally between `from` and `to`; paged with
    `cursor` and `limit`.
    """
    return daily.history(
        current_actor(), args.get("from_"), args.get("to"), args["limit"], args.get("cursor")
    )


@blp.route("/sessions/<session_id>/log", methods=["POST"])
@blp.doc(security=BEARER)
@require("patient")
@blp.arguments(IdempotencyHeaderSchema, location="headers")
@blp.arguments(SessionLogCreateSchema)
@blp.response(201, SessionLogSchema)
@blp.doc(operationId="logSession")
def log_session(headers, body, session_id):
    """Log a session.

    Record what was done. The `Idempotency-Key` header is required: a retry with the same key and
    body returns the stored log and stores nothing twice. A session older than the offline
    window is a 422.
    """
    return daily.log_session(current_actor(), session_id, headers["idempotency_key"], body)
