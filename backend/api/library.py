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
@blp.doc(operationId="listExercises")
def list_exercises(args):
    """The exercise library.

    Every exercise with its ladder of levels, cues, media and load tags, filtered by modality,
    equipment, position or level; one ETag-cached bundle with its `content_version`.
    """
    current_actor()
    return library.list_exercises(**args)


@blp.route("/exercises/<exercise_id>", methods=["GET"])
@blp.doc(security=BEARER)
@blp.etag
@blp.response(200, ExerciseSchema)
@blp.doc(operationId="getExercise")
def get_exercise(exercise_id):
    """One exercise.

    One exercise of the library with its ladder of levels, cues and media; an unknown id is a 404.
    """
    current_actor()
    return library.get_exercise(exercise_id)
