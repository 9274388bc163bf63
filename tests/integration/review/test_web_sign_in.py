"""Dashboard sign-in: clinicians only, safe redirects, cookie flags, idle timeout, sign-out."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask

from backend import clock
from backend.extensions import db
from backend.models import DashboardSession, User
from tests.factories import activate, clinic_with_staff, enrol, in_app, login
from tests.integration.review.pages import csrf_from, sign_in, token_for


def test_pages_need_sign_in_and_come_back_after_it(client):
    a = clinic_with_staff()
    assert client.get("/").headers["Location"].endswith("/dashboard/caseload")
    page = client.get("/dashboard/review")
    assert page.status_code == 302 and "/dashboard/sign-in?next=" in page.headers["Location"]
    form = client.get(page.headers["Location"]).get_data(as_text=True)
    assert 'name="next" value="/dashboard/review' in form
    done = client.post(
        "/dashboard/sign-in",
        data={
            "email": a["physio"],
            "password": "correct horse battery",
            "next": "/dashboard/review",
            "csrf_token": csrf_from(form),
        },
    )
    assert done.status_code == 303 and done.headers["Location"].endswith("/dashboard/review")
    assert client.get("/dashboard/review").status_code == 200


def test_next_only_goes_to_dashboard_pages(client):
    a = clinic_with_staff()
    token = token_for(client, "/dashboard/sign-in")
    for target, expected in (
        ("/dashboard/review", "/dashboard/review"),
        ("https://evil.example/dashboard/", "/dashboard/caseload"),
        ("//evil.example/dashboard/", "/dashboard/caseload"),
        ("/api/v1/me", "/dashboard/caseload"),
    ):
        client.post("/dashboard/sign-out", data={"csrf_token": token})
        token = token_for(client, "/dashboard/sign-in")
        response = client.post(
            "/dashboard/sign-in",
            data={
                "email": a["physio"],
                "password": "correct horse battery",
                "next": target,
                "csrf_token": token,
            },
        )
        assert response.headers["Location"].endswith(expected), target
        token = token_for(client, "/dashboard/caseload")


def test_wrong_password_and_unknown_email_get_the_same_answer(client):
    a = clinic_with_staff()
    wrong = sign_in(client, a["physio"], "not the password")
    unknown = sign_in(client, "nobody@clinic.example", "not the password")
    assert wrong.status_code == unknown.status_code == 401
    assert "E-mail or password is not right." in wrong.get_data(as_text=True)
    assert "E-mail or password is not right." in unknown.get_data(as_text=True)
    assert client.get("/dashboard/caseload").status_code == 302


def test_patients_and_admins_cannot_use_the_dashboard(client):
    a = clinic_with_staff()
    physio = login(client, a["physio"])
    patient = enrol(client, physio, email="pat@example.org")
    activate(client, patient["invite_code"])
    for email in ("pat@example.org", a["admin"]):
        response = sign_in(client, email)
        assert response.status_code == 403
        assert "for physiotherapists" in response.get_data(as_text=True)
        assert client.get("/dashboard/caseload").status_code == 302


def test_the_session_cookie_is_httponly_and_samesite_lax(client):
    a = clinic_with_staff()
    response = sign_in(client, a["physio"])
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # test runs over http; production sets it (below)


def test_the_cookie_is_secure_outside_development_and_test():
    from backend import web

    production = Flask("production-like")
    production.config.update(ENV="production", SECRET_KEY="x" * 40)
    web.init_app(production)
    assert production.config["SESSION_COOKIE_SECURE"] is True
    assert production.config["SESSION_COOKIE_HTTPONLY"] is True
    assert production.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert production.config["WEB_IDLE_MINUTES"] == 30


def test_idle_for_longer_than_the_timeout_signs_out(client, app):
    a = clinic_with_staff()
    sign_in(client, a["physio"])
    start = clock.now()
    with clock.frozen(start + timedelta(minutes=20)):
        assert client.get("/dashboard/caseload").status_code == 200  # activity resets the clock
    with clock.frozen(start + timedelta(minutes=45)):
        assert client.get("/dashboard/caseload").status_code == 200
    with clock.frozen(start + timedelta(minutes=45 + app.config["WEB_IDLE_MINUTES"] + 1)):
        response = client.get("/dashboard/caseload")
        assert response.status_code == 302 and "/dashboard/sign-in" in response.headers["Location"]
        page = client.get(response.headers["Location"]).get_data(as_text=True)
        assert "signed out after 30 minutes without activity" in page
        assert client.get("/dashboard/caseload").status_code == 302


def test_a_session_ends_after_a_shift_even_when_active(client, app):
    a = clinic_with_staff()
    sign_in(client, a["physio"])
    _age_sessions(timedelta(hours=13))  # signed in 13 h ago, active a minute ago
    response = client.get("/dashboard/caseload")
    assert response.status_code == 302 and "/dashboard/sign-in" in response.headers["Location"]


@in_app
def _age_sessions(age: timedelta) -> None:
    for row in db.session.query(DashboardSession):
        row.created_at = clock.now() - age
        row.expires_at = row.created_at + timedelta(hours=12)
        row.last_seen_at = clock.now() - timedelta(minutes=1)
    db.session.commit()


@in_app
def _deactivate(email: str) -> None:
    user = db.session.query(User).filter_by(email=email).one()
    user.active = False
    db.session.commit()


def test_a_deactivated_account_loses_the_dashboard_at_once(client):
    a = clinic_with_staff()
    sign_in(client, a["physio"])
    _deactivate(a["physio"])
    assert client.get("/dashboard/caseload").status_code == 302


def test_sign_out_needs_the_form_token_and_ends_the_session(client):
    a = clinic_with_staff()
    sign_in(client, a["physio"])
    refused = client.post("/dashboard/sign-out")
    assert refused.status_code == 400
    assert client.get("/dashboard/caseload").status_code == 200
    token = token_for(client, "/dashboard/caseload")
    done = client.post("/dashboard/sign-out", data={"csrf_token": token})
    assert done.status_code == 303
    assert client.get("/dashboard/caseload").status_code == 302


def test_pages_are_not_cached_and_carry_a_strict_content_security_policy(client):
    a = clinic_with_staff()
    sign_in(client, a["physio"])
    response = client.get("/dashboard/caseload")
    assert response.headers["Cache-Control"] == "no-store"
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp


def test_unknown_dashboard_addresses_get_an_html_page_and_the_api_keeps_problem_json(client):
    html = client.get("/dashboard/no-such-page")
    assert html.status_code == 404 and html.mimetype == "text/html"
    api = client.get("/api/v1/no-such-endpoint")
    assert api.status_code == 404 and api.mimetype == "application/problem+json"
