"""Shared fixtures: one app per session, an empty database per test, on SQLite or PostgreSQL.

Set TEST_DATABASE_URL (postgresql+psycopg://...) to run the suite on PostgreSQL. A service a
test needs that is missing fails with a clear message under CI=true, and is skipped otherwise.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime

import pytest

from backend import clock, create_app
from backend.extensions import db, limiter
from tests import factories

pytest_plugins = ["tests.logcheck"]  # every log record of every test is checked for PII
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
START = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)


def need_service(name: str, reason: str) -> None:
    """Fail under CI, skip elsewhere, when a service a test needs is not there."""
    message = f"{name} is not available: {reason}"
    if IN_CI:
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


def database_url(tmp_path_factory) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return url
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"


def app_config(url: str, **extra) -> dict:
    return {
        "ENV": "test",
        "SQLALCHEMY_DATABASE_URI": url,
        "ARGON2_TIME_COST": 1,
        "ARGON2_MEMORY_KIB": 1024,  # fast hashes in tests; production keeps the argon2 defaults
        "LOG_LEVEL": "WARNING",
        **extra,
    }


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    url = database_url(tmp_path_factory)
    application = create_app(app_config(url, MODEL_DIR=tmp_path_factory.mktemp("models")))
    with application.app_context():
        try:
            db.drop_all()
            db.create_all()
        except Exception as error:  # noqa: BLE001 - turned into a clear skip/fail
            need_service(
                "the test database", f"{url.split('@')[-1]}: {error.__class__.__name__}: {error}"
            )
    factories.APP = application
    yield application


@pytest.fixture(autouse=True)
def _fresh_state(request):
    """Every test starts with empty tables, fresh rate limits and a frozen clock."""
    if "app" not in request.fixturenames:
        with clock.frozen(START):
            yield
        return
    app = request.getfixturevalue("app")
    # No app context is held during the test: each request gets its own, as in production
    # (a shared one would leak flask.g between requests).
    with app.app_context():
        _empty_tables()
        limiter.reset()
    with clock.frozen(START):
        yield
    with app.app_context():
        _empty_tables()


def _empty_tables() -> None:
    db.session.rollback()
    for table in reversed(db.metadata.sorted_tables):
        db.session.execute(table.delete())
    db.session.commit()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def now():
    return clock.now()
