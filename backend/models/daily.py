"""A patient's day: check-ins, the served session, its log, and red-flag alerts."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from backend.extensions import db
from backend.models.base import UTCDateTime, id_column


class CheckIn(db.Model):
    """A morning (or any-time) check-in; several a day are kept, the latest one counts."""

    __tablename__ = "check_ins"
    __table_args__ = (
        Index("ix_check_ins_patient_day", "patient_id", "local_date"),
        # An offline check-in synced twice is stored once (NULL keys never collide).
        UniqueConstraint("patient_id", "idempotency_key", name="uq_check_in_idempotency"),
    )
    id: Mapped[str] = id_column()
    patient_id: Mapped[str] = mapped_column(ForeignKey("patients.id", ondelete="CASCADE"))
    local_date: Mapped[date] = mapped_column(Date)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    fatigue: Mapped[int] = mapped_column(Integer)
    pain: Mapped[int] = mapped_column(Integer)
    sleep_quality: Mapped[int | None] = mapped_column(Integer)
    symptoms: Mapped[list] = mapped_column(JSON)
    temperature_c: Mapped[float | None] = mapped_column(Float)
    pain_at_lesion: Mapped[bool] = mapped_column(Boolean, default=False)
    # Resting vital signs the patient measured (vocabulary.VITALS and their units).
    resting_hr: Mapped[float | None] = mapped_column(Float)
    systolic_bp: Mapped[float | None] = mapped_column(Float)
    diastolic_bp: Mapped[float | None] = mapped_column(Float)
    spo2: Mapped[float | None] = mapped_column(Float)
    glucose: Mapped[float | None] = mapped_column(Float)
    status: Mapped[str] = mapped_column(String(8))  # green | amber | red
    reasons: Mapped[list] = mapped_column(JSON)
    advice: Mapped[str] = mapped_column(String(1000))
    rules_version: Mapped[str] = mapped_column(String(64))
    idempotency_key: Mapped[str | None] = mapped_column(String(100))
    request_hash: Mapped[str | None] = mapped_column(String(64))


class Alert(db.Model):
    """A red flag for the patient's clinicians, open until acknowledged."""

    __tablename__ = "alerts"
    __table_args__ = (Index("ix_alerts_clinic_open", "clinic_id", "acknowledged_at"),)
    id: Mapped[str] = id_column()
    patient_id: Mapped[str] = mapped_column(
        ForeignKey("patients.id", ondelete="CASCADE"), index=True
    )
    clinic_id: Mapped[str] = mapped_column(ForeignKey("clinics.id"))
    kind: Mapped[str] = mapped_column(String(30))  # red_flag
    check_in_id: Mapped[str | None] = mapped_column(ForeignKey("check_ins.id", ondelete="SET NULL"))
    local_date: Mapped[date] = mapped_column(Date)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime())
    reasons: Mapped[list] = mapped_column(JSON)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    acknowledged_by: Mapped[str | None] = mapped_column(ForeignKey("users.id"))
    note: Mapped[str | None] = mapped_column(String(1000))
    # The clinician's decision: resume | resume_lighter | pause (sessions stay held).
    decision: Mapped[str | None] = mapped_column(String(20))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    escalated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class ExerciseSession(db.Model):
    """The session served for one patient on one local date (re-planned until it is logged)."""

    __tablename__ = "exercise_sessions"
    __table_args__ = (UniqueConstraint("patient_id", "local_date", name="uq_session_patient_day"),)
    id: Mapped[str] = id_column()
    patient_id: Mapped[str] = mapped_column(ForeignKey("patients.id", ondelete="CASCADE"))
    local_date: Mapped[date] = mapped_column(Date)
    revision: Mapped[int] = mapped_column(Integer, default=1)
    status: Mapped[str] = mapped_column(
        String(12)
    )  # planned | rest | blocked | completed | partial | stopped
    verdict: Mapped[str] = mapped_column(String(8))
    blocks: Mapped[list] = mapped_column(JSON)
    modalities: Mapped[list] = mapped_column(JSON)
    substitutions: Mapped[list] = mapped_column(JSON)
    levels: Mapped[dict] = mapped_column(JSON)  # level per modality used for this session
    explanation: Mapped[str] = mapped_column(String(2000))
    # Every safety rule that shaped the session: code, severity, message, source, quote.
    reasons: Mapped[list | None] = mapped_column(JSON)
    planned_load: Mapped[float] = mapped_column(Float)
    check_in_id: Mapped[str | None] = mapped_column(ForeignKey("check_ins.id", ondelete="SET NULL"))
    content_version: Mapped[str] = mapped_column(String(64))
    rules_version: Mapped[str] = mapped_column(String(64))
    model_version: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class SessionLog(db.Model):
    """What the patient did. Stored once per idempotency key and once per session."""

    __tablename__ = "session_logs"
    __table_args__ = (
        UniqueConstraint("patient_id", "idempotency_key", name="uq_log_idempotency"),
        UniqueConstraint("session_id", name="uq_log_session"),
    )
    id: Mapped[str] = id_column()
    patient_id: Mapped[str] = mapped_column(
        ForeignKey("patients.id", ondelete="CASCADE"), index=True
    )
    session_id: Mapped[str] = mapped_column(ForeignKey("exercise_sessions.id", ondelete="CASCADE"))
    idempotency_key: Mapped[str] = mapped_column(String(100))
    request_hash: Mapped[str] = mapped_column(String(64))
    performed_on: Mapped[date] = mapped_column(Date)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())
    completed: Mapped[bool] = mapped_column(Boolean)
    minutes: Mapped[float] = mapped_column(Float)
    session_rpe: Mapped[float] = mapped_column(Float)
    rpe_scale: Mapped[str] = mapped_column(String(8))  # cr10 | borg20, stored as given
    session_load: Mapped[float] = mapped_column(Float)  # minutes x CR-10 (Foster sRPE)
    fatigue_after: Mapped[int | None] = mapped_column(Integer)
    pain_after: Mapped[int | None] = mapped_column(Integer)
    blocks: Mapped[list] = mapped_column(JSON)
    adverse_event: Mapped[str | None] = mapped_column(String(1000))
    stopped_early_reason: Mapped[str | None] = mapped_column(String(1000))
