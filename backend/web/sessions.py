"""Flask's session for the dashboard, kept on the server (services.dashboard_sessions).

A signed-in browser holds one cookie, `onward_dashboard`, whose value is only a random token.
Before sign-in (the sign-in form's CSRF secret, the "you were signed out" notice) the session
is Flask's usual signed cookie under another name, `onward_signin`: it identifies nobody.
"""

from __future__ import annotations

from flask import Flask, Request, Response
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface

from backend.errors import DATABASE_DOWN
from backend.services import dashboard_sessions
from backend.web.blueprint import PREFIX

SIGN_IN_COOKIE = "onward_signin"
STATIC = PREFIX + "/static/"  # style sheets and scripts need no session lookup


class DashboardSession(SecureCookieSession):
    """The request's session; `record_id` is set when it is a live server-side session."""

    record_id: str | None = None
    user_id: str | None = None
    ended: str | None = None  # why the cookie's session no longer works, if it does not
    begun: tuple[str, str] | None = None  # (token, record id) of a sign-in in this request
    revoked: bool = False  # ended by this request (sign-out): drop the cookie
    # The database was unreachable when the session was looked up: raised again inside the
    # request (web.signin), where the outage handler answers 503.
    unavailable: Exception | None = None


def begin(session: DashboardSession, user_id: str, user_agent: str | None) -> None:
    """Sign-in: a new server session from the end of this request, nothing carried over."""
    session.clear()
    session.begun = dashboard_sessions.begin(user_id, user_agent)


def end(session: DashboardSession, reason: str) -> None:
    """Revoke the live session of this request (the cookie is dropped with the response)."""
    if session.record_id:
        dashboard_sessions.revoke(session.record_id, reason)
    session.revoked = True


class DashboardSessionInterface(SecureCookieSessionInterface):
    session_class = DashboardSession

    def get_cookie_name(self, app: Flask) -> str:
        return SIGN_IN_COOKIE  # the parent's signed cookie carries only pre-sign-in state

    def open_session(self, app: Flask, request: Request) -> DashboardSession | None:
        session = super().open_session(app, request)
        token = request.cookies.get(app.config["SESSION_COOKIE_NAME"])
        needs_lookup = request.path.startswith(PREFIX) and not request.path.startswith(STATIC)
        if session is None or not token or not needs_lookup:
            return session
        try:
            opened = dashboard_sessions.open_token(token)
        except DATABASE_DOWN as error:
            session.unavailable = error
            return session
        if opened.ended is not None:
            session.ended = opened.ended
            return session
        live = DashboardSession(opened.data)
        live.record_id, live.user_id = opened.id, opened.user_id
        return live

    def save_session(self, app: Flask, session: DashboardSession, response: Response) -> None:
        name = app.config["SESSION_COOKIE_NAME"]
        if session.unavailable is not None:
            return  # nothing is known about this session: leave every cookie as it is
        if session.begun:
            token, record_id = session.begun
            if session:
                dashboard_sessions.save_data(record_id, dict(session))
            self._set(app, response, name, token)
            self._drop(app, response, SIGN_IN_COOKIE)
            return
        if session.record_id and not session.revoked:
            if session.modified:
                dashboard_sessions.save_data(session.record_id, dict(session))
            return
        if session.record_id or session.ended:
            self._drop(app, response, name)  # revoked, expired or unknown: forget the token
        if session.record_id:  # revoked by this request: only its notices outlive it
            flashes = session.get("_flashes")
            session = DashboardSession({"_flashes": flashes} if flashes else {})
            session.modified = bool(flashes)
        super().save_session(app, session, response)

    def _cookie_flags(self, app: Flask) -> dict:
        return {
            "domain": self.get_cookie_domain(app),
            "path": self.get_cookie_path(app),
            "secure": self.get_cookie_secure(app),
            "httponly": self.get_cookie_httponly(app),
            "samesite": self.get_cookie_samesite(app),
        }

    def _set(self, app: Flask, response: Response, name: str, value: str) -> None:
        response.set_cookie(name, value, **self._cookie_flags(app))
        response.vary.add("Cookie")

    def _drop(self, app: Flask, response: Response, name: str) -> None:
        response.delete_cookie(name, **self._cookie_flags(app))
        response.vary.add("Cookie")
