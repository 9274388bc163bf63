"""Authorisation-matrix rows for the weekly ESAS-r questionnaire."""

from __future__ import annotations

from tests.integration.matrix import Endpoint

ESAS = {
    "items": {
        "pain": 2,
        "tiredness": 4,
        "drowsiness": 1,
        "nausea": 0,
        "lack_of_appetite": 1,
        "shortness_of_breath": 0,
        "depression": 1,
        "anxiety": 2,
        "wellbeing": 3,
    }
}

ROWS = [
    Endpoint("POST", "/api/v1/me/questionnaires/esas-r", ("patient",), body=ESAS, ok=201),
    Endpoint("GET", "/api/v1/me/questionnaires", ("patient",)),
    Endpoint(
        "GET", "/api/v1/patients/<patient_id>/questionnaires", ("clinician",), patient_scoped=True
    ),
]
