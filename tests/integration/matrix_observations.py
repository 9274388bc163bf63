"""Authorisation-matrix rows for wearable observations."""

from __future__ import annotations

from tests.integration.matrix import Endpoint

ONE_POINT = {
    "device": "band",
    "points": [
        {"type": "heart_rate", "start": "2026-11-26T08:00:00Z", "value": 64, "unit": "/min"}
    ],
}

ROWS = [
    Endpoint("POST", "/api/v1/me/observations", ("patient",), body=ONE_POINT),
    Endpoint("GET", "/api/v1/patients/<patient_id>/fhir", ("clinician",), patient_scoped=True),
]
