"""The weekly ESAS-r: a patient answers once per ISO week; the care team reads the scores."""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from backend import clock
from backend.domain import questionnaires as q
from backend.errors import Conflict, Invalid
from backend.extensions import db
from backend.models import Patient, QuestionnaireResponse
from backend.security import Actor
from backend.services import audit, paging, transactional
from backend.services.daily import local_date, offline_window
from backend.services.patients import load_patient


def as_dict(row: QuestionnaireResponse) -> dict:
    scores = q.score(row.items)
    return {
        "id": row.id,
        "instrument": row.instrument,
        "version": row.version,
        "date": row.local_date,
        "week": f"{row.iso_year}-W{row.iso_week:02d}",
        "at": row.at,
        "items": row.items,
        "other_label": row.other_label,
        "total": row.total,
        "physical": scores.physical,
        "emotional": scores.emotional,
    }


def _digest(body: dict) -> str:
    canonical = json.dumps({"instrument": q.ESAS_R, **body}, sort_keys=True, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _replay(patient_id: str, key: str, digest: str) -> dict | None:
    row = db.session.scalar(
        select(QuestionnaireResponse).where(
            QuestionnaireResponse.patient_id == patient_id,
            QuestionnaireResponse.idempotency_key == key,
        )
    )
    if row is None:
        return None
    if row.request_hash != digest:
        raise Conflict("This Idempotency-Key was already used for a different questionnaire.")
    return as_dict(row)


def _week_taken(patient_id: str, year: int, week: int) -> QuestionnaireResponse | None:
    return db.session.scalar(
        select(QuestionnaireResponse).where(
            QuestionnaireResponse.patient_id == patient_id,
            QuestionnaireResponse.instrument == q.ESAS_R,
            QuestionnaireResponse.iso_year == year,
            QuestionnaireResponse.iso_week == week,
        )
    )


def _already(existing: QuestionnaireResponse) -> Conflict:
    monday = existing.local_date - timedelta(days=existing.local_date.weekday())
    return Conflict(
        f"This week's symptom questionnaire was already answered on "
        f"{existing.local_date.isoformat()}; the next one opens on "
        f"{(monday + timedelta(days=7)).isoformat()}. Nothing was changed."
    )


@transactional
def submit_esas(actor: Actor, body: dict, key: str | None) -> dict:
    """Store one ESAS-r response: once per ISO week, a replay of its key answers as before."""
    patient = load_patient(actor, actor.patient_id or "")
    return record_esas(patient, body, key)


def record_esas(patient: Patient, body: dict, key: str | None) -> dict:
    """Validate and store a response for `patient` in the current transaction."""
    digest = _digest(body)
    replay = _replay(patient.id, key, digest) if key else None
    if replay is not None:
        return replay
    today = local_date(patient)
    on = body.get("date") or today
    if on > today:
        raise Invalid("That day has not started yet.", {"json": {"date": ["Not after today."]}})
    offline_window(on, today, "questionnaire", "date")
    items = {c: v for c, v in body["items"].items() if v is not None}
    if body.get("other_label") and "other" not in items:
        message = "Score the other problem (0-10) when you name it."
        raise Invalid(message, {"json": {"items": {"other": [message]}}})
    year, week = q.iso_week(on)
    existing = _week_taken(patient.id, year, week)
    if existing is not None:
        raise _already(existing)
    row = QuestionnaireResponse(
        patient_id=patient.id,
        instrument=q.ESAS_R,
        version=q.ESAS_R_VERSION,
        local_date=on,
        iso_year=year,
        iso_week=week,
        at=clock.now(),
        items=items,
        other_label=body.get("other_label") if "other" in items else None,
        total=q.score(items).total,
        idempotency_key=key,
        request_hash=digest if key else None,
    )
    try:
        with db.session.begin_nested():
            db.session.add(row)
    except IntegrityError:
        # A concurrent request won the race: the same key replays, another is this week's.
        replay = _replay(patient.id, key, digest) if key else None
        if replay is not None:
            return replay
        raise _already(_week_taken(patient.id, year, week)) from None
    return as_dict(row)


def _page(patient: Patient, limit: int, cursor: str | None) -> dict:
    query = select(QuestionnaireResponse).where(QuestionnaireResponse.patient_id == patient.id)
    order = [(QuestionnaireResponse.local_date, True), (QuestionnaireResponse.id, True)]
    rows, next_cursor = paging.keyset(query, order, QuestionnaireResponse.id, cursor, limit)
    return paging.page([as_dict(r[0]) for r in rows], next_cursor)


@transactional
def list_mine(actor: Actor, limit: int, cursor: str | None) -> dict:
    """The patient's own responses, newest week first."""
    return _page(load_patient(actor, actor.patient_id or ""), limit, cursor)


@transactional
def list_for_patient(actor: Actor, patient_id: str, limit: int, cursor: str | None) -> dict:
    """A clinician's read of a patient's responses (own clinic only; audited)."""
    patient = load_patient(actor, patient_id)
    audit.record(actor, "questionnaire.read", patient.id, q.ESAS_R)
    return _page(patient, limit, cursor)


def series(patient_id: str, start, end) -> list[QuestionnaireResponse]:
    """The patient's ESAS-r responses between two local dates, oldest first."""
    return list(
        db.session.scalars(
            select(QuestionnaireResponse)
            .where(
                QuestionnaireResponse.patient_id == patient_id,
                QuestionnaireResponse.instrument == q.ESAS_R,
                QuestionnaireResponse.local_date >= start,
                QuestionnaireResponse.local_date <= end,
            )
            .order_by(QuestionnaireResponse.local_date)
        )
    )
