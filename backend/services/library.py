"""Read-only access to the exercise library."""

from __future__ import annotations

from backend.catalog import exercise_to_dict
from backend.errors import NotFound
from backend.services import content, media


def _presented(exercise) -> dict:
    """An exercise as the app shows it: media as absolute URLs (the placeholder if none)."""
    return {**exercise_to_dict(exercise), "media": media.for_exercise(exercise)}


def list_exercises(modality=None, equipment=None, position=None, level=None) -> dict:
    """Exercises matching every given filter, sorted by id, with the content version."""
    catalog = content.current().catalog
    found = []
    for exercise in sorted(catalog.exercises.values(), key=lambda e: e.id):
        if modality and exercise.modality != modality:
            continue
        if equipment and equipment not in exercise.equipment:
            continue
        if position and exercise.position != position:
            continue
        if level and level > len(exercise.levels):
            continue
        found.append(_presented(exercise))
    return {"content_version": catalog.version, "exercises": found}


def get_exercise(exercise_id: str) -> dict:
    exercise = content.current().catalog.exercises.get(exercise_id)
    if exercise is None:
        raise NotFound("No such exercise.")
    return _presented(exercise)
