"""The physiotherapist dashboard: server-rendered pages on the same services as the API.

`init_app(app)` registers the blueprint, CSRF protection for its forms only (the JSON API
authenticates with bearer tokens and stays exempt), the session cookie settings, HTML error
pages and a redirect from `/` to the caseload.
"""

from __future__ import annotations

from flask import Flask, redirect, url_for

from backend.config import NON_PRODUCTION

DEFAULTS = {
    "WEB_IDLE_MINUTES": 30,  # signed out after this long without a request
    "WEB_SESSION_HOURS": 12,  # and after this long whatever happens (one clinic shift)
}


def init_app(app: Flask) -> None:
    """Register the dashboard on an app built by create_app()."""
    from backend.web import (  # noqa: F401 - they register on blp
        account,
        filters,
        pages_errors,
        sessions,
        signin,
        views,
    )
    from backend.web.blueprint import blp

    for key, value in DEFAULTS.items():
        app.config.setdefault(key, value)
    app.config.update(
        SESSION_COOKIE_NAME="onward_dashboard",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=app.config["ENV"] not in NON_PRODUCTION,
    )
    app.session_interface = sessions.DashboardSessionInterface()
    signin.csrf.init_app(app)
    # CSRFProtect would check every POST in the app; the dashboard checks its own forms
    # (signin._before), so bearer-token API calls are never asked for a CSRF token.
    app.config["WTF_CSRF_CHECK_DEFAULT"] = False
    pages_errors.register(app)

    app.register_blueprint(blp)
    if "web_home" not in app.view_functions:
        app.add_url_rule("/", "web_home", lambda: redirect(url_for("web.caseload")))
