"""Dashboard sessions live on the server (issue 14, item 2): a cookie is only a token, and a
token stops working the moment its record is revoked or expires."""

from __future__ import annotations

import hashlib
from datetime import timedelta

from sqlalchemy import select

from backend import clock
from backend.extensions import db
from backend.models import Alert, AuditEvent, DashboardSession
from backend.services import accounts
from tests.factories import PASSWORD, bearer, clinic_with_staff, enrol, in_app, login
from tests.integration.review.builders import open_alert
from tests.integration.review.pages import sign_in, token_for

COOKIE = "onward_dashboard"
FIREFOX = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:120.0) Gecko/20100101 Firefox/120.0"


def _clinic_with_alert(client):
    a = clinic_with_staff()
    patient = enrol(client, login(client, a["physio"]), display_name="Ann Hughes")
    return a, patient["id"], open_alert(patient["id"])


def _cookie(client) -> str:
    return client.get_cookie(COOKIE).value


@in_app
def _rows(user_id: str | None = None) -> list[DashboardSession]:
    query = select(DashboardSession).order_by(DashboardSession.created_at)
    rows = db.session.scalars(query).all()
    db.session.expunge_all()
    return [r for r in rows if user_id is None or r.user_id == user_id]


@in_app
def _alert_open(alert_id: str) -> bool:
    return db.session.get(Alert, alert_id).acknowledged_at is None


def test_the_cookie_holds_only_a_random_token_stored_as_its_hash(client):
    a = clinic_with_staff()
    sign_in(client, a["physio"])
    token = _cookie(client)
    assert len(token) >= 40 and "." not in token  # not a signed, readable Flask session
    (row,) = _rows()
    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert row.user_id == a["physio_id"] and row.revoked_at is None
    assert client.get_cookie("onward_signin") is None  # the pre-sign-in cookie is dropped


def test_a_cookie_replayed_after_sign_out_neither_reads_nor_acknowledges(client, app):
    a, patient_id, alert_id = _clinic_with_alert(client)
    sign_in(client, a["physio"])
    token = token_for(client, f"/dashboard/patients/{patient_id}")
    saved = _cookie(client)
    client.post("/dashboard/sign-out", data={"csrf_token": token})
    assert client.get_cookie(COOKIE) is None

    attacker = app.test_client()
    attacker.set_cookie(COOKIE, saved)
    read = attacker.get(f"/dashboard/patients/{patient_id}")
    assert read.status_code == 302 and "/dashboard/sign-in" in read.headers["Location"]
    ack = attacker.post(
        f"/dashboard/alerts/{alert_id}/ack",
        data={"note": "seen", "decision": "resume", "csrf_token": token},
    )
    assert ack.status_code == 302 and "/dashboard/sign-in" in ack.headers["Location"]
    assert _alert_open(alert_id)
    (row,) = _rows()
    assert row.revoked_reason == "sign_out"


def test_a_csrf_token_of_one_session_is_refused_in_another(client, app):
    a, patient_id, alert_id = _clinic_with_alert(client)
    other = app.test_client()
    sign_in(other, a["physio"])
    foreign = token_for(other, "/dashboard/caseload")
    sign_in(client, a["physio"])
    refused = client.post(
        f"/dashboard/alerts/{alert_id}/ack",
        data={"note": "seen", "decision": "resume", "csrf_token": foreign},
    )
    assert refused.status_code == 400 and _alert_open(alert_id)


def test_activity_never_stretches_a_session_past_its_absolute_end(client, app):
    a = clinic_with_staff()
    sign_in(client, a["physio"])
    start, hours = clock.now(), app.config["WEB_SESSION_HOURS"]
    minute = start
    while minute < start + timedelta(hours=hours) - timedelta(minutes=25):
        minute += timedelta(minutes=25)
        with clock.frozen(minute):
            assert client.get("/dashboard/caseload").status_code == 200, minute - start
    (row,) = _rows()
    assert row.idle_expires_at == row.expires_at == start + timedelta(hours=hours)
    with clock.frozen(start + timedelta(hours=hours, seconds=1)):
        response = client.get("/dashboard/caseload")
        assert response.status_code == 302
        page = client.get(response.headers["Location"]).get_data(as_text=True)
        assert "Your sign-in has expired" in page


def test_the_account_page_lists_live_sessions_and_signs_out_another(client, app):
    a = clinic_with_staff()
    laptop = app.test_client()
    laptop.environ_base["HTTP_USER_AGENT"] = FIREFOX
    sign_in(laptop, a["physio"])
    sign_in(client, a["physio"])
    page = client.get("/dashboard/account").get_data(as_text=True)
    assert "Firefox on Windows" in page and "(this browser)" in page
    laptop_row = next(r for r in _rows() if r.user_agent == "Firefox on Windows")
    token = token_for(client, "/dashboard/account")
    done = client.post(
        f"/dashboard/account/sessions/{laptop_row.id}/revoke", data={"csrf_token": token}
    )
    assert done.status_code == 303
    assert laptop.get("/dashboard/caseload").status_code == 302
    assert client.get("/dashboard/caseload").status_code == 200
    assert "Firefox on Windows" not in client.get("/dashboard/account").get_data(as_text=True)


def test_nobody_can_sign_out_another_persons_session(client, app):
    a, b = clinic_with_staff(), clinic_with_staff()
    victim = app.test_client()
    sign_in(victim, a["physio"])
    (victim_row,) = _rows()
    sign_in(client, b["physio"])
    token = token_for(client, "/dashboard/account")
    refused = client.post(
        f"/dashboard/account/sessions/{victim_row.id}/revoke", data={"csrf_token": token}
    )
    assert refused.status_code == 404
    assert victim.get("/dashboard/caseload").status_code == 200


def test_a_password_change_ends_every_other_sign_in_but_this_one(client, app):
    a = clinic_with_staff()
    other = app.test_client()
    sign_in(other, a["physio"])
    api = login(client, a["physio"])
    sign_in(client, a["physio"])
    token = token_for(client, "/dashboard/account")
    wrong = client.post(
        "/dashboard/account/password",
        data={
            "current_password": "not it at all",
            "new_password": "a brand new passphrase",
            "confirm_password": "a brand new passphrase",
            "csrf_token": token,
        },
    )
    assert wrong.status_code == 422 and "current password is not right" in wrong.get_data(True)
    assert other.get("/dashboard/caseload").status_code == 200
    done = client.post(
        "/dashboard/account/password",
        data={
            "current_password": PASSWORD,
            "new_password": "a brand new passphrase",
            "confirm_password": "a brand new passphrase",
            "csrf_token": token,
        },
    )
    assert done.status_code == 303
    assert client.get("/dashboard/caseload").status_code == 200
    assert other.get("/dashboard/caseload").status_code == 302
    assert client.get("/api/v1/patients", headers=bearer(api)).status_code == 401
    refreshed = client.post("/api/v1/auth/refresh", json={"refresh_token": api["refresh_token"]})
    assert refreshed.status_code == 401
    assert sign_in(app.test_client(), a["physio"]).status_code == 401
    assert sign_in(app.test_client(), a["physio"], "a brand new passphrase").status_code == 303
    assert _audited("account.password_change")


@in_app
def _audited(action: str) -> bool:
    return db.session.scalar(select(AuditEvent.id).where(AuditEvent.action == action)) is not None


def test_deactivation_ends_dashboard_sessions_and_api_tokens(client, app):
    a = clinic_with_staff()
    api = login(client, a["physio"])
    sign_in(client, a["physio"])
    in_app(accounts.deactivate)(a["physio"])
    (row,) = _rows()
    assert row.revoked_reason == "deactivated"
    assert client.get("/dashboard/caseload").status_code == 302
    refreshed = client.post("/api/v1/auth/refresh", json={"refresh_token": api["refresh_token"]})
    assert refreshed.status_code == 401


def test_sessions_that_ended_long_ago_are_deleted_at_the_next_sign_in(client, app):
    a = clinic_with_staff()
    sign_in(client, a["physio"])
    start = clock.now()
    with clock.frozen(start + timedelta(days=29)):
        sign_in(app.test_client(), a["physio"])
        assert len(_rows(a["physio_id"])) == 2  # ended, but kept for the record
    with clock.frozen(start + timedelta(days=31)):
        sign_in(app.test_client(), a["physio"])
        assert len(_rows(a["physio_id"])) == 2  # the first one is gone
