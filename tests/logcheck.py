"""Suite-wide log hygiene: every record produced while a test runs (its setup, call and
teardown, at INFO and above, from any logger) is rendered as the app's log line and searched
for what identifies a person: any
e-mail address, an international phone number, and every display name, e-mail, phone number
and push token the test-data builders handed out (`tests.factories.IDENTIFYING`). A test
whose records carry one fails in its teardown, naming the logger and the value.
"""

from __future__ import annotations

import json
import logging
import re

import pytest

from backend import logs
from tests import factories

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
PHONE = re.compile(r"\+\d[\d ()-]{7,}\d")
# Not personal: the stable Message-ID of a notification e-mail.
NOT_PERSONAL = re.compile(r"@notifications\.onward\b")


class Collect(logging.Handler):
    """Keeps every record it sees until the test's check."""

    def __init__(self):
        super().__init__(logging.INFO)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def text_of(record: logging.LogRecord) -> str:
    """The line the record becomes (message, context, traceback), decoded as well so that
    non-ASCII names escaped by the JSON renderer are found too."""
    line = logs.render(record)
    try:
        return line + "\n" + str(json.loads(line))
    except ValueError:
        return line


def leaks(record: logging.LogRecord, known: set[str]) -> list[str]:
    """The identifying values in one record, each once."""
    text = NOT_PERSONAL.sub("@", text_of(record))
    found = [m.group(0) for m in EMAIL.finditer(text)] + [m.group(0) for m in PHONE.finditer(text)]
    return sorted(set(found) | {value for value in known if value in text})


COLLECT = Collect()


def _listen() -> None:
    root = logging.getLogger()
    if COLLECT not in root.handlers:
        root.addHandler(COLLECT)
    # The suite runs at WARNING on the console; INFO records (access lines, job summaries)
    # must exist to be checked, and the console handler keeps its own level.
    if root.getEffectiveLevel() > logging.INFO:
        root.setLevel(logging.INFO)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item):
    COLLECT.records.clear()
    _listen()
    return (yield)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    _listen()  # again: the session's app may have been created (and logging set) in setup
    return (yield)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item):
    result = yield
    records, COLLECT.records = COLLECT.records, []
    known = set(factories.IDENTIFYING)
    found = [(r.name, r.levelname, value) for r in records for value in leaks(r, known)]
    if found:
        pytest.fail(f"log records carry identifying data: {found[:10]}", pytrace=False)
    return result
