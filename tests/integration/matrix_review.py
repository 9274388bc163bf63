"""Authorisation-matrix rows for caseload status, red-flag alerts and trends."""

from __future__ import annotations

from tests.integration.matrix import Endpoint
from tests.integration.review.builders import open_alert


def _alert_of(client, w, url, target):
    if target == "missing":
        return url.replace("<alert_id>", "0" * 32)
    patient = {"own": "p1", "other_patient": "p2", "other_clinic": "p3"}[target]
    return url.replace("<alert_id>", open_alert(w["patients"][patient]))


ROWS = [
    Endpoint("GET", "/api/v1/caseload", ("clinician",)),
    Endpoint("GET", "/api/v1/alerts", ("clinician",)),
    Endpoint(
        "POST",
        "/api/v1/alerts/<alert_id>/ack",
        ("clinician",),
        patient_scoped=True,
        body={"note": "Phoned the patient.", "decision": "resume"},
        prepare=_alert_of,
    ),
    Endpoint("GET", "/api/v1/patients/<patient_id>/trends", ("clinician",), patient_scoped=True),
]
