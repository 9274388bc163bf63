"""Dashboard sign-in: a signed session cookie, an idle timeout, CSRF on every form."""

from __future__ import annotations

from datetime import datetime, timedelta

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

from backend import clock
from backend.errors import Forbidden, Unauthorised
from backend.extensions import account_limit_key, limiter
from backend.services import dashboard_auth
from backend.web.blueprint import actor, blp, safe_next

csrf = CSRFProtect()
PUBLIC = {"web.sign_in", "web.static"}
TOUCH_EVERY = timedelta(minutes=1)  # refresh "last seen" at most this often (fewer cookie writes)


def _moment(value) -> datetime | None:
    try:
        return datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def _to_sign_in(message: str | None = None):
    session.clear()
    if message:
        flash(message, "info")
    target = request.full_path if request.method == "GET" else None
    return redirect(url_for("web.sign_in", next=target) if target else url_for("web.sign_in"))


def _guard():
    """Everything but the sign-in page and static files needs a live clinician session."""
    if request.endpoint in PUBLIC:
        return None
    user_id = session.get("uid")
    if not user_id:
        return _to_sign_in()
    now = clock.now()
    seen, since = _moment(session.get("seen")), _moment(session.get("since"))
    cfg = current_app.config
    idle = timedelta(minutes=cfg["WEB_IDLE_MINUTES"])
    if seen is None or since is None or now - seen > idle:
        return _to_sign_in(
            f"You were signed out after {cfg['WEB_IDLE_MINUTES']} minutes without activity."
        )
    if now - since > timedelta(hours=cfg["WEB_SESSION_HOURS"]):
        return _to_sign_in("Your sign-in has expired. Please sign in again.")
    found = dashboard_auth.signed_in_actor(user_id, request.remote_addr)
    if found is None:
        return _to_sign_in("Your account can no longer use the dashboard.")
    g.web_actor, g.web_user_name = found
    if now - seen >= TOUCH_EVERY:
        session["seen"] = now.isoformat()
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


def _account_key() -> str:
    return account_limit_key("web-account", request.form.get("email"))


@blp.route("/sign-in", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_ADDRESS"], methods=["POST"])
@limiter.limit(
    lambda: current_app.config["LOGIN_LIMIT_PER_ACCOUNT"], key_func=_account_key, methods=["POST"]
)
def sign_in():
    """The sign-in form; clinicians only."""
    target = safe_next(request.values.get("next"))
    if request.method == "GET":
        if session.get("uid"):
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
    now = clock.now().isoformat()
    session.clear()  # nothing from before sign-in survives it
    session.update({"uid": signed_in.user_id, "since": now, "seen": now})
    return redirect(target, 303)


@blp.post("/sign-out")
def sign_out():
    """End the dashboard session."""
    dashboard_auth.sign_out(actor())
    session.clear()
    flash("You are signed out.", "info")
    return redirect(url_for("web.sign_in"), 303)
