"""Notifications (one row per recipient and channel), their state log, devices and snoozes."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, BigInteger, Date, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from backend.extensions import db
from backend.models.base import UTCDateTime, id_column


class Notification(db.Model):
    """One message to one recipient on one channel.

    `dedupe_key` is unique: it spells out (kind, local date, patient, recipient, channel)
    plus a subject (e.g. the alert id) where one day can hold several. A second insert of
    the same key is skipped, so every job that creates notifications can run twice.
    """

    __tablename__ = "notifications"
    __table_args__ = (
        # The dispatcher's claim: due rows in the retryable states, oldest first.
        Index("ix_notifications_due", "state", "next_attempt_at"),
        # The scheduler's "already queued today?" and the daily cap.
        Index("ix_notifications_patient_day", "patient_id", "local_date", "kind"),
        # The inbox, newest first.
        Index("ix_notifications_inbox", "recipient_id", "channel", "created_at"),
    )
    id: Mapped[str] = id_column()
    dedupe_key: Mapped[str] = mapped_column(String(500), unique=True)
    recipient_id: Mapped[str | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    address: Mapped[str | None] = mapped_column(String(320))  # e-mail with no user (on-call)
    patient_id: Mapped[str | None] = mapped_column(ForeignKey("patients.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(40))
    channel: Mapped[str] = mapped_column(String(16))  # in_app | email | webhook | push
    local_date: Mapped[date] = mapped_column(Date)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(String(2000))
    data: Mapped[dict] = mapped_column(JSON)  # ids a client links to (alert_id, counts)
    # scheduled | sent | delivered | failed (will retry) | dead | read
    state: Mapped[str] = mapped_column(String(12))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # A dispatcher's lease: the row is being sent until then; after it, anyone may retry.
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Fencing token: +1 at every claim. Only the holder of the current value may renew the
    # lease or record a result, so a dispatcher that lost its row cannot mark it sent.
    fence: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    last_error: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class NotificationEvent(db.Model):
    """Append-only log of every state a notification went through."""

    __tablename__ = "notification_events"
    # A sequence, not a random id: it orders events of the same instant, and it never
    # appears in a URL. (SQLite only autoincrements INTEGER PRIMARY KEY.)
    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    notification_id: Mapped[str] = mapped_column(
        ForeignKey("notifications.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    state: Mapped[str] = mapped_column(String(12))
    detail: Mapped[str | None] = mapped_column(String(500))


class Device(db.Model):
    """A push token of a signed-in app install; a token belongs to its latest user."""

    __tablename__ = "devices"
    id: Mapped[str] = id_column()
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token: Mapped[str] = mapped_column(String(512), unique=True)
    platform: Mapped[str] = mapped_column(String(10))  # ios | android | web
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Snooze(db.Model):
    """Reminders for this patient are muted until `until`."""

    __tablename__ = "reminder_snoozes"
    patient_id: Mapped[str] = mapped_column(
        ForeignKey("patients.id", ondelete="CASCADE"), primary_key=True
    )
    until: Mapped[datetime] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
