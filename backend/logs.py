"""JSON logs that never carry passwords, tokens or invite codes."""

from __future__ import annotations

import logging
import re
import sys
import time
import uuid

import structlog
from flask import Flask, g, request

SECRET_KEYS = re.compile(r"pass(word)?|token|secret|invite|authori[sz]ation|cookie|code", re.I)
# Bearer tokens / JWTs / invite codes that slip into a message string.
SECRET_VALUES = re.compile(
    r"(eyJ[\w-]+\.[\w-]+\.[\w-]+)|(Bearer\s+\S+)|\b([A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4})\b"
)

# PostgreSQL's error detail quotes the row: "Key (email)=(...) already exists", "Failing row
# contains (...)". hide_parameters cannot hide what the server wrote into the message.
DB_DETAIL = re.compile(r"DETAIL:[^\n]*")


def _scrub(value):
    if isinstance(value, dict):
        return {
            k: ("[redacted]" if SECRET_KEYS.search(str(k)) else _scrub(v)) for k, v in value.items()
        }
    if isinstance(value, list | tuple):
        return [_scrub(v) for v in value]
    if isinstance(value, str):
        return DB_DETAIL.sub("DETAIL: [redacted]", SECRET_VALUES.sub("[redacted]", value))
    return value


def redact(_logger, _name, event_dict):
    """structlog processor: drop secrets by key name and by shape."""
    return _scrub(event_dict)


SHARED = [
    structlog.contextvars.merge_contextvars,
    structlog.stdlib.add_log_level,
    structlog.processors.TimeStamper(fmt="iso", utc=True),
]


def _formatter() -> logging.Formatter:
    return structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=SHARED,
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.format_exc_info,
            redact,
            structlog.processors.JSONRenderer(),
        ],
    )


def render(record: logging.LogRecord) -> str:
    """The line a record becomes on stderr (what tests/logcheck.py inspects)."""
    return _formatter().format(record)


def configure(level: str = "INFO") -> None:
    """Route stdlib and structlog logging through one JSON renderer on stderr."""
    structlog.configure(
        processors=[*SHARED, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        cache_logger_on_first_use=True,
    )
    formatter = _formatter()
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(formatter)
    handler.setLevel(level)  # so a test's capture at a lower level prints nothing more
    handler.onward = True  # replaced by the next configure(); other handlers stay
    root = logging.getLogger()
    root.handlers[:] = [h for h in root.handlers if not getattr(h, "onward", False)] + [handler]
    root.setLevel(level)
    # Even at DEBUG: werkzeug's line carries the query string, SQLAlchemy's the statements
    # and their bound values (e-mails, names).
    for name in QUIET:
        logging.getLogger(name).setLevel(logging.WARNING)


REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")
QUIET = ("werkzeug", "sqlalchemy.engine", "sqlalchemy.pool", "urllib3")


def register(app: Flask) -> None:
    """One access-log line per request: method, route, status, duration; never bodies or headers."""
    log = structlog.get_logger("onward.http")

    @app.before_request
    def _start():
        g.started = time.perf_counter()
        structlog.contextvars.clear_contextvars()
        given = request.headers.get("X-Request-ID", "")
        # A client's id is kept only if it is a plain token: it goes into every log line.
        g.request_id = given if REQUEST_ID.fullmatch(given) else uuid.uuid4().hex
        structlog.contextvars.bind_contextvars(request_id=g.request_id)

    @app.after_request
    def _done(response):
        elapsed = (time.perf_counter() - g.get("started", time.perf_counter())) * 1000
        log.info(
            "request",
            method=request.method,
            route=request.url_rule.rule if request.url_rule else None,
            status=response.status_code,
            ms=round(elapsed, 2),
        )
        if "request_id" in g:  # echoed, so a phone's bug report names the server's log lines
            response.headers["X-Request-ID"] = g.request_id
        return response
