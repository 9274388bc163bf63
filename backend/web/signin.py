"""Dashboard sign-in: a server-side session (web.sessions), its timeouts, CSRF on every form."""

from __future__ import annotations

from flask import (
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_wtf.csrf import CSRFProtect

from backend import sign_in_limits
from backend.errors import Forbidden, Unauthorised
from backend.services import accounts, dashboard_auth
from backend.web import sessions
from backend.web.blueprint import actor, blp, safe_next

csrf = CSRFProtect()
PUBLIC = {"web.sign_in", "web.static"}
ENDED = {
    "idle": "You were signed out after {idle} minutes without activity.",
    "expired": "Your sign-in has expired. Please sign in again.",
    "revoked": "You were signed out. Please sign in again.",
}


def _to_sign_in(message: str | None = None):
    session.clear()
    if message:
        flash(message, "info")
    target = request.full_path if request.method == "GET" else None
    return redirect(url_for("web.sign_in", next=target) if target else url_for("web.sign_in"))


def _guard():
    """Everything but the sign-in page and static files needs a live clinician session."""
    if session.unavailable is not None:
        raise session.unavailable  # the database is down: the outage handler answers 503
    if request.endpoint in PUBLIC:
        return None
    if not session.record_id:
        message = ENDED.get(session.ended or "")
        return _to_sign_in(
            message.format(idle=current_app.config["WEB_IDLE_MINUTES"]) if message else None
        )
    found = dashboard_auth.signed_in_actor(session.user_id, request.remote_addr)
    if found is None:
        sessions.end(session, "deactivated")
        return _to_sign_in("Your account can no longer use the dashboard.")
    g.web_actor, g.web_user_name = found
    g.clinic_timezone = accounts.clinic_timezone(g.web_actor.clinic_id)
    g.web_session_id = session.record_id
    return None


@blp.before_request
def _before():
    # Sign-in first, so an expired session is sent to sign in rather than told its form is stale.
    response = _guard()
    if response is not None:
        return response
    if current_app.config.get("WTF_CSRF_ENABLED", True):
        csrf.protect()
    return None


@blp.route("/sign-in", methods=["GET", "POST"])
@sign_in_limits.guarded
def sign_in():
    """The sign-in form; clinicians only."""
    target = safe_next(request.values.get("next"))
    if request.method == "GET":
        if session.record_id:
            return redirect(target)
        return render_template("web/sign_in.html", next=target, email="")
    email = request.form.get("email", "")
    try:
        signed_in = dashboard_auth.sign_in(
            email, request.form.get("password", ""), request.remote_addr
        )
    except (Unauthorised, Forbidden) as error:
        status = 403 if isinstance(error, Forbidden) else 401
        return (
            render_template("web/sign_in.html", next=target, email=email, error=error.detail),
            status,
        )
    sessions.begin(session, signed_in.user_id, request.headers.get("User-Agent"))
    return redirect(target, 303)


@blp.post("/sign-out")
def sign_out():
    """End the dashboard session."""
    dashboard_auth.sign_out(actor())
    sessions.end(session, "sign_out")
    session.clear()
    flash("You are signed out.", "info")
    return redirect(url_for("web.sign_in"), 303)
