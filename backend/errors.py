"""Every error an API client sees is application/problem+json (RFC 9457)."""

from __future__ import annotations

import http

import marshmallow as ma
from flask import current_app, request
from flask_smorest import Api
from flask_smorest.utils import prepare_response
from sqlalchemy.exc import DisconnectionError, InterfaceError, OperationalError
from werkzeug.exceptions import HTTPException, InternalServerError

PROBLEM = "application/problem+json"
# The database cannot be reached (refused, dropped, timed out, locked): a 503, not a bug.
DATABASE_DOWN = (OperationalError, InterfaceError, DisconnectionError)
RETRY_AFTER_SECONDS = 5  # an outage usually ends with a failover or a restart
UNAVAILABLE = "The service is briefly unavailable. Nothing was changed; try again shortly."


class DomainError(Exception):
    """A use-case refusal that maps to one HTTP status."""

    status = 400
    title = "Bad request"

    def __init__(self, detail: str, errors: dict | None = None):
        super().__init__(detail)
        self.detail = detail
        self.errors = errors


class NotFound(DomainError):
    status, title = 404, "Not found"


class Conflict(DomainError):
    status, title = 409, "Conflict"


class Invalid(DomainError):
    status, title = 422, "Unprocessable content"


class Unauthorised(DomainError):
    status, title = 401, "Not signed in"


class Forbidden(DomainError):
    status, title = 403, "Forbidden"


class PreconditionFailed(DomainError):
    status, title = 412, "Precondition failed"


class ProblemSchema(ma.Schema):
    """RFC 9457 problem details (documentation only)."""

    type = ma.fields.String(required=True)
    title = ma.fields.String(required=True)
    status = ma.fields.Integer(required=True)
    detail = ma.fields.String(required=True, metadata={"description": "a sentence to show"})
    errors = ma.fields.Dict(metadata={"description": "field errors, for 422"})


def problem(status: int, detail: str | None = None, errors=None, headers=None, title=None):
    """Build a problem+json response tuple."""
    phrase = http.HTTPStatus(status).phrase
    body = {
        "type": f"https://onward.example/problems/{status}",
        "title": title or phrase,
        "status": status,
        "detail": detail or phrase,
    }
    if errors:
        body["errors"] = errors
    out_headers = {"Content-Type": PROBLEM}
    out_headers.update(headers or {})
    return body, status, out_headers


class ProblemApi(Api):
    """flask-smorest Api whose errors are problem+json and keep their headers (Allow, Retry-After)."""

    ERROR_SCHEMA = ProblemSchema

    def _register_responses(self):
        # Same as flask-smorest's, but documented with the problem+json media type.
        for status in http.HTTPStatus:
            response = {"description": status.phrase}
            if not (100 <= status < 200) and status not in (204, 304):
                response["schema"] = self.ERROR_SCHEMA
            prepare_response(response, self.spec, PROBLEM)
            self.spec.components.response(status.name, response, lazy=True)
        response = {"description": "Default error response", "schema": self.ERROR_SCHEMA}
        prepare_response(response, self.spec, PROBLEM)
        self.spec.components.response("DEFAULT_ERROR", response, lazy=True)

    def _register_error_handlers(self):
        self._app.register_error_handler(HTTPException, self.handle_http_exception)
        self._app.register_error_handler(DomainError, handle_domain_error)
        for error in DATABASE_DOWN:
            self._app.register_error_handler(error, handle_database_down)
        self._app.register_error_handler(Exception, handle_unexpected)

    def handle_http_exception(self, error: HTTPException):
        data = getattr(error, "data", None) or {}
        headers = dict(error.get_headers())  # keeps Allow on 405, Retry-After on 429
        headers.pop("Content-Type", None)
        if error.code == 304:  # ETag matched: no body at all
            return "", 304, {**headers, **(data.get("headers") or {})}
        headers.update(data.get("headers") or {})
        errors = data.get("errors") or data.get("messages")
        detail = data.get("message") or error.description
        if error.code == 429:
            detail = "Too many attempts. Please wait before trying again."
        if error.code >= 500:
            current_app.logger.error("server error", exc_info=error.original_exception or error)
            detail = "Something went wrong on our side. Nothing was changed."
        return problem(error.code or 500, detail, errors, headers)


def handle_domain_error(error: DomainError):
    return problem(error.status, error.detail, error.errors, title=error.title)


def database_down(error: Exception) -> None:
    """Log an outage without its statement or parameters, and drop the broken transaction."""
    from backend.extensions import db

    cause = getattr(error, "orig", None) or error
    current_app.logger.error(
        "database unavailable on %s %s: %s",
        request.method,
        request.url_rule.rule if request.url_rule else "(no route)",
        cause.__class__.__name__,
    )
    try:
        db.session.rollback()
    except Exception:  # noqa: BLE001 - the connection is gone; the pool replaces it
        db.session.close()


def handle_database_down(error: Exception):
    database_down(error)
    return problem(503, UNAVAILABLE, headers={"Retry-After": str(RETRY_AFTER_SECONDS)})


def handle_unexpected(error: Exception):
    if isinstance(error, HTTPException):  # pragma: no cover - routed above
        raise error
    current_app.logger.exception("unhandled error on %s %s", request.method, request.path)
    return problem(
        InternalServerError.code, "Something went wrong on our side. Nothing was changed."
    )
