"""Dashboard sessions kept on the server (docs/security.md, "Sessions").

The browser holds only a random token; the record holds who signed in, when it ends (idle and
absolute), a short user-agent summary and the Flask session data. A record revoked (sign-out,
password change, deactivation, the account page) or expired stops every request at once.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import delete, select, update

from backend import clock
from backend.errors import NotFound
from backend.extensions import db
from backend.models import DashboardSession
from backend.security import Actor
from backend.services import audit, transactional

TOUCH_EVERY = timedelta(minutes=1)  # write "last seen" at most this often
KEEP_ENDED = timedelta(days=30)  # ended sessions are kept this long (who signed in from where)
BROWSERS = (("Edg/", "Edge"), ("Firefox/", "Firefox"), ("Chrome/", "Chrome"), ("Safari/", "Safari"))
SYSTEMS = (
    ("Windows", "Windows"),
    ("iPhone", "iOS"),
    ("iPad", "iOS"),
    ("Android", "Android"),
    ("Mac OS X", "macOS"),
    ("CrOS", "ChromeOS"),
    ("Linux", "Linux"),
)


@dataclass(frozen=True)
class Opened:
    """What a cookie's token opens: a live session, or why it no longer works."""

    id: str | None
    user_id: str | None
    data: dict
    ended: str | None  # None (live), "idle", "expired", "revoked" or "unknown"


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def summarise_agent(agent: str | None) -> str | None:
    """'Firefox on Windows' from a User-Agent header; enough to recognise a device, no more."""
    if not agent:
        return None
    browser = next((name for mark, name in BROWSERS if mark in agent), None)
    system = next((name for mark, name in SYSTEMS if mark in agent), None)
    if browser or system:
        return " on ".join(p for p in (browser or "Browser", system) if p)
    return re.sub(r"[^\w ./()-]", "", agent)[:60] or None


def _ending(row: DashboardSession, now: datetime) -> str | None:
    if row.revoked_at is not None:
        return "revoked"
    if now >= row.expires_at:
        return "expired"
    if now >= row.idle_expires_at:
        return "idle"
    return None


@transactional
def begin(user_id: str, user_agent: str | None) -> tuple[str, str]:
    """Start a session for a user who just signed in; returns (cookie token, record id)."""
    cfg = current_app.config
    now = clock.now()
    token = secrets.token_urlsafe(32)
    expires = now + timedelta(hours=cfg["WEB_SESSION_HOURS"])
    row = DashboardSession(
        user_id=user_id,
        token_hash=_digest(token),
        created_at=now,
        last_seen_at=now,
        idle_expires_at=min(now + timedelta(minutes=cfg["WEB_IDLE_MINUTES"]), expires),
        expires_at=expires,
        user_agent=summarise_agent(user_agent),
        data={},
    )
    db.session.add(row)
    # Keep the table small: this user's sessions that ended long ago go now.
    db.session.execute(
        delete(DashboardSession).where(
            DashboardSession.user_id == user_id, DashboardSession.expires_at < now - KEEP_ENDED
        )
    )
    db.session.flush()
    return token, row.id


@transactional
def open_token(token: str) -> Opened:
    """The session a cookie token opens; activity moves the idle end, never past the absolute one."""
    row = db.session.scalar(
        select(DashboardSession).where(DashboardSession.token_hash == _digest(token))
    )
    if row is None:
        return Opened(None, None, {}, "unknown")
    now = clock.now()
    ended = _ending(row, now)
    if ended is not None:
        return Opened(None, None, {}, ended)
    if now - row.last_seen_at >= TOUCH_EVERY:
        row.last_seen_at = now
        idle = timedelta(minutes=current_app.config["WEB_IDLE_MINUTES"])
        row.idle_expires_at = min(now + idle, row.expires_at)
    return Opened(row.id, row.user_id, dict(row.data or {}), None)


def save_data(session_id: str, data: dict) -> None:
    """Store a live session's Flask data (a revoked record keeps what it had)."""
    db.session.rollback()  # only this write commits, whatever the request left behind
    db.session.execute(
        update(DashboardSession)
        .where(DashboardSession.id == session_id, DashboardSession.revoked_at.is_(None))
        .values(data=data)
    )
    db.session.commit()


def _revoke(query, reason: str) -> int:
    return db.session.execute(
        query.where(DashboardSession.revoked_at.is_(None)).values(
            revoked_at=clock.now(), revoked_reason=reason
        )
    ).rowcount


@transactional
def revoke(session_id: str, reason: str) -> None:
    _revoke(update(DashboardSession).where(DashboardSession.id == session_id), reason)


def revoke_all(user_id: str, reason: str, keep: str | None = None) -> int:
    """End every session of a user (but `keep`) in the caller's transaction."""
    query = update(DashboardSession).where(DashboardSession.user_id == user_id)
    if keep is not None:
        query = query.where(DashboardSession.id != keep)
    return _revoke(query, reason)


def live(actor: Actor, current: str | None) -> list[dict]:
    """The actor's live sessions, newest first, the current one marked."""
    now = clock.now()
    rows = db.session.scalars(
        select(DashboardSession)
        .where(
            DashboardSession.user_id == actor.user_id,
            DashboardSession.revoked_at.is_(None),
            DashboardSession.expires_at > now,
            DashboardSession.idle_expires_at > now,
        )
        .order_by(DashboardSession.created_at.desc(), DashboardSession.id)
    ).all()
    db.session.rollback()  # a read
    return [
        {
            "id": r.id,
            "created_at": r.created_at,
            "last_seen_at": r.last_seen_at,
            "expires_at": min(r.idle_expires_at, r.expires_at),
            "user_agent": r.user_agent or "Unknown browser",
            "current": r.id == current,
        }
        for r in rows
    ]


@transactional
def revoke_own(actor: Actor, session_id: str) -> None:
    """The account page's "sign out this session": only the actor's own (others are a 404)."""
    query = update(DashboardSession).where(
        DashboardSession.id == session_id, DashboardSession.user_id == actor.user_id
    )
    if _revoke(query, "user") != 1:
        raise NotFound("No such session.")
    audit.record(actor, "dashboard.session_revoke", None, f"session={session_id}")


@transactional
def revoke_others(actor: Actor, keep: str) -> int:
    count = revoke_all(actor.user_id, "user", keep=keep)
    audit.record(actor, "dashboard.session_revoke", None, f"others={count}")
    return count
