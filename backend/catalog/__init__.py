"""The exercise content library (content/): strict loader, cross-checks and content hash."""

from backend.catalog.exercises import (
    DEFAULT_CONTENT_ROOT,
    ContentError,
    content_version,
    exercise_to_dict,
    load_catalog,
    validate_content,
)

__all__ = [
    "DEFAULT_CONTENT_ROOT",
    "ContentError",
    "content_version",
    "exercise_to_dict",
    "load_catalog",
    "validate_content",
]
