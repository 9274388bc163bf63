"""POST /me/observations: wearable points, as FHIR R4 Observations or the compact form."""

from __future__ import annotations

from backend.api.blueprint import Blueprint
from backend.api.docs import BEARER
from backend.schemas.observations import ObservationBatchSchema, ObservationResultSchema
from backend.security import current_actor, require
from backend.services import observations

blp = Blueprint(
    "observations", __name__, url_prefix="/api/v1/me", description="Wearable observations"
)


@blp.route("/observations", methods=["POST"])
@blp.doc(security=BEARER)
@require("patient")
@blp.arguments(ObservationBatchSchema)
@blp.response(200, ObservationResultSchema)
@blp.doc(operationId="uploadObservations")
def post_observations(body):
    """Upload up to 5 000 points from a band, HealthKit or Health Connect.

    Each point is stored once per (device, type, start): resend the batch freely. Any bad
    point (unit, range, time, FHIR structure) is a 422 naming its index and field, and then
    nothing of the batch is stored. Overlapping devices never double count: a day's steps
    take, minute by minute, the device that counted most; readings average per minute.
    """
    return observations.ingest(current_actor(), body)
