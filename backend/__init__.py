"""Onward backend: create_app() is a checklist of register steps with no import-time side effects."""

from __future__ import annotations

from flask import Flask, request
from flask_swagger_ui import get_swaggerui_blueprint

from backend import config as config_module
from backend import (
    database,  # noqa: F401 - installs the SQLite connection recipe
    guards,
    headers,
    logs,
    metrics,
)
from backend import extensions as ext
from backend.errors import problem

BODY_METHODS = ("POST", "PUT", "PATCH")


def create_app(config: dict | None = None) -> Flask:
    """Build the Flask application; `config` overrides settings from the environment."""
    settings = config_module.load(config)
    app = Flask(__name__, instance_path=str(config_module.ROOT / "instance"))
    app.config.update(settings)
    logs.configure(app.config["LOG_LEVEL"])
    register_extensions(app)
    register_notifications(app)
    register_content(app)
    register_api(app)
    register_guards(app)
    register_web(app)
    register_cli(app)
    logs.register(app)
    metrics.register(app)
    headers.register(app)  # security headers; trusted proxy hops (ONWARD_TRUSTED_PROXIES)
    guards.init_app(app)  # after the access log and metrics hooks, so refusals are counted
    return app


def register_extensions(app: Flask) -> None:
    ext.db.init_app(app)
    ext.migrate.init_app(
        app, ext.db, directory=str(config_module.ROOT / "migrations"), render_as_batch=True
    )
    # Registered before the limiter, so it runs after the limiter's own after_request.
    app.after_request(headers.no_retry_after_on_success)
    ext.limiter.init_app(app)
    ext.jwt.init_app(app)
    register_jwt_callbacks()


def register_jwt_callbacks() -> None:
    from backend.services.accounts import family_revoked

    def unauthorised(detail: str):
        return problem(401, detail, headers={"WWW-Authenticate": "Bearer"})

    jwt = ext.jwt
    jwt.token_in_blocklist_loader(lambda _h, payload: family_revoked(payload.get("fam")))
    jwt.unauthorized_loader(lambda _reason: unauthorised("Sign in to continue."))
    jwt.invalid_token_loader(
        lambda _reason: unauthorised("Your sign-in is not valid. Please sign in again.")
    )
    jwt.expired_token_loader(lambda _h, _p: unauthorised("Your sign-in has expired."))
    jwt.revoked_token_loader(
        lambda _h, _p: unauthorised("Your sign-in has ended. Please sign in again.")
    )


def register_content(app: Flask) -> None:
    import click

    from backend.services import content

    # Web, scheduler and `flask run` refuse to start on invalid content; other CLI commands
    # (notably `flask content validate`) load anyway so they can report the problems.
    cli = click.get_current_context(silent=True)
    content.init_app(app, strict=cli is None or cli.info_name == "run")


def register_api(app: Flask) -> None:
    from backend.api import BLUEPRINTS
    from backend.api import media as media_files
    from backend.api.docs import DESCRIPTION, nullable_ref

    app.config.setdefault("API_SPEC_OPTIONS", {"info": {"description": DESCRIPTION}})
    ext.api.init_app(app)
    ext.api.ma_plugin.converter.add_attribute_function(nullable_ref)
    ext.api.spec.components.security_scheme(
        "bearerAuth", {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
    )
    for blueprint in BLUEPRINTS:
        ext.api.register_blueprint(blueprint)
    app.register_blueprint(media_files.bp)
    app.register_blueprint(
        get_swaggerui_blueprint(
            "/api/v1/docs", "/api/v1/openapi.json", config={"app_name": "Onward API"}
        ),
        url_prefix="/api/v1/docs",
    )


def register_guards(app: Flask) -> None:
    @app.before_request
    def _json_only():
        # A body that is not JSON is refused outright (415) rather than read as "no fields".
        if (
            request.method in BODY_METHODS
            and request.path.startswith("/api/")
            and (request.content_length or request.headers.get("Transfer-Encoding"))
            and not request.is_json
        ):
            return problem(415, "Send the body as application/json.")
        return None


def register_cli(app: Flask) -> None:
    from backend.cli import COMMANDS

    for command in COMMANDS:
        app.cli.add_command(command)


def register_web(app: Flask) -> None:
    from backend import web

    web.init_app(app)


def register_notifications(app: Flask) -> None:
    from backend import notify

    notify.init_app(app)  # channel settings (SMTP, webhook, push) and delivery limits
