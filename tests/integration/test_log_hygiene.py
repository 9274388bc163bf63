"""Nothing identifying a patient reaches a log line: SQL errors carry no bound values, rate
limits no e-mail addresses, access lines no query strings or Referers. (Every record of the
whole suite is checked as well: tests/logcheck.py.)"""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError

from backend import gunicorn_conf, logs
from backend.extensions import db
from backend.models import User
from tests import factories
from tests.logcheck import leaks


def test_a_database_error_carries_no_bound_values(app):
    staff = factories.clinic_with_staff()
    with app.app_context():
        existing = db.session.get(User, staff["physio_id"])
        row = {c.key: getattr(existing, c.key) for c in User.__table__.columns if c.key != "id"}
        with pytest.raises(IntegrityError) as raised:
            db.session.execute(insert(User).values(id="x" * 32, **row))  # same e-mail
        db.session.rollback()
    assert "parameters hidden" in str(raised.value)  # hide_parameters on the engine
    # PostgreSQL's own detail still quotes the row ("Key (email)=(...)"): the log line drops it.
    record = logging.makeLogRecord(
        {"msg": "boom", "exc_info": (IntegrityError, raised.value, raised.tb)}
    )
    line = logs.render(record)
    assert staff["physio"] not in line and "Physio" not in line
    assert "IntegrityError" in line


def test_rate_limit_lines_carry_no_e_mail_address(client, caplog):
    staff = factories.clinic_with_staff()
    with caplog.at_level(logging.INFO):
        for _ in range(7):
            answer = client.post(
                "/api/v1/auth/login", json={"email": staff["physio"], "password": "wrong"}
            )
    assert answer.status_code == 429
    limiter_lines = [r for r in caplog.records if r.name == "flask-limiter"]
    assert limiter_lines, "the limiter logged nothing: nothing was checked"
    assert all(staff["physio"] not in r.getMessage() for r in limiter_lines)


def test_the_access_line_has_the_route_but_no_query_string_or_referer(client, caplog):
    tokens = factories.login(client, factories.clinic_with_staff()["physio"])
    caplog.clear()
    with caplog.at_level(logging.INFO):
        client.get(
            "/api/v1/patients?search=Winifred",
            headers={**factories.bearer(tokens), "Referer": "https://x.example/?q=Winifred"},
        )
    (line,) = [r for r in caplog.records if r.name == "onward.http"]
    assert line.msg["route"] == "/api/v1/patients" and line.msg["status"] == 200
    assert "Winifred" not in repr(line.msg) and "search" not in repr(line.msg)


class _Response:
    status, sent, headers = "200 OK", 12, []


def test_gunicorns_access_line_has_no_query_string_referer_or_user_agent():
    from gunicorn.config import Config
    from gunicorn.glogging import Logger

    config = Config()
    config.set("access_log_format", gunicorn_conf.access_log_format)
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": "/api/v1/patients?search=Winifred",
        "PATH_INFO": "/api/v1/patients",
        "QUERY_STRING": "search=Winifred",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_REFERER": "https://x.example/?q=Winifred",
        "HTTP_USER_AGENT": "Winifred's phone",
    }
    logger = Logger(config)
    atoms = logger.atoms(_Response(), {}, environ, timedelta(milliseconds=5))
    line = gunicorn_conf.access_log_format % atoms
    assert "GET /api/v1/patients HTTP/1.1" in line and " 200 " in line
    assert "Winifred" not in line and "search" not in line


def test_the_suite_wide_check_sees_addresses_names_tokens_and_sql_parameters():
    factories.identifying("Winifred Example", "device-token-abc")
    record = logging.makeLogRecord(
        {"msg": "sent to %s", "args": ("w.example@example.org",), "name": "x"}
    )
    assert leaks(record, set()) == ["w.example@example.org"]
    try:
        raise RuntimeError("[parameters: ('Winifred Example', 'device-token-abc')]")
    except RuntimeError:
        import sys

        failed = logging.makeLogRecord({"msg": "boom", "exc_info": sys.exc_info()})
    assert sorted(leaks(failed, set(factories.IDENTIFYING))) == [
        "Winifred Example",
        "device-token-abc",
    ]
    assert leaks(logging.makeLogRecord({"msg": "<abc@notifications.onward>"}), set()) == []
    assert leaks(logging.makeLogRecord({"msg": "call +44 20 7946 0958"}), set()) == [
        "+44 20 7946 0958"
    ]
    factories.IDENTIFYING -= {"Winifred Example", "device-token-abc"}
