"""Exercise media files: public, cacheable, with range requests for video.

A plain Flask blueprint (not in the OpenAPI document: it serves files, not JSON); the
media URLs in session blocks and library entries point here unless a CDN is configured.
"""

from __future__ import annotations

from flask import Blueprint, current_app, request, send_file

from backend.errors import problem
from backend.services import media

bp = Blueprint("media", __name__, url_prefix="/media")
SHORT_MAX_AGE = 3600  # a URL without the file's hash may change content: revalidate hourly


@bp.route("/<path:path>", methods=["GET"])
def serve(path: str):
    """One media file; no sign-in needed (exercise content is not patient data)."""
    found = media.local_file(path)
    if found is None:
        return problem(404, "No such media file.")
    hashed = request.args.get("v") == media.content_hash(found)
    max_age = current_app.config["MEDIA_MAX_AGE"] if hashed else SHORT_MAX_AGE
    response = send_file(
        found, mimetype=media.content_type(path), conditional=True, etag=True, max_age=max_age
    )
    response.cache_control.public = True
    response.cache_control.immutable = hashed
    return response
