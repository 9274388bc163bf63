"""The audit trail of access to patient records."""

from __future__ import annotations

from sqlalchemy import select

from backend import clock
from backend.extensions import db
from backend.models import AuditEvent
from backend.security import Actor
from backend.services import keep_despite_rollback, paging, transactional


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


def denied(actor: Actor, clinic_id: str, patient_id: str | None, what: str) -> None:
    """Audit a refused (404) attempt on a record of `clinic_id`, in that clinic's trail.

    Only ids: the record's kind and id in `detail`, the patient's id, the caller's id, role
    and address. It is written even though the use case then rolls back.
    """
    keep_despite_rollback(
        AuditEvent(
            at=clock.now(),
            actor_id=actor.user_id,
            actor_role=actor.role,
            clinic_id=clinic_id,
            patient_id=patient_id,
            action="access.denied",
            remote_addr=actor.remote_addr,
            detail=f"{what}; caller clinic={actor.clinic_id}"[:500],
        )
    )


@transactional
def list_events(
    actor: Actor, patient_id: str | None = None, limit: int = 100, cursor: str | None = None
) -> dict:
    """Audit events of the admin's own clinic, newest first, a page after `cursor`."""
    from backend.services.patients import check_filter  # patients imports this module

    check_filter(actor, patient_id)
    query = select(AuditEvent).where(AuditEvent.clinic_id == actor.clinic_id)
    if patient_id:
        query = query.where(AuditEvent.patient_id == patient_id)
    order = [(AuditEvent.at, True), (AuditEvent.id, True)]
    rows, next_cursor = paging.keyset(query, order, AuditEvent.id, cursor, limit)
    items = [
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
        for (e,) in rows
    ]
    return paging.page(items, next_cursor)
