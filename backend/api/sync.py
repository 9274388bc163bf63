"""POST /me/sync: the phone's queue of offline check-ins, logs and questionnaires, in order.

Each action is its own transaction and gets its own answer (the status and body the single
endpoint would have given), so one bad action never loses or repeats the others; every
action carries its own Idempotency-Key, so replaying a whole batch stores nothing twice.
"""

from __future__ import annotations

import marshmallow as ma
from marshmallow import validate

from backend.api.blueprint import Blueprint
from backend.api.docs import BEARER
from backend.errors import DomainError, ProblemSchema, problem
from backend.schemas.common import StrictSchema, enum
from backend.schemas.daily import (
    IDEMPOTENCY_KEY,
    CheckInCreateSchema,
    CheckInSchema,
    SessionLogCreateSchema,
    SessionLogSchema,
)
from backend.schemas.questionnaires import EsasCreateSchema, QuestionnaireSchema
from backend.security import current_actor, require
from backend.services import daily, questionnaires

blp = Blueprint("sync", __name__, url_prefix="/api/v1/me", description="Offline sync")
MAX_ACTIONS = 50
KINDS = ("check_in", "log", "esas_r")


class Deferred(ma.fields.Nested):
    """Documented as the nested schema, loaded as a plain object: each action's body is
    validated on its own, so one invalid action is answered 422 without failing the batch."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, dict):
            raise self.make_error("type", input=value, type=type(value).__name__)
        return value


class SyncActionSchema(StrictSchema):
    kind = ma.fields.String(required=True, validate=enum(KINDS))
    idempotency_key = ma.fields.String(
        required=True,
        validate=IDEMPOTENCY_KEY,
        metadata={"description": "generated on the phone when the action was queued"},
    )
    session_id = ma.fields.String(
        validate=validate.Length(1, 64), metadata={"description": "log: the session it is for"}
    )
    check_in = Deferred(CheckInCreateSchema, metadata={"description": "kind check_in: its body"})
    log = Deferred(SessionLogCreateSchema, metadata={"description": "kind log: its body"})
    esas_r = Deferred(
        EsasCreateSchema, metadata={"description": "kind esas_r: the weekly questionnaire"}
    )

    @ma.validates_schema
    def _body_for_kind(self, data, **_):
        if data["kind"] == "check_in" and "check_in" not in data:
            raise ma.ValidationError("A check_in action needs its check_in body.", "check_in")
        if data["kind"] == "log" and ("log" not in data or "session_id" not in data):
            raise ma.ValidationError("A log action needs session_id and its log body.", "log")
        if data["kind"] == "esas_r" and "esas_r" not in data:
            raise ma.ValidationError("An esas_r action needs its esas_r body.", "esas_r")


class SyncRequestSchema(StrictSchema):
    actions = ma.fields.List(
        ma.fields.Nested(SyncActionSchema),
        required=True,
        validate=validate.Length(1, MAX_ACTIONS),
        metadata={"description": "oldest first; applied in this order"},
    )


class SyncResultSchema(ma.Schema):
    index = ma.fields.Integer(required=True)
    kind = ma.fields.String(required=True, validate=enum(KINDS))
    idempotency_key = ma.fields.String(required=True)
    status = ma.fields.Integer(
        required=True, metadata={"description": "what the single endpoint would have answered"}
    )
    check_in = ma.fields.Nested(CheckInSchema, allow_none=True, required=True)
    log = ma.fields.Nested(SessionLogSchema, allow_none=True, required=True)
    esas_r = ma.fields.Nested(QuestionnaireSchema, allow_none=True, required=True)
    problem = ma.fields.Nested(
        ProblemSchema, allow_none=True, required=True, metadata={"description": "on a 4xx"}
    )


class SyncResponseSchema(ma.Schema):
    results = ma.fields.List(ma.fields.Nested(SyncResultSchema), required=True)


def _apply(actor, action: dict) -> tuple[int, str, dict]:
    """One action: (status, which body, body)."""
    if action["kind"] == "check_in":
        body = CheckInCreateSchema().load(action["check_in"])
        return 201, "check_in", daily.check_in(actor, body, action["idempotency_key"])
    if action["kind"] == "esas_r":
        body = EsasCreateSchema().load(action["esas_r"])
        stored = questionnaires.submit_esas(actor, body, action["idempotency_key"])
        return 201, "esas_r", stored
    body = SessionLogCreateSchema().load(action["log"])
    stored = daily.log_session(actor, action["session_id"], action["idempotency_key"], body)
    return 201, "log", stored


def _result(index: int, actor, action: dict) -> dict:
    answer = {"index": index, "kind": action["kind"], "idempotency_key": action["idempotency_key"]}
    answer.update(check_in=None, log=None, esas_r=None, problem=None)
    try:
        status, field, body = _apply(actor, action)
        return {**answer, "status": status, field: body}
    except ma.ValidationError as error:
        status, body = 422, problem(422, "Some fields are not valid.", {"json": error.messages})[0]
    except DomainError as error:
        status = error.status
        body = problem(error.status, error.detail, error.errors, title=error.title)[0]
    return {**answer, "status": status, "problem": body}


@blp.route("/sync", methods=["POST"])
@blp.doc(security=BEARER)
@require("patient")
@blp.arguments(SyncRequestSchema)
@blp.response(200, SyncResponseSchema)
def sync(body):
    """Send the phone's queued offline check-ins, logs and questionnaires at once, oldest first.

    Each is applied in order in its own transaction and answered on its own, with the status
    and body its single endpoint would give (201 stored or replayed, 409, 404, 422 outside
    the offline window, ...). Resend the whole batch if the answer was lost: every action's
    Idempotency-Key makes it stored once.
    """
    actor = current_actor()
    return {"results": [_result(i, actor, a) for i, a in enumerate(body["actions"])]}
