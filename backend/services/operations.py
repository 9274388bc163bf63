"""Health information for operators."""

from __future__ import annotations

from flask import current_app
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from backend.extensions import db
from backend.services import training


def health() -> dict:
    try:
        db.session.execute(text("SELECT 1"))
        database = "ok"
    except SQLAlchemyError:
        db.session.rollback()
        database = "unreachable"
    catalog = current_app.extensions.get("onward.catalog")
    active = training.active_model() if database == "ok" else None
    model_version = active[2] if active else None
    return {
        "status": "ok" if database == "ok" else "degraded",
        "database": database,
        "content_version": getattr(catalog, "version", None),
        "model_version": model_version,
        "policy": "model" if model_version else "rules",
    }
