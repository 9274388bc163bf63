"""Use cases: one transaction each, the only layer that touches the models."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from backend.extensions import db

KEPT = "kept_despite_rollback"


def keep_despite_rollback(row) -> None:
    """Write `row` even if the use case fails (a denied access is audited though it is a 404)."""
    db.session.info.setdefault(KEPT, []).append(row)


def _write_kept() -> bool:
    kept = db.session.info.pop(KEPT, [])
    db.session.add_all(kept)
    return bool(kept)


def transactional(fn: Callable):
    """Run a use case as one transaction: commit on success, roll back on any error."""

    @wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            result = fn(*args, **kwargs)
            _write_kept()
            db.session.commit()
            return result
        except BaseException:
            db.session.rollback()
            if _write_kept():
                try:
                    db.session.commit()
                except Exception:
                    db.session.rollback()
                    raise
            raise

    return wrapper
