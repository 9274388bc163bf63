"""Authorisation-matrix rows for the patient's inbox, devices and reminder snooze."""

from __future__ import annotations

from datetime import date

from tests import factories
from tests.integration.matrix import Endpoint


@factories.in_app
def _notification_for(patient_id: str) -> str:
    from backend.extensions import db
    from backend.models import Patient
    from backend.services.notifications import create_once

    patient = db.session.get(Patient, patient_id)
    (nid,) = create_once(
        kind="matrix",
        local_date=date(2026, 11, 26),
        title="t",
        body="b",
        channels=["in_app"],
        recipient_id=patient.user_id,
        patient_id=patient.id,
    )
    db.session.commit()
    return nid


def _own_notification(client, w, url, target):
    """Fill <notification_id> with one of p1's (the matrix's patient) notifications."""
    return url.replace("<notification_id>", _notification_for(w["patients"]["p1"]))


ROWS = [
    Endpoint("GET", "/api/v1/me/notifications", ("patient",)),
    Endpoint(
        "POST",
        "/api/v1/me/notifications/<notification_id>/read",
        ("patient",),
        prepare=_own_notification,
    ),
    Endpoint(
        "POST",
        "/api/v1/me/devices",
        ("patient",),
        body={"token": "matrix-device-token", "platform": "android"},
        ok=201,
    ),
    Endpoint("POST", "/api/v1/me/reminders/snooze", ("patient",), body={"minutes": 30}),
]
