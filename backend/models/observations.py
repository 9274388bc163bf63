"""Wearable observations: raw points (kept for a window) and their day and session summaries
(kept for good).

On PostgreSQL the raw table is partitioned by month of `started_at` (partitions live in the
`observation_partitions` schema, made by services.observations) with a BRIN index on time;
SQLite keeps one plain table.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, Float, ForeignKey, Index, Integer, PrimaryKeyConstraint, String
from sqlalchemy.orm import Mapped, mapped_column

from backend.extensions import db
from backend.models.base import UTCDateTime

PARTITION_SCHEMA = "observation_partitions"


class ObservationPoint(db.Model):
    """One reading or count, stored once per (patient, start, type, device)."""

    __tablename__ = "observation_points"
    __table_args__ = (
        # The idempotency key, and (patient, time) first so a day's points are one range scan.
        PrimaryKeyConstraint(
            "patient_id", "started_at", "kind", "device", name="pk_observation_points"
        ),
        Index("ix_observation_points_time_brin", "started_at", postgresql_using="brin"),
        {"postgresql_partition_by": "RANGE (started_at)"},
    )
    patient_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("patients.id", ondelete="CASCADE")
    )
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    kind: Mapped[str] = mapped_column(String(16))
    device: Mapped[str] = mapped_column(String(64))
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    value: Mapped[float] = mapped_column(Float)


class ObservationDay(db.Model):
    """One kind's summary over one of the patient's local days (domain.observations.Summary)."""

    __tablename__ = "observation_days"
    __table_args__ = (
        PrimaryKeyConstraint("patient_id", "local_date", "kind", name="pk_observation_days"),
    )
    patient_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("patients.id", ondelete="CASCADE")
    )
    local_date: Mapped[date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(16))
    minutes: Mapped[int] = mapped_column(Integer)
    minimum: Mapped[float | None] = mapped_column(Float)
    maximum: Mapped[float | None] = mapped_column(Float)
    mean: Mapped[float | None] = mapped_column(Float)
    total: Mapped[float | None] = mapped_column(Float)


class SessionStream(db.Model):
    """A session linked by time to the patient's streams, with each kind's summary over it."""

    __tablename__ = "session_streams"
    session_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("exercise_sessions.id", ondelete="CASCADE"), primary_key=True
    )
    patient_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("patients.id", ondelete="CASCADE"), index=True
    )
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ended_at: Mapped[datetime] = mapped_column(UTCDateTime())
    summaries: Mapped[dict] = mapped_column(JSON)  # kind -> Summary fields
