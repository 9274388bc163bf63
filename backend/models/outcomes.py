"""Patient-reported outcome questionnaires (the weekly ESAS-r)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from backend.extensions import db
from backend.models.base import UTCDateTime, id_column


class QuestionnaireResponse(db.Model):
    """One completed questionnaire: its items, scores, instrument and version, and its day."""

    __tablename__ = "questionnaire_responses"
    __table_args__ = (
        # One response per instrument per ISO week (domain.questionnaires.iso_week).
        UniqueConstraint(
            "patient_id", "instrument", "iso_year", "iso_week", name="uq_questionnaire_week"
        ),
        UniqueConstraint("patient_id", "idempotency_key", name="uq_questionnaire_idempotency"),
        Index("ix_questionnaire_patient_day", "patient_id", "local_date"),
    )
    id: Mapped[str] = id_column()
    patient_id: Mapped[str] = mapped_column(ForeignKey("patients.id", ondelete="CASCADE"))
    instrument: Mapped[str] = mapped_column(String(20))  # esas-r
    version: Mapped[str] = mapped_column(String(20))
    local_date: Mapped[date] = mapped_column(Date)  # the patient's local day it describes
    iso_year: Mapped[int] = mapped_column(Integer)
    iso_week: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(UTCDateTime())  # when the server received it
    items: Mapped[dict] = mapped_column(JSON)  # item code -> 0-10 (with "other" if given)
    other_label: Mapped[str | None] = mapped_column(String(100))  # the patient's own words
    total: Mapped[int] = mapped_column(Integer)  # Total Symptom Distress Score, 0-90
    idempotency_key: Mapped[str | None] = mapped_column(String(100))
    request_hash: Mapped[str | None] = mapped_column(String(64))
