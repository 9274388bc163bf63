"""Test data for the notification tests: patients through the API, day facts as rows."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import func, select

from backend import clock
from backend.extensions import db
from backend.models import Alert, CheckIn, ExerciseSession, Patient, SessionLog, User
from backend.models.notifications import Notification, NotificationEvent
from tests import factories

WALK_AND_BANDS = [
    {"exercise_id": "easy-walk", "modality": "walking_aerobic", "dose": {"minutes": 12}},
    {"exercise_id": "band-row", "modality": "resistance_band", "dose": {"minutes": 8}},
]


def clinic_with_patients(client, n: int = 1, **overrides) -> dict:
    """A clinic, its physio (care team of every patient) and `n` activated patients."""
    staff = factories.clinic_with_staff()
    physio = factories.login(client, staff["physio"])
    patients = []
    for _ in range(n):
        enrolled = factories.enrol(client, physio, **overrides)
        tokens = factories.activate(client, enrolled["invite_code"])
        patients.append({"id": enrolled["id"], "tokens": tokens})
    return {**staff, "physio_tokens": physio, "patients": patients}


@factories.in_app
def add_session(patient_id: str, on: date, status: str = "planned", blocks=None, logged=False):
    now = clock.now()
    session = ExerciseSession(
        patient_id=patient_id,
        local_date=on,
        revision=1,
        status=status,
        verdict="green",
        blocks=blocks or [],
        modalities=sorted({b["modality"] for b in blocks or []}),
        substitutions=[],
        levels={},
        explanation="",
        planned_load=0.0,
        content_version="test",
        rules_version="test",
        created_at=now,
        updated_at=now,
    )
    db.session.add(session)
    db.session.flush()
    if logged:
        db.session.add(
            SessionLog(
                patient_id=patient_id,
                session_id=session.id,
                idempotency_key=session.id,
                request_hash="0" * 64,
                performed_on=on,
                received_at=now,
                completed=True,
                minutes=20,
                session_rpe=3,
                rpe_scale="cr10",
                session_load=60,
                blocks=[],
            )
        )
    db.session.commit()
    return session.id


@factories.in_app
def add_check_in(patient_id: str, on: date, status: str) -> str:
    row = CheckIn(
        patient_id=patient_id,
        local_date=on,
        at=clock.now(),
        fatigue=3,
        pain=2,
        symptoms=[],
        status=status,
        reasons=[],
        advice="",
        rules_version="test",
    )
    db.session.add(row)
    db.session.commit()
    return row.id


@factories.in_app
def open_alert(patient_id: str, reasons=None) -> str:
    patient = db.session.get(Patient, patient_id)
    now = clock.now()
    alert = Alert(
        patient_id=patient_id,
        clinic_id=patient.clinic_id,
        kind="red_flag",
        local_date=now.date(),
        opened_at=now,
        reasons=reasons
        or [{"code": "chest_pain", "message": "Chest pain or pressure", "severity": "red"}],
    )
    db.session.add(alert)
    db.session.commit()
    return alert.id


@factories.in_app
def acknowledge(alert_id: str) -> None:
    alert = db.session.get(Alert, alert_id)
    alert.acknowledged_at = alert.decided_at = clock.now()
    alert.decision = "resume"
    db.session.commit()


@factories.in_app
def alert_row(alert_id: str) -> dict:
    alert = db.session.get(Alert, alert_id)
    return {"escalated_at": alert.escalated_at, "acknowledged_at": alert.acknowledged_at}


@factories.in_app
def notifications(**where) -> list[dict]:
    """Notification rows as dicts, oldest first, filtered by column equality."""
    query = select(Notification).order_by(Notification.created_at, Notification.id)
    for column, value in where.items():
        query = query.where(getattr(Notification, column) == value)
    return [
        {c.name: getattr(n, c.name) for c in Notification.__table__.columns}
        for n in db.session.scalars(query)
    ]


@factories.in_app
def events(notification_id: str) -> list[tuple[str, datetime]]:
    """The state log, in the order it was written."""
    return [
        (e.state, e.at)
        for e in db.session.scalars(
            select(NotificationEvent)
            .where(NotificationEvent.notification_id == notification_id)
            .order_by(NotificationEvent.id)
        )
    ]


@factories.in_app
def count(**where) -> int:
    query = select(func.count(Notification.id))
    for column, value in where.items():
        query = query.where(getattr(Notification, column) == value)
    return db.session.scalar(query)


@factories.in_app
def clinician_ids(clinic_id: str) -> list[str]:
    return list(
        db.session.scalars(
            select(User.id).where(User.clinic_id == clinic_id, User.role == "clinician")
        )
    )


@factories.in_app
def queue(**kwargs) -> list[str]:
    """create_once in its own transaction, as a service would call it."""
    from backend.services.notifications import create_once

    ids = create_once(**kwargs)
    db.session.commit()
    return ids


@factories.in_app
def add_device(user_id: str, token: str, platform: str = "android") -> None:
    from backend.models.notifications import Device

    factories.identifying(token)
    now = clock.now()
    db.session.add(
        Device(user_id=user_id, token=token, platform=platform, created_at=now, last_seen_at=now)
    )
    db.session.commit()
