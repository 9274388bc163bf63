"""Clinics, users (admins, clinicians, patients) and their credentials."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from backend.extensions import db
from backend.models.base import UTCDateTime, id_column


class Clinic(db.Model):
    __tablename__ = "clinics"
    id: Mapped[str] = id_column()
    name: Mapped[str] = mapped_column(String(200))
    on_call_email: Mapped[str | None] = mapped_column(String(320))
    # The dashboard shows times in the clinic's own zone (stored times are UTC).
    timezone: Mapped[str] = mapped_column(String(64), server_default="UTC")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class User(db.Model):
    __tablename__ = "users"
    id: Mapped[str] = id_column()
    email: Mapped[str] = mapped_column(String(320), unique=True)
    password_hash: Mapped[str | None] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))  # admin | clinician | patient
    clinic_id: Mapped[str] = mapped_column(ForeignKey("clinics.id"), index=True)
    display_name: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    clinic: Mapped[Clinic] = relationship()
    held: Mapped[HeldEnrolment | None] = relationship(viewonly=True)


class RefreshToken(db.Model):
    """One refresh token of a rotation family; only its hash is stored."""

    __tablename__ = "refresh_tokens"
    id: Mapped[str] = id_column()
    family_id: Mapped[str] = mapped_column(String(32), index=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    spent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class RevokedFamily(db.Model):
    """A token family that was logged out or caught being replayed: its access tokens die too."""

    __tablename__ = "revoked_families"
    family_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    revoked_at: Mapped[datetime] = mapped_column(UTCDateTime())
    reason: Mapped[str] = mapped_column(String(40))


class DashboardSession(db.Model):
    """A dashboard sign-in kept on the server; the browser's cookie holds only its random token.

    `data` is the Flask session of that sign-in (CSRF secret, flashed messages), so a cookie
    replayed after the record is revoked or expired carries nothing that still works.
    """

    __tablename__ = "dashboard_sessions"
    id: Mapped[str] = id_column()  # shown on the account page; never the cookie's token
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime())
    idle_expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())  # absolute: never extended
    user_agent: Mapped[str | None] = mapped_column(String(120))
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_reason: Mapped[str | None] = mapped_column(String(20))


class HeldEnrolment(db.Model):
    """An enrolment whose e-mail already has an account elsewhere (docs/security.md).

    The enrolling clinic gets an ordinary-looking patient record; its user row carries a
    placeholder address, the typed one is kept here, and its invite never activates.
    """

    __tablename__ = "held_enrolments"
    user_id: Mapped[str] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    email: Mapped[str] = mapped_column(String(320))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class InviteCode(db.Model):
    """Single-use, expiring code with which an enrolled patient sets a password."""

    __tablename__ = "invite_codes"
    id: Mapped[str] = id_column()
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class AuditEvent(db.Model):
    """Who read or changed which patient's record, when and from where."""

    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_clinic_at", "clinic_id", "at"),)
    id: Mapped[str] = id_column()
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    actor_id: Mapped[str] = mapped_column(ForeignKey("users.id"), index=True)
    actor_role: Mapped[str] = mapped_column(String(20))
    clinic_id: Mapped[str] = mapped_column(ForeignKey("clinics.id"))
    patient_id: Mapped[str | None] = mapped_column(String(32), index=True)
    action: Mapped[str] = mapped_column(String(60))  # e.g. patient.read, patient.update
    remote_addr: Mapped[str | None] = mapped_column(String(64))
    detail: Mapped[str | None] = mapped_column(String(500))
