"""Creating notifications exactly once and delivering them with retries.

Creation: every row carries a unique dedupe key; inserts use ON CONFLICT DO NOTHING, so a
job that runs twice (or two schedulers at once) creates nothing twice. An in-app row is
delivered the moment it exists (the inbox is the table), so it is inserted as `delivered`.

Delivery: `dispatch_due` claims a batch in one short transaction (PostgreSQL:
`FOR UPDATE SKIP LOCKED`; SQLite: BEGIN IMMEDIATE serialises writers) by giving each row a
lease (`claimed_until`), a new fencing token (`fence + 1`) and counting the attempt, commits,
then sends. Right before each send it renews that one row's lease, on condition that the
fence is still its own: a lease therefore cannot run out under a live sender (unless one
send outlasts the lease), and a row another dispatcher took over is skipped. Recording a
result needs the same fence. A dispatcher that dies mid-batch leaves leases that expire, and
the rows are sent by the next run. Failures retry with exponential backoff, then go `dead`.
"""

from __future__ import annotations

import json
import logging
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import NamedTuple

from sqlalchemy import Table, insert, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError

from backend import clock
from backend.errors import NotFound
from backend.extensions import db
from backend.models import Patient, User
from backend.models.base import new_id
from backend.models.notifications import Device, Notification, NotificationEvent
from backend.notify import setting
from backend.notify.channels import Channel, DeliveryResult, Message, build_channels, failed
from backend.security import Actor
from backend.services import paging, transactional

log = logging.getLogger(__name__)

RETRYABLE = ("scheduled", "failed")
INSTANT = ("in_app",)  # channels whose delivery is the row itself
COPY_FROM = 1000  # rows: from here on, PostgreSQL gets them by COPY
VISIBLE = ("delivered", "read")  # in-app rows the inbox shows
N = Notification


# ---------- creation ----------
def dedupe_key(
    kind: str,
    local_date: date,
    channel: str,
    patient_id: str | None = None,
    recipient: str | None = None,
    subject: str | None = None,
) -> str:
    """(kind, day, patient, recipient, subject, channel) spelled as one unique string."""
    parts = (kind, local_date.isoformat(), patient_id, recipient, subject, channel)
    return ":".join(part or "-" for part in parts)


def new_row(
    *,
    kind: str,
    channel: str,
    local_date: date,
    title: str,
    body: str,
    now: datetime,
    recipient_id: str | None = None,
    address: str | None = None,
    patient_id: str | None = None,
    subject: str | None = None,
    data: Mapping | None = None,
) -> dict:
    """A notification row ready for `insert_once`."""
    return {
        "id": new_id(),
        "dedupe_key": dedupe_key(
            kind, local_date, channel, patient_id, recipient_id or address, subject
        ),
        "recipient_id": recipient_id,
        "address": address,
        "patient_id": patient_id,
        "kind": kind,
        "channel": channel,
        "local_date": local_date,
        "title": title[:200],
        "body": body[:2000],
        "data": dict(data or {}),
        "state": "delivered" if channel in INSTANT else "scheduled",
        "attempts": 0,
        "fence": 0,
        "next_attempt_at": now,
        "created_at": now,
        "sent_at": now if channel in INSTANT else None,
    }


def create_once(
    *,
    kind: str,
    local_date: date,
    title: str,
    body: str,
    channels: Iterable[str],
    recipient_id: str | None = None,
    address: str | None = None,
    patient_id: str | None = None,
    subject: str | None = None,
    data: Mapping | None = None,
) -> list[str]:
    """Queue one notification on each channel; a duplicate is skipped, never an error.

    Joins the caller's transaction. Returns the ids of the rows actually created.
    """
    now = clock.now()
    rows = [
        new_row(
            kind=kind,
            channel=channel,
            local_date=local_date,
            title=title,
            body=body,
            now=now,
            recipient_id=recipient_id,
            address=address,
            patient_id=patient_id,
            subject=subject,
            data=data,
        )
        for channel in dict.fromkeys(channels)
    ]
    return insert_once(rows)


def insert_once(rows: list[dict], chunk: int = 5000) -> list[str]:
    """Bulk insert, skipping rows whose dedupe key exists; logs the first state of new rows.

    Returns the ids actually inserted: the state log is written server-side from the rows
    that exist, and its RETURNING says which of our fresh ids won. (A RETURNING on the
    insert itself makes the driver send small multi-VALUES batches, 5x slower.)
    """
    if not rows:
        return []
    # One global order: two schedulers inserting overlapping rows wait, never deadlock.
    rows = sorted(rows, key=lambda row: row["dedupe_key"])
    table: Table = N.__table__
    postgres = db.session.get_bind().dialect.name == "postgresql"
    if postgres and len(rows) >= COPY_FROM:
        return _copy_insert_once(rows)
    build = pg_insert if postgres else sqlite_insert
    db.session.execute(build(table).on_conflict_do_nothing(index_elements=["dedupe_key"]), rows)
    events = NotificationEvent.__table__
    created: list[str] = []
    for start in range(0, len(rows), chunk):
        ours = [row["id"] for row in rows[start : start + chunk]]
        created += db.session.scalars(
            insert(events)
            .from_select(
                ["notification_id", "at", "state"],
                select(table.c.id, table.c.created_at, table.c.state).where(table.c.id.in_(ours)),
            )
            .returning(events.c.notification_id)
        ).all()
    return created


def _copy_insert_once(rows: list[dict]) -> list[str]:
    """insert_once for a burst on PostgreSQL: COPY into a scratch table, then set-based SQL.

    About twice as fast as executemany (bench/bench_reminders.py). Runs on the session's
    connection, inside its transaction.
    """
    columns = ", ".join(rows[0])
    cursor = db.session.connection().connection.cursor()
    try:
        cursor.execute("CREATE TEMP TABLE incoming (LIKE notifications) ON COMMIT DROP")
        with cursor.copy(f"COPY incoming ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row([json.dumps(v) if isinstance(v, dict) else v for v in row.values()])
        cursor.execute(
            f"INSERT INTO notifications ({columns}) SELECT {columns} FROM incoming "
            "ORDER BY dedupe_key ON CONFLICT (dedupe_key) DO NOTHING"
        )
        # Fresh statistics now rather than when autovacuum comes by: while the table still
        # looked empty, the state log's foreign-key checks were planned as sequential scans
        # (minutes at 100 000 rows instead of a second).
        cursor.execute("ANALYZE notifications")
        cursor.execute(
            "INSERT INTO notification_events (notification_id, at, state) "
            "SELECT n.id, n.created_at, n.state FROM incoming i JOIN notifications n ON n.id = i.id "
            "RETURNING notification_id"
        )
        created = [row[0] for row in cursor.fetchall()]
        cursor.execute("DROP TABLE incoming")
        return created
    finally:
        cursor.close()


def _log_events(events: list[tuple[str, str, str | None]], at: datetime) -> None:
    """Append state changes (notification id, state, detail) in one statement."""
    if events:
        db.session.execute(
            insert(NotificationEvent.__table__),
            [
                {"notification_id": nid, "at": at, "state": state, "detail": detail}
                for nid, state, detail in events
            ],
        )


# ---------- delivery ----------
@dataclass
class DispatchReport:
    claimed: int = 0
    outcomes: Counter = field(default_factory=Counter)  # state -> count


def backoff(attempts: int) -> timedelta:
    """Wait before retry number `attempts` (1, 2, ...): base x 2^(n-1), capped."""
    base = setting("NOTIFY_BACKOFF_SECONDS")
    seconds = min(base * 2 ** max(attempts - 1, 0), setting("NOTIFY_BACKOFF_MAX_SECONDS"))
    return timedelta(seconds=seconds)


class Claimed(NamedTuple):
    id: str
    channel: str
    attempts: int  # including this one
    fence: int  # this claim's fencing token


@transactional
def claim(limit: int, only: Iterable[str] | None = None) -> list[Claimed]:
    """Lease up to `limit` due rows to this dispatcher, bump their fence and count the
    attempt; commit at once."""
    now = clock.now()
    due = select(N.id, N.channel, N.attempts, N.fence).where(
        N.state.in_(RETRYABLE),
        N.next_attempt_at <= now,
        or_(N.claimed_until.is_(None), N.claimed_until <= now),
    )
    if only is not None:
        due = due.where(N.id.in_(list(only)))
    # SKIP LOCKED: a second dispatcher takes the next rows instead of waiting for these.
    # Two statements rather than one UPDATE joined to a locking subquery: right after a burst
    # of inserts the planner's row estimates are stale, and it once chose a nested loop that
    # took 8 s for 10 000 rows; updating a list of primary keys cannot go wrong that way.
    claimed = db.session.execute(
        due.order_by(N.next_attempt_at, N.id).limit(limit).with_for_update(skip_locked=True)
    ).all()
    table = N.__table__
    for start in range(0, len(claimed), 5000):
        db.session.execute(
            update(table)
            .where(table.c.id.in_([row.id for row in claimed[start : start + 5000]]))
            .values(
                claimed_until=_lease_end(now),
                attempts=table.c.attempts + 1,
                fence=table.c.fence + 1,
            )
        )
    # The rows are locked (PostgreSQL) or the database is (SQLite): +1 is the new value.
    return [Claimed(row.id, row.channel, row.attempts + 1, row.fence + 1) for row in claimed]


def _lease_end(now: datetime) -> datetime:
    return now + timedelta(seconds=setting("NOTIFY_LEASE_SECONDS"))


def _extend(row: Claimed) -> bool:
    """Extend one row's lease right before its send, in the caller's transaction; False if
    another dispatcher took it over (the fence moved on) or it is no longer due."""
    return bool(
        db.session.execute(
            update(N)
            .where(N.id == row.id, N.fence == row.fence, N.state.in_(RETRYABLE))
            .values(claimed_until=_lease_end(clock.now()))
            .execution_options(synchronize_session=False)
        ).rowcount
    )


_renew = transactional(_extend)


def dispatch_due(
    limit: int | None = None,
    channels: Mapping[str, Channel] | None = None,
    only: Iterable[str] | None = None,
) -> DispatchReport:
    """Claim one batch of due notifications and deliver them; returns what happened."""
    limit = limit or setting("NOTIFY_BATCH_SIZE")
    channels = channels if channels is not None else build_channels()
    claimed = {c.id: c for c in claim(limit, only)}
    report = DispatchReport(claimed=len(claimed))
    try:
        messages = _messages(list(claimed))
        ready = bool(messages) and _renew(claimed[messages[0].id])
        for i, message in enumerate(messages):
            mine = claimed[message.id]
            following = claimed[messages[i + 1].id] if i + 1 < len(messages) else None
            if not ready:
                report.outcomes["taken_over"] += 1  # our batch lease ran out; theirs now
                ready = following is not None and _renew(following)
                continue
            result = _send(channels.get(message.channel), message)
            report.outcomes[_outcome(result, mine.attempts)] += 1
            # Recorded one by one so that a crash resends at most the message in flight
            # (receivers deduplicate on its stable id); the same transaction renews the
            # next row's lease, right before its send.
            ready = _record(message.id, mine, result, following)
    finally:
        for channel in channels.values():
            if hasattr(channel, "close"):
                channel.close()  # e.g. the batch's SMTP connection
    return report


def drain(max_batches: int = 100, channels: Mapping[str, Channel] | None = None) -> Counter:
    """Dispatch batches until nothing is due (or `max_batches`), for the scheduler."""
    total: Counter = Counter()
    limit = setting("NOTIFY_BATCH_SIZE")
    for _ in range(max_batches):
        report = dispatch_due(limit, channels)
        total.update(report.outcomes)
        if report.claimed < limit:
            break
    return total


def deliver_now(ids: Iterable[str], channels: Mapping[str, Channel] | None = None) -> Counter:
    """Send these freshly created rows at once instead of waiting for the dispatcher."""
    ids = list(ids)
    return dispatch_due(len(ids), channels, only=ids).outcomes if ids else Counter()


def _send(channel: Channel | None, message: Message) -> DeliveryResult:
    if channel is None:
        return failed(f"unknown channel {message.channel}", retry=False)
    try:
        return channel.send(message)
    except Exception as error:  # noqa: BLE001 - a broken channel must not stop the batch
        log.exception("channel %s raised for notification %s", message.channel, message.id)
        return failed(f"{error.__class__.__name__}: {error}")


def _outcome(result: DeliveryResult, attempts: int) -> str:
    if result.ok:
        return result.state
    if not result.retry or attempts >= setting("NOTIFY_MAX_ATTEMPTS"):
        return "dead"
    return "failed"


@transactional
def _messages(ids: list[str]) -> list[Message]:
    """What the channels need, by primary-key lookups only (robust plans on any table size)."""
    if not ids:
        return []
    rows = db.session.scalars(select(N).where(N.id.in_(ids)).order_by(N.next_attempt_at, N.id))
    rows = list(rows)
    users = {n.recipient_id for n in rows if n.recipient_id}
    patients = {n.patient_id for n in rows if n.patient_id}
    emails = dict(db.session.execute(select(User.id, User.email).where(User.id.in_(users))).all())
    clinics = dict(
        db.session.execute(
            select(Patient.id, Patient.clinic_id).where(Patient.id.in_(patients))
        ).all()
    )
    push_users = {n.recipient_id for n in rows if n.channel == "push" and n.recipient_id}
    tokens: dict[str, list[str]] = defaultdict(list)
    if push_users:
        for user_id, token in db.session.execute(
            select(Device.user_id, Device.token).where(Device.user_id.in_(push_users))
        ):
            tokens[user_id].append(token)
    return [
        Message(
            id=n.id,
            kind=n.kind,
            channel=n.channel,
            title=n.title,
            body=n.body,
            local_date=n.local_date,
            created_at=n.created_at,
            email=n.address or emails.get(n.recipient_id),
            tokens=tuple(tokens.get(n.recipient_id or "", ())),
            patient_id=n.patient_id,
            clinic_id=clinics.get(n.patient_id) or (n.data or {}).get("clinic_id"),
            data=n.data or {},
        )
        for n in rows
    ]


@transactional
def _record(nid: str, mine: Claimed, result: DeliveryResult, following: Claimed | None) -> bool:
    # Only the holder of the current fence may record: if another dispatcher took the row
    # over (its claim bumped the fence), its result wins and ours is dropped.
    now = clock.now()
    attempts = mine.attempts
    state = _outcome(result, attempts)
    values: dict = {"state": state, "claimed_until": None}
    if result.ok:
        values.update(sent_at=now, last_error=None)
        detail = result.detail
    else:
        values["last_error"] = result.detail
        detail = f"attempt {attempts}: {result.detail}"
        if state == "failed":
            values["next_attempt_at"] = now + backoff(attempts)
            detail += f"; retry at {values['next_attempt_at'].isoformat()}"
    changed = db.session.execute(
        update(N)
        .where(N.id == nid, N.fence == mine.fence)
        .values(**values)
        .execution_options(synchronize_session=False)
    ).rowcount
    if changed:
        _log_events([(nid, state, detail[:500])], now)
    return following is not None and _extend(following)


# ---------- the inbox, for any signed-in user ----------
def item(n: Notification) -> dict:
    return {
        "id": n.id,
        "kind": n.kind,
        "title": n.title,
        "body": n.body,
        "date": n.local_date,
        "patient_id": n.patient_id,
        "data": n.data or {},
        "created_at": n.created_at,
        "read_at": n.read_at,
    }


@transactional
def inbox(actor: Actor, limit: int = 20, cursor: str | None = None) -> dict:
    """The caller's in-app notifications, newest first, a page after `cursor`."""
    query = select(N).where(
        N.recipient_id == actor.user_id, N.channel == "in_app", N.state.in_(VISIBLE)
    )
    order = [(N.created_at, True), (N.id, True)]
    rows, next_cursor = paging.keyset(query, order, N.id, cursor, limit)
    return paging.page([item(n) for (n,) in rows], next_cursor)


@transactional
def mark_read(actor: Actor, notification_id: str) -> dict:
    """Mark one of the caller's in-app notifications read (again: no change)."""
    n = _own_in_app(actor, notification_id)
    if n.read_at is None:
        now = clock.now()
        n.state, n.read_at, n.claimed_until = "read", now, None
        _log_events([(n.id, "read", None)], now)
    return item(n)


def _own_in_app(actor: Actor, notification_id: str) -> Notification:
    n = db.session.get(N, notification_id) if isinstance(notification_id, str) else None
    if n is None or n.recipient_id != actor.user_id or n.channel != "in_app":
        raise NotFound("No such notification.")
    return n


# The push service behind each platform's token: the gateway routes by it (docs/api.md).
TOKEN_KINDS = {"ios": "apns", "android": "fcm", "web": "fcm"}


@transactional
def register_device(actor: Actor, token: str, platform: str) -> tuple[dict, bool]:
    """Remember a push token for the caller (idempotent); returns (device, created)."""
    now = clock.now()
    device = db.session.scalar(select(Device).where(Device.token == token))
    created = device is None
    if created:
        device = Device(user_id=actor.user_id, token=token, platform=platform, created_at=now)
        try:
            with db.session.begin_nested():
                device.last_seen_at = now
                db.session.add(device)
        except IntegrityError:  # the same token registered concurrently
            created = False
            device = db.session.scalar(select(Device).where(Device.token == token))
    # A token identifies an app install; whoever signed in on it last receives its pushes.
    device.user_id, device.platform, device.last_seen_at = actor.user_id, platform, now
    return _device(device), created


def _device(device: Device) -> dict:
    return {
        "id": device.id,
        "platform": device.platform,
        "token_kind": TOKEN_KINDS[device.platform],
        "created_at": device.created_at,
    }


@transactional
def remove_device(actor: Actor, device_id: str) -> None:
    """Forget one of the caller's push tokens; anyone else's is a 404 (never revealed)."""
    device = db.session.get(Device, device_id) if isinstance(device_id, str) else None
    if device is None or device.user_id != actor.user_id:
        raise NotFound("No such device.")
    db.session.delete(device)
