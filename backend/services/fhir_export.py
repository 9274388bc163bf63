"""A patient's record as a FHIR R4 Bundle for the care team's other systems."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from backend import clock
from backend.domain import fhir_bundle
from backend.domain.observations import MAX_POINTS, Point
from backend.extensions import db
from backend.models import Alert, ObservationPoint, SessionLog
from backend.security import Actor
from backend.services import audit, transactional
from backend.services.patients import load_patient


@transactional
def patient_bundle(actor: Actor, patient_id: str, days: int) -> dict:
    """Prescription, logged sessions, red flags, and the last `days` of wearable points (the
    newest 5 000 at most, so they re-upload as one batch). Audited like every record read."""
    patient = load_patient(actor, patient_id)
    now = clock.now()
    logs = db.session.execute(
        select(SessionLog)
        .where(SessionLog.patient_id == patient.id)
        .order_by(SessionLog.performed_on)
    ).scalars()
    sessions = [
        fhir_bundle.LoggedSession(
            id=log.session_id,
            on=log.performed_on,
            minutes=log.minutes,
            completed=log.completed,
            session_rpe=log.session_rpe,
            rpe_scale=log.rpe_scale,
            session_load=log.session_load,
        )
        for log in logs
    ]
    alerts = db.session.execute(
        select(Alert).where(Alert.patient_id == patient.id).order_by(Alert.opened_at)
    ).scalars()
    red_flags = [
        fhir_bundle.RedFlag(
            id=alert.id,
            opened_at=alert.opened_at,
            reasons=[r.get("message") or r.get("code", "") for r in alert.reasons or []],
            acknowledged_at=alert.acknowledged_at,
        )
        for alert in alerts
    ]
    point = ObservationPoint
    recent = db.session.execute(
        select(point.kind, point.device, point.started_at, point.ended_at, point.value)
        .where(point.patient_id == patient.id, point.started_at >= now - timedelta(days=days))
        .order_by(point.started_at.desc())
        .limit(MAX_POINTS)
    )
    points = [Point(*row) for row in reversed(recent.all())]
    audit.record(
        actor,
        "patient.fhir_export",
        patient.id,
        f"{len(sessions)} sessions, {len(red_flags)} flags, {len(points)} points",
    )
    return fhir_bundle.bundle(patient.id, now, patient.prescription, sessions, red_flags, points)
