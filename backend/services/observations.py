"""Wearable observations: store a validated batch once per point, keep day and session
summaries current, and prune raw points past the retention window."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from flask import current_app
from sqlalchemy import delete, func, select, text
from sqlalchemy.dialects import postgresql, sqlite

from backend import clock
from backend.domain import observations as obs
from backend.domain.observation_input import parse_batch
from backend.errors import Invalid, NotFound
from backend.extensions import db
from backend.models import ExerciseSession, ObservationDay, ObservationPoint, Patient, SessionStream
from backend.models.observations import PARTITION_SCHEMA
from backend.security import Actor
from backend.services import audit, transactional
from backend.services.patients import is_id, load_patient

# Uploads may reach back to the window less this margin, so every day an upload touches still
# has all its raw points (a local day spans at most 25 h plus a steps interval of 24 h).
MARGIN = timedelta(days=2)
MAX_SESSION = timedelta(hours=6)
PARTITION_LOCK = 0x0B5E  # pg_advisory_xact_lock key: one creator of partitions at a time
PARTITION_LOCK_TIMEOUT = "10s"
KEY_COLUMNS = ("patient_id", "started_at", "kind", "device")


def retention() -> timedelta:
    return timedelta(days=current_app.config["OBSERVATION_RETENTION_DAYS"])


def _is_postgres() -> bool:
    return db.engine.dialect.name == "postgresql"


@transactional
def ingest(actor: Actor, body: dict) -> dict:
    """Validate the whole batch first (any bad point: 422, nothing stored), then upsert."""
    patient = load_patient(actor, actor.patient_id or "")
    now = clock.now()
    window = (now - retention() + MARGIN, now)
    try:
        points = parse_batch(body["points"], body.get("device", "unspecified"), window)
    except obs.PointError as error:
        where = {"points": {str(error.index): {error.field: [error.message]}}}
        if error.index < 0:
            where = {"points": [error.message]}
        raise Invalid(
            f"Point {error.index}, {error.field}: {error.message} Nothing was stored.",
            {"json": where},
        ) from None
    unique = obs.dedupe(points)
    # Before this transaction touches observation_points: making a partition needs the
    # parent to itself for a moment.
    _ensure_partitions({p.start for p in unique})
    # One upload per patient at a time: two concurrent ones would each re-summarise a day
    # without the other's points and the later commit would keep half the day.
    db.session.execute(select(Patient.id).where(Patient.id == patient.id).with_for_update())
    links = _session_links(actor, patient, body.get("sessions") or [])
    before = _count(patient.id, unique)
    _upsert(patient.id, unique)
    new = _count(patient.id, unique) - before
    days = sorted(obs.local_days(unique, patient.timezone))
    day_rows = [row for day in days for row in resummarise_day(patient, day)]
    streams = _resummarise_sessions(patient, unique, links)
    return {
        "received": len(points),
        "stored": len(unique),
        "new": new,
        "days": [_day_dict(row) for row in day_rows],
        "sessions": [_stream_dict(s) for s in streams],
    }


def _session_links(actor: Actor, patient: Patient, raw: list[dict]) -> list[tuple]:
    """(session, start, end) for each session the batch links to its streams by time."""
    links = []
    for index, link in enumerate(raw):
        session_id = link["session_id"]
        session = db.session.get(ExerciseSession, session_id) if is_id(session_id) else None
        if session is not None and session.patient_id != patient.id:
            owner = db.session.get(Patient, session.patient_id)
            audit.denied(actor, owner.clinic_id, owner.id, f"session={session.id}")
            session = None
        if session is None:
            raise NotFound("No such session.")
        start, end = link["start"], link["end"]
        if not start < end <= start + MAX_SESSION:
            raise Invalid(
                f"Session link {index}: the end must follow the start by at most 6 hours.",
                {"json": {"sessions": {str(index): {"end": ["at most 6 hours after start"]}}}},
            )
        links.append((session, start, end))
    return links


def _count(patient_id: str, points: list[obs.Point]) -> int:
    lo, hi = min(p.start for p in points), max(p.start for p in points)
    query = select(func.count()).where(
        ObservationPoint.patient_id == patient_id,
        ObservationPoint.started_at.between(lo, hi),
    )
    return db.session.execute(query).scalar_one()


def _upsert(patient_id: str, points: list[obs.Point]) -> None:
    """Insert, or replace the value and end of, each point under its key (a device's
    re-upload corrects its reading rather than adding one). One compiled statement run as
    an executemany: compiling a 500-row VALUES list cost more than the insert itself."""
    insert = postgresql.insert if _is_postgres() else sqlite.insert
    statement = insert(ObservationPoint.__table__)
    statement = statement.on_conflict_do_update(
        index_elements=list(KEY_COLUMNS),
        set_={"ended_at": statement.excluded.ended_at, "value": statement.excluded.value},
    )
    rows = [
        {
            "patient_id": patient_id,
            "started_at": p.start,
            "kind": p.kind,
            "device": p.device,
            "ended_at": p.end,
            "value": p.value,
        }
        for p in points
    ]
    db.session.execute(statement, rows)


def _points_between(patient_id: str, start: datetime, end: datetime) -> list[obs.Point]:
    """The raw points in [start, end), plus intervals that began up to 24 h before it."""
    point = ObservationPoint
    reaches_in = (point.ended_at > start) & (point.started_at >= start - obs.MAX_STEP_INTERVAL)
    query = select(point.kind, point.device, point.started_at, point.ended_at, point.value).where(
        point.patient_id == patient_id,
        point.started_at < end,
        (point.started_at >= start) | reaches_in,
    )
    return [obs.Point(*row) for row in db.session.execute(query)]


def resummarise_day(patient: Patient, day: date) -> list[ObservationDay]:
    """Rebuild one local day's summaries from its raw points (in the caller's transaction)."""
    start, end = obs.day_bounds(day, patient.timezone)
    summaries = obs.summaries_between(_points_between(patient.id, start, end), start, end)
    db.session.execute(
        delete(ObservationDay).where(
            ObservationDay.patient_id == patient.id, ObservationDay.local_date == day
        )
    )
    rows = [
        ObservationDay(
            patient_id=patient.id,
            local_date=day,
            kind=s.kind,
            minutes=s.minutes,
            minimum=s.minimum,
            maximum=s.maximum,
            mean=s.mean,
            total=s.total,
        )
        for s in summaries
    ]
    db.session.add_all(rows)
    return rows


def _resummarise_sessions(patient: Patient, points: list[obs.Point], links) -> list:
    """Link the named sessions, and refresh every linked session the new points overlap."""
    for session, start, end in links:
        stream = db.session.get(SessionStream, session.id)
        if stream is None:
            stream = SessionStream(session_id=session.id, patient_id=patient.id, summaries={})
            db.session.add(stream)
        stream.started_at, stream.ended_at = start, end
    db.session.flush()
    lo = min(p.start for p in points)
    hi = max(p.end or p.start for p in points)
    overlapping = select(SessionStream).where(
        SessionStream.patient_id == patient.id,
        SessionStream.started_at <= hi,
        SessionStream.ended_at >= lo,
    )
    touched = {s.session_id: s for s in db.session.execute(overlapping).scalars()}
    for session, _, _ in links:
        touched[session.id] = db.session.get(SessionStream, session.id)
    for stream in touched.values():
        inside = _points_between(patient.id, stream.started_at, stream.ended_at)
        found = obs.summaries_between(inside, stream.started_at, stream.ended_at)
        stream.summaries = {s.kind: _summary_fields(s) for s in found}
    return sorted(touched.values(), key=lambda s: s.started_at)


def _summary_fields(summary) -> dict:
    return {
        "minutes": summary.minutes,
        "minimum": summary.minimum,
        "maximum": summary.maximum,
        "mean": summary.mean,
        "total": summary.total,
    }


def _day_dict(row: ObservationDay) -> dict:
    return {"date": row.local_date, "type": row.kind, **_summary_fields(row)}


def _stream_dict(stream: SessionStream) -> dict:
    return {
        "session_id": stream.session_id,
        "start": stream.started_at,
        "end": stream.ended_at,
        "summaries": stream.summaries,
    }


# --- PostgreSQL partitions and pruning ---------------------------------------------------


def _month_start(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def _next_month(month: datetime) -> datetime:
    return (month + timedelta(days=32)).replace(day=1)


def partition_name(month: datetime) -> str:
    return f"observation_points_{month.year:04d}_{month.month:02d}"


def _ensure_partitions(starts: set[datetime]) -> None:
    """Create the month partitions the points need, in a short transaction of their own so
    the DDL's lock on the parent ends at once (PostgreSQL only)."""
    if not _is_postgres():
        return
    months = {_month_start(s) for s in starts}
    exists = text("SELECT to_regclass(:name)")
    missing = [
        m
        for m in sorted(months)
        if db.session.execute(exists, {"name": f"{PARTITION_SCHEMA}.{partition_name(m)}"}).scalar()
        is None
    ]
    if not missing:
        return
    with db.engine.begin() as conn:
        # A long transaction on the parent must not queue every upload behind this DDL:
        # give up after a while (a 503 the phone retries).
        conn.execute(text(f"SET LOCAL lock_timeout = '{PARTITION_LOCK_TIMEOUT}'"))
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": PARTITION_LOCK})
        conn.execute(text(f"CREATE SCHEMA IF NOT EXISTS {PARTITION_SCHEMA}"))
        for month in missing:
            # Names and bounds come from datetimes, never from input text.
            conn.execute(
                text(
                    f"CREATE TABLE IF NOT EXISTS {PARTITION_SCHEMA}.{partition_name(month)} "
                    f"PARTITION OF observation_points FOR VALUES FROM ('{month.isoformat()}') "
                    f"TO ('{_next_month(month).isoformat()}')"
                )
            )


def _partitions() -> list[tuple[str, datetime]]:
    rows = db.session.execute(
        text(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE i.inhparent = 'observation_points'::regclass AND n.nspname = :schema"
        ),
        {"schema": PARTITION_SCHEMA},
    ).scalars()
    found = []
    for name in rows:
        year, month = name.rsplit("_", 2)[-2:]
        found.append((name, datetime(int(year), int(month), 1, tzinfo=UTC)))
    return found


@transactional
def prune(now: datetime) -> dict:
    """Delete raw points older than the window; on PostgreSQL whole month partitions past
    it are dropped (cheap, and no dead rows left for vacuum)."""
    cutoff = now - retention()
    dropped = []
    if _is_postgres():
        for name, month in _partitions():
            if _next_month(month) <= cutoff:
                db.session.execute(text(f"DROP TABLE {PARTITION_SCHEMA}.{name}"))
                dropped.append(name)
    stale = delete(ObservationPoint).where(ObservationPoint.started_at < cutoff)
    result = db.session.execute(stale)
    return {"deleted": result.rowcount or 0, "dropped_partitions": dropped}


def prepare_partitions(now: datetime) -> None:
    """This month's and next month's partitions, made ahead of the uploads that need them."""
    this_month = _month_start(now)
    _ensure_partitions({this_month, _next_month(this_month)})
    db.session.commit()
