"""Intensity decisions and the tolerance-model registry."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, Float, ForeignKey, Index, Integer, String, false
from sqlalchemy.orm import Mapped, mapped_column

from backend.extensions import db
from backend.models.base import UTCDateTime, id_column


class Adaptation(db.Model):
    """One decision about a patient's level in one modality, with everything needed to explain it."""

    __tablename__ = "adaptations"
    __table_args__ = (
        Index("ix_adaptations_patient_modality", "patient_id", "modality", "created_at"),
        Index("ix_adaptations_clinic_status", "clinic_id", "status"),
    )
    id: Mapped[str] = id_column()
    patient_id: Mapped[str] = mapped_column(ForeignKey("patients.id", ondelete="CASCADE"))
    clinic_id: Mapped[str] = mapped_column(ForeignKey("clinics.id"))
    modality: Mapped[str] = mapped_column(String(30))
    local_date: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    trigger: Mapped[str] = mapped_column(String(20))  # log | check_in
    policy: Mapped[str] = mapped_column(String(20))  # model | rules | fixed
    model_version: Mapped[str | None] = mapped_column(String(64))
    current_level: Mapped[int] = mapped_column(Integer)
    proposed_level: Mapped[int] = mapped_column(Integer)
    candidates: Mapped[list] = mapped_column(JSON)  # [{level, p_tolerated}]
    reason_codes: Mapped[list] = mapped_column(JSON)
    top_features: Mapped[list] = mapped_column(JSON)  # [{name, contribution}]
    inputs: Mapped[dict] = mapped_column(JSON)  # the feature snapshot the decision saw
    explanation: Mapped[str] = mapped_column(String(1000))
    # auto_applied | pending | approved | modified | rejected | superseded
    status: Mapped[str] = mapped_column(String(20))
    applied_level: Mapped[int | None] = mapped_column(Integer)  # the level in force after it
    # the session at that level is served lighter (its main work shortened) until the next
    # decision: the coach's "lowest candidate and a lighter session"
    lighter: Mapped[bool] = mapped_column(Boolean, server_default=false(), default=False)
    decided_by: Mapped[str | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    note: Mapped[str | None] = mapped_column(String(1000))


class ModelVersion(db.Model):
    """A trained tolerance model in the registry; exactly one is active at a time (or none)."""

    __tablename__ = "model_versions"
    version: Mapped[str] = mapped_column(String(64), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    file_sha256: Mapped[str] = mapped_column(String(64))
    training_rows: Mapped[int] = mapped_column(Integer)
    trained_until: Mapped[date] = mapped_column(Date)  # the newest session it learned from
    source: Mapped[str] = mapped_column(String(40))  # simulated | database | csv
    metrics: Mapped[dict] = mapped_column(JSON)
    active: Mapped[bool] = mapped_column(Boolean, default=False)
    promoted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    note: Mapped[str | None] = mapped_column(String(500))
    auroc: Mapped[float | None] = mapped_column(Float)
    brier: Mapped[float | None] = mapped_column(Float)
