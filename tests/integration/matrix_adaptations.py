"""Authorisation-matrix rows for adaptation review."""

from __future__ import annotations

from tests.factories import pending_adaptation
from tests.integration.matrix import Endpoint


def _adaptation_of(client, w, url, target):
    if target == "missing":
        return url.replace("<adaptation_id>", "0" * 32)
    patient = {"own": "p1", "other_patient": "p2", "other_clinic": "p3"}[target]
    return url.replace("<adaptation_id>", pending_adaptation(w["patients"][patient]))


ROWS = [
    Endpoint("GET", "/api/v1/adaptations", ("clinician",)),
    Endpoint(
        "POST",
        "/api/v1/adaptations/<adaptation_id>/decision",
        ("clinician",),
        patient_scoped=True,
        body={"decision": "approve", "note": "fine"},
        prepare=_adaptation_of,
    ),
]
