"""The patient record: clinical profile, prescription and care team."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Column, Date, ForeignKey, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship

from backend.extensions import db
from backend.models.accounts import User
from backend.models.base import UTCDateTime, id_column

care_team = Table(
    "care_team",
    db.metadata,
    Column("patient_id", ForeignKey("patients.id", ondelete="CASCADE"), primary_key=True),
    Column("clinician_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
)


class Patient(db.Model):
    __tablename__ = "patients"
    id: Mapped[str] = id_column()
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"), unique=True)
    clinic_id: Mapped[str] = mapped_column(ForeignKey("clinics.id"), index=True)
    cancer_type: Mapped[str] = mapped_column(String(120))
    # The clinical profile is one validated document (lesions, scores, labs, calendar,
    # precautions, equipment): it is always read and written whole.
    clinical: Mapped[dict] = mapped_column(JSON)
    prescription: Mapped[dict | None] = mapped_column(JSON)
    timezone: Mapped[str] = mapped_column(String(64))
    # How the care team reaches the patient: E.164 phone, preferred channel (identifying:
    # never logged; every read of the record is audited).
    phone: Mapped[str | None] = mapped_column(String(32))
    preferred_contact: Mapped[str | None] = mapped_column(String(10))
    # After a zone change the date is held (domain.zones.ZoneHold): a change never hands
    # the patient a day not yet started, or one already lived.
    zone_hold_floor: Mapped[date | None] = mapped_column(Date)
    zone_hold_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    zone_hold_cap_zone: Mapped[str | None] = mapped_column(String(64))
    settings: Mapped[dict] = mapped_column(JSON)  # reminder window, quiet hours, channels
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    clinicians: Mapped[list[User]] = relationship(secondary=care_team)
