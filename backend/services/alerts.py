"""Red flags reach the patient's clinicians at once, and the on-call address if nobody acts.

E-mails carry no clinical detail (e-mail is not a secure channel): they say that something
needs review and where. The in-app notification, behind sign-in, names the patient and the
reasons.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import select

from backend import clock
from backend.errors import NotFound
from backend.extensions import db
from backend.models import Alert, Clinic, Patient, User
from backend.notify import setting
from backend.notify.channels import webhook_target
from backend.services import transactional
from backend.services.notifications import create_once, deliver_now

log = logging.getLogger(__name__)

RED_FLAG = "red_flag"
ESCALATION = "red_flag_escalation"


def notify_red_flag(alert_id: str, deliver: bool = True) -> list[str]:
    """Queue in-app + e-mail to the patient's clinicians (and the clinic's webhook), then send.

    Call it after the transaction that opened the alert has committed. Safe to repeat.
    """
    ids = _queue_red_flag(alert_id)
    if deliver and ids:
        deliver_now(ids)  # anything that fails here is retried by the dispatcher
    return ids


@transactional
def _queue_red_flag(alert_id: str) -> list[str]:
    alert = db.session.get(Alert, alert_id) if isinstance(alert_id, str) else None
    if alert is None:
        raise NotFound("No such alert.")
    return _queue_for(alert)


def _queue_for(alert: Alert) -> list[str]:
    patient = db.session.get(Patient, alert.patient_id)
    reasons = "; ".join(r.get("message") or r.get("code", "") for r in alert.reasons or [])
    data = {"alert_id": alert.id, "reasons": [r.get("code") for r in alert.reasons or []]}
    opened = f"{alert.opened_at:%H:%M} UTC on {alert.opened_at:%d %b}"
    ids: list[str] = []
    for clinician in _clinicians_of(patient):
        common = {
            "kind": RED_FLAG,
            "local_date": alert.local_date,
            "recipient_id": clinician.id,
            "patient_id": patient.id,
            "subject": alert.id,
            "data": data,
        }
        ids += create_once(
            **common,
            channels=["in_app"],
            title=f"Red flag: {patient.user.display_name}",
            body=f"Reported at {opened}: {reasons or 'see the check-in'}. "
            + "Please review and acknowledge.",
        )
        ids += create_once(
            **common,
            channels=["email"],
            title="Onward: a red flag needs your review",
            body=f"A patient in your caseload reported a red flag at {opened}.\n"
            + "Please sign in to Onward to review and acknowledge it.",
        )
    if webhook_target(patient.clinic_id):
        ids += create_once(
            kind=RED_FLAG,
            local_date=alert.local_date,
            channels=["webhook"],
            patient_id=patient.id,
            subject=alert.id,
            data={**data, "clinic_id": patient.clinic_id},
            title="Red flag",
            body=reasons or "red flag",
        )
    return ids


def _clinicians_of(patient: Patient) -> list[User]:
    """The care team; if it is empty, every clinician of the clinic (someone must see it)."""
    team = [c for c in patient.clinicians if c.active and c.role == "clinician"]
    if team:
        return team
    return list(
        db.session.scalars(
            select(User).where(
                User.clinic_id == patient.clinic_id, User.role == "clinician", User.active
            )
        )
    )


def notify_open_alerts(now: datetime | None = None) -> int:
    """Safety net: queue red-flag notifications for open alerts nobody notified yet."""
    return _notify_open_alerts(now or clock.now())


@transactional
def _notify_open_alerts(now: datetime) -> int:
    alerts = db.session.scalars(
        select(Alert).where(
            Alert.acknowledged_at.is_(None),
            Alert.escalated_at.is_(None),
            Alert.opened_at <= now,
        )
    ).all()
    created = 0
    for alert in alerts:
        created += len(_queue_for(alert))  # duplicates are skipped by the dedupe key
    return created


def escalate_unacknowledged(now: datetime | None = None) -> list[str]:
    """E-mail the clinic's on-call address about alerts unacknowledged for too long, once."""
    ids = _escalate(now or clock.now())
    if ids:
        deliver_now(ids)
    return ids


@transactional
def _escalate(now: datetime) -> list[str]:
    minutes = setting("ALERT_ESCALATION_MINUTES")
    overdue = db.session.scalars(
        select(Alert)
        .where(
            Alert.acknowledged_at.is_(None),
            Alert.escalated_at.is_(None),
            Alert.opened_at <= now - timedelta(minutes=minutes),
        )
        .order_by(Alert.opened_at)
        # Two schedulers: each alert is escalated by whoever locks it first.
        .with_for_update(skip_locked=True)
    ).all()
    ids: list[str] = []
    for alert in overdue:
        clinic = db.session.get(Clinic, alert.clinic_id)
        opened = f"{alert.opened_at:%H:%M} UTC on {alert.opened_at:%d %b %Y}"
        common = {
            "kind": ESCALATION,
            "local_date": alert.local_date,
            "patient_id": alert.patient_id,
            "subject": alert.id,
            "data": {"alert_id": alert.id, "clinic_id": alert.clinic_id},
        }
        if clinic.on_call_email:
            ids += create_once(
                **common,
                channels=["email"],
                address=clinic.on_call_email,
                title="Onward: unacknowledged red flag",
                body=f"A red flag reported at {opened} ({clinic.name}) has not been "
                + f"acknowledged within {minutes} minutes.\n"
                + f"Please sign in to Onward and review alert {alert.id}.",
            )
        else:
            log.warning("clinic %s has no on-call address; escalating in-app", clinic.id)
            for clinician in _clinic_clinicians(clinic.id):
                ids += create_once(
                    **common,
                    channels=["in_app"],
                    recipient_id=clinician.id,
                    title="Unacknowledged red flag",
                    body=f"A red flag reported at {opened} has waited {minutes} minutes.",
                )
        if webhook_target(alert.clinic_id):
            ids += create_once(
                **common, channels=["webhook"], title="Red flag escalated", body="escalated"
            )
        alert.escalated_at = now
    return ids


def _clinic_clinicians(clinic_id: str) -> list[User]:
    return list(
        db.session.scalars(
            select(User).where(User.clinic_id == clinic_id, User.role == "clinician", User.active)
        )
    )
