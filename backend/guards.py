"""One gate for hostile input, before any view runs: a request whose JSON body, form, query
string or path carries what no field may hold is refused with a 400 and stored nowhere.

Refused: JSON nested deeper than MAX_DEPTH (Python's parser would hit its recursion limit
and answer 500), text with a NUL character (PostgreSQL cannot store it, and SQLite must not
either) or with a lone surrogate such as "\\ud800" (not encodable as UTF-8: SQLite's driver
fails on it). Anything else is for the schemas to judge.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

from flask import Flask, current_app, request
from werkzeug.exceptions import BadRequest

MAX_DEPTH = 32  # our deepest document (a patient's clinical profile) needs 4


class HostileInput(BadRequest):
    """400, with a detail that says what was wrong (never the value itself)."""


def _strings(value) -> Iterator[str]:
    """Every string (keys included) of a parsed JSON value, breadth-first, without recursion;
    refused past MAX_DEPTH."""
    level = [value]
    for _depth in range(MAX_DEPTH + 1):
        deeper = []
        for item in level:
            if isinstance(item, str):
                yield item
            elif isinstance(item, dict):
                yield from (k for k in item if isinstance(k, str))
                deeper.extend(item.values())
            elif isinstance(item, list):
                deeper.extend(item)
        if not deeper:
            return
        level = deeper
    raise HostileInput(f"The JSON body is nested more than {MAX_DEPTH} levels deep.")


def check_text(value: str, where: str) -> None:
    """Refuse a NUL character or a lone surrogate in one piece of text."""
    if "\x00" in value:
        raise HostileInput(f"The {where} contains a NUL character.")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise HostileInput(f"The {where} contains text that is not valid Unicode.") from None


def parse_json(raw: bytes):
    """The request body as JSON, refused if malformed, too deep, or carrying bad text."""
    try:
        value = json.loads(raw)
    except RecursionError:  # the C parser's own limit, long before ours could be counted
        raise HostileInput(f"The JSON body is nested more than {MAX_DEPTH} levels deep.") from None
    except ValueError:
        raise HostileInput("The body is not valid JSON.") from None
    for string in _strings(value):
        check_text(string, "JSON body")
    return value


# Endpoints that may take a larger body than MAX_CONTENT_LENGTH: endpoint -> config key. Set
# here, in the first before_request that reads the body, so the view's own limit applies.
LARGER_BODIES = {"observations.post_observations": "OBSERVATION_MAX_BODY_BYTES"}


def check_request() -> None:
    """The gate itself: path, query string, form and JSON body."""
    larger = LARGER_BODIES.get(request.endpoint or "")
    if larger:
        request.max_content_length = current_app.config[larger]
    check_text(request.path, "address")  # the path ids come from it
    for key, value in request.args.items(multi=True):
        check_text(key, "query string")
        check_text(value, "query string")
    if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        for key, value in request.form.items(multi=True):
            check_text(key, "form")
            check_text(value, "form")
    if request.is_json and request.content_length != 0:
        raw = request.get_data(cache=True)
        if raw:
            parse_json(raw)


def init_app(app: Flask) -> None:
    """Run the gate before every view (the error handlers answer in problem+json or HTML)."""
    app.before_request(check_request)
