"""Small helpers shared by the mobile-contract tests."""

from __future__ import annotations

from backend.services import library


def library_media(app, exercise_id: str) -> list[dict]:
    """The library's media for one exercise, as the API serialises it (no database needed)."""
    with app.test_request_context("/api/v1/library/exercises"):
        return library.get_exercise(exercise_id)["media"]
