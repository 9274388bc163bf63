"""Friendly HTML error pages for the dashboard (the JSON API keeps problem+json)."""

from __future__ import annotations

from flask import Flask, current_app, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from backend.errors import DATABASE_DOWN, RETRY_AFTER_SECONDS, DomainError, database_down
from backend.extensions import api
from backend.web.blueprint import PREFIX, blp

MESSAGES = {
    400: ("This request could not be understood", "Please go back and try again."),
    403: ("Not allowed", "Your account cannot do this."),
    404: (
        "Not found",
        "There is nothing here, or it is not part of your clinic's records.",
    ),
    405: ("Not allowed here", "That action is not available on this page."),
    409: ("Already done", "Someone changed this in the meantime. Reload the page to see it."),
    413: ("Too much data", "The form was too large to accept."),
    429: ("Too many attempts", "Please wait a minute before trying again."),
    500: ("Something went wrong on our side", "Nothing was changed. Please try again."),
    503: ("Briefly unavailable", "Nothing was changed. Please try again in a few seconds."),
}


def _page(status: int, detail: str | None = None):
    title, default = MESSAGES.get(status, MESSAGES[500 if status >= 500 else 400])
    return render_template(
        "web/error.html", status=status, title=title, detail=detail or default
    ), status


@blp.errorhandler(CSRFError)
def _csrf(error: CSRFError):
    return _page(
        400,
        "This form has expired or did not come from this dashboard, so nothing was changed. "
        "Reload the page and try again.",
    )


@blp.errorhandler(HTTPException)
def _http(error: HTTPException):
    status = error.code or 500
    if status >= 500:
        current_app.logger.error("server error", exc_info=error)
    # Only messages meant for people are shown; werkzeug's defaults are generic.
    return _page(status, None)


@blp.errorhandler(DomainError)
def _domain(error: DomainError):
    detail = (
        error.detail if error.status != 404 else None
    )  # a hidden record and a missing one look the same
    return _page(error.status, detail)


def _database_down(error: Exception):
    database_down(error)
    page, status = _page(503)
    return page, status, {"Retry-After": str(RETRY_AFTER_SECONDS)}


for _error in DATABASE_DOWN:
    blp.register_error_handler(_error, _database_down)


@blp.errorhandler(Exception)
def _unexpected(error: Exception):
    if isinstance(error, HTTPException):  # pragma: no cover - routed to _http
        return _http(error)
    current_app.logger.exception("unhandled error on %s %s", request.method, request.path)
    return _page(500)


def register(app: Flask) -> None:
    """App-level 404/405: HTML under the dashboard's prefix, problem+json everywhere else."""

    # A mistyped dashboard address matches no blueprint route: answer it in HTML too, and
    # hand every other path back to the API's problem+json handler.
    def _unrouted(error: HTTPException):
        if request.path == PREFIX or request.path.startswith(PREFIX + "/"):
            return _page(error.code or 404)
        return api.handle_http_exception(error)

    app.register_error_handler(404, _unrouted)
    app.register_error_handler(405, _unrouted)
