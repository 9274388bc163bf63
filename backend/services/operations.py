"""Health information for operators, and the web process's warm-up."""

from __future__ import annotations

import logging

from flask import Flask, current_app
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from backend.extensions import db
from backend.services import training

log = logging.getLogger(__name__)


def health() -> dict:
    try:
        db.session.execute(text("SELECT 1"))
        database = "ok"
    except SQLAlchemyError:
        db.session.rollback()
        database = "unreachable"
    catalog = current_app.extensions.get("onward.catalog")
    active = training.active_model_outside_transaction() if database == "ok" else None
    model_version = active[2] if active else None
    return {
        "status": "ok" if database == "ok" else "degraded",
        "database": database,
        "content_version": getattr(catalog, "version", None),
        "model_version": model_version,
        "policy": "model" if model_version else "rules",
    }


def warm_up(app: Flask) -> None:
    """Load what serving a decision needs (the model stack, the active model) before gunicorn
    forks its workers; then close every database connection, so none is shared across the fork.

    A database that is not reachable yet is no reason to refuse to start: the model then loads
    on the first request that needs it.
    """
    with app.app_context():
        try:
            training.warm_up()
        except SQLAlchemyError as error:
            log.warning("warm-up skipped, the model loads on first use: %s", type(error).__name__)
        finally:
            db.session.remove()
            for engine in db.engines.values():
                engine.dispose()
