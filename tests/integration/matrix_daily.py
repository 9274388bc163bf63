"""Authorisation-matrix rows for the library and the patient's day."""

from __future__ import annotations

from tests.factories import bearer
from tests.integration.matrix import Endpoint

PATIENT_OF = {"own": "p1", "other_patient": "p2", "other_clinic": "p3"}

LOG = {"completed": True, "minutes": 20, "session_rpe": 3, "rpe_scale": "cr10"}


def _session_of(client, w, url, target):
    """Fill <session_id> with today's session of the target patient (or an id that doesn't exist)."""
    if target == "missing":
        return url.replace("<session_id>", "0" * 32)
    tokens = w["tokens"][PATIENT_OF[target]]
    session = client.get("/api/v1/me/sessions/today", headers=bearer(tokens)).get_json()
    return url.replace("<session_id>", session["id"])


ANY_SIGNED_IN = ("patient", "clinician", "admin")

ROWS = [
    Endpoint("GET", "/api/v1/library/exercises", ANY_SIGNED_IN),
    Endpoint(
        "GET",
        "/api/v1/library/exercises/<exercise_id>",
        ANY_SIGNED_IN,
        prepare=lambda c, w, url, t: url.replace("<exercise_id>", "easy-walk"),
    ),
    Endpoint(
        "POST",
        "/api/v1/me/check-ins",
        ("patient",),
        body={"fatigue": 3, "pain": 1, "symptoms": []},
        ok=201,
    ),
    Endpoint("GET", "/api/v1/me/sessions/today", ("patient",)),
    Endpoint("GET", "/api/v1/me/sessions", ("patient",)),
    Endpoint(
        "POST",
        "/api/v1/me/sessions/<session_id>/log",
        ("patient",),
        patient_scoped=True,
        scope="self",
        body=LOG,
        headers={"Idempotency-Key": "matrix-key-0001"},
        ok=201,
        prepare=_session_of,
    ),
]
