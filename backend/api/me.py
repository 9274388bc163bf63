"""The signed-in patient's own data."""

from __future__ import annotations

from backend.api.blueprint import Blueprint
from backend.api.docs import BEARER
from backend.schemas.patients import MeSchema, SettingsSchema
from backend.security import current_actor, require
from backend.services import patients

blp = Blueprint("me", __name__, url_prefix="/api/v1/me", description="The patient's own data")


@blp.route("", methods=["GET"])
@blp.doc(security=BEARER)
@require("patient")
@blp.response(200, MeSchema)
@blp.doc(operationId="getMe")
def me():
    """Your profile.

    Your profile, prescription summary, reminder settings and current level per modality.
    """
    return patients.me(current_actor())


@blp.route("/settings", methods=["PATCH"])
@blp.doc(security=BEARER)
@require("patient")
@blp.arguments(SettingsSchema)
@blp.response(200, SettingsSchema)
@blp.doc(operationId="updateSettings")
def update_settings(body):
    """Change your settings.

    Change your reminder time and window, time zone, quiet hours or channels; only the fields sent
    change. A time zone change never hands you a day twice.
    """
    return patients.update_my_settings(current_actor(), body)
