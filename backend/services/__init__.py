"""Use cases: one transaction each, the only layer that touches the models."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from backend.extensions import db


def transactional(fn: Callable):
    """Run a use case as one transaction: commit on success, roll back on any error."""

    @wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            result = fn(*args, **kwargs)
            db.session.commit()
            return result
        except BaseException:
            db.session.rollback()
            raise

    return wrapper
