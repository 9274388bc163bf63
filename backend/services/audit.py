"""The audit trail of access to patient records."""

from __future__ import annotations

from sqlalchemy import select

from backend import clock
from backend.extensions import db
from backend.models import AuditEvent
from backend.security import Actor


def record(actor: Actor, action: str, patient_id: str | None, detail: str | None = None) -> None:
    """Add an audit event to the current transaction (it commits with the use case)."""
    db.session.add(
        AuditEvent(
            at=clock.now(),
            actor_id=actor.user_id,
            actor_role=actor.role,
            clinic_id=actor.clinic_id,
            patient_id=patient_id,
            action=action,
            remote_addr=actor.remote_addr,
            detail=detail,
        )
    )


def list_events(
    actor: Actor, patient_id: str | None = None, limit: int = 100, before=None
) -> list[dict]:
    """Audit events of the admin's own clinic, newest first."""
    query = select(AuditEvent).where(AuditEvent.clinic_id == actor.clinic_id)
    if patient_id:
        query = query.where(AuditEvent.patient_id == patient_id)
    if before is not None:
        query = query.where(AuditEvent.at < before)
    query = query.order_by(AuditEvent.at.desc(), AuditEvent.id.desc()).limit(limit)
    return [
        {
            "id": e.id,
            "at": e.at,
            "actor_id": e.actor_id,
            "actor_role": e.actor_role,
            "patient_id": e.patient_id,
            "action": e.action,
            "remote_addr": e.remote_addr,
            "detail": e.detail,
        }
        for e in db.session.scalars(query)
    ]
