"""The clinician's account page: their live dashboard sessions (sign out any) and password."""

from __future__ import annotations

from flask import flash, g, redirect, render_template, request, session, url_for

from backend.errors import Invalid
from backend.services import accounts, dashboard_sessions
from backend.web import sessions
from backend.web.blueprint import actor, blp


def _page(status: int = 200, errors: dict | None = None):
    listed = dashboard_sessions.live(actor(), g.web_session_id)
    return (
        render_template("web/account.html", sessions=listed, errors=errors or {}),
        status,
    )


@blp.get("/account")
def account():
    """Where this account is signed in, and a form to change its password."""
    return _page()


@blp.post("/account/sessions/<session_id>/revoke")
def revoke_session(session_id):
    """Sign out one session; signing out the current one signs this browser out."""
    dashboard_sessions.revoke_own(actor(), session_id)
    if session_id == g.web_session_id:
        sessions.end(session, "user")
        session.clear()
        flash("You are signed out.", "info")
        return redirect(url_for("web.sign_in"), 303)
    flash("That session is signed out.", "success")
    return redirect(url_for("web.account"), 303)


@blp.post("/account/sessions/revoke-others")
def revoke_other_sessions():
    count = dashboard_sessions.revoke_others(actor(), g.web_session_id)
    flash(f"Signed out {count} other session(s).", "success")
    return redirect(url_for("web.account"), 303)


@blp.post("/account/password")
def change_password():
    """A new password ends every other session and every app sign-in of this account."""
    new = request.form.get("new_password", "")
    if new != request.form.get("confirm_password", ""):
        return _page(422, {"confirm_password": ["The two new passwords differ."]})
    try:
        accounts.change_password(
            actor(), request.form.get("current_password", ""), new, g.web_session_id
        )
    except Invalid as error:
        fields = dict((error.errors or {}).get("json") or {"new_password": [error.detail]})
        if "password" in fields:  # the strength rule names the API's field
            fields["new_password"] = fields.pop("password")
        return _page(422, fields)
    flash("Password changed. Your other sessions are signed out.", "success")
    return redirect(url_for("web.account"), 303)
