"""The exercise library (read-only, cacheable)."""

from __future__ import annotations

from backend.api.blueprint import Blueprint
from backend.api.docs import BEARER
from backend.schemas.daily import ExerciseSchema, LibraryArgsSchema, LibrarySchema
from backend.security import current_actor
from backend.services import library

blp = Blueprint("library", __name__, url_prefix="/api/v1/library", description="Exercise library")


@blp.route("/exercises", methods=["GET"])
@blp.doc(security=BEARER)
@blp.etag
@blp.arguments(LibraryArgsSchema, location="query")
@blp.response(200, LibrarySchema)
def list_exercises(args):
    """Exercises with their ladders, cues, media and load tags; filter by modality, equipment, position, level."""
    current_actor()
    return library.list_exercises(**args)


@blp.route("/exercises/<exercise_id>", methods=["GET"])
@blp.doc(security=BEARER)
@blp.etag
@blp.response(200, ExerciseSchema)
def get_exercise(exercise_id):
    """One exercise."""
    current_actor()
    return library.get_exercise(exercise_id)
