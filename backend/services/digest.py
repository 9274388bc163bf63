"""The weekly digest for each clinician: alerts, missed sessions and caseload size."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import and_, exists, func, select

from backend import clock
from backend.extensions import db
from backend.models import Alert, ExerciseSession, SessionLog, User, care_team
from backend.models.notifications import Notification
from backend.notify import setting
from backend.services import transactional
from backend.services.notifications import insert_once, new_row

KIND = "weekly_digest"


def reported_week(now: datetime) -> tuple[date, date]:
    """[start, end) of the last full week whose digest is due at `now` (UTC)."""
    weekday, hour = setting("DIGEST_WEEKDAY"), setting("DIGEST_HOUR_UTC")
    today = now.astimezone(UTC).date()
    moment = datetime.combine(today - timedelta(days=(today.weekday() - weekday) % 7), time(hour))
    if moment.replace(tzinfo=UTC) > now:
        moment -= timedelta(days=7)
    end = moment.date()
    return end - timedelta(days=7), end


def queue_weekly_digest(now: datetime | None = None) -> int:
    """Queue last week's digest (in-app + e-mail) for every clinician who lacks it."""
    return _queue(now or clock.now())


@transactional
def _queue(now: datetime) -> int:
    start, end = reported_week(now)
    waiting = db.session.scalars(
        select(User.id).where(
            User.role == "clinician",
            User.active.is_(True),
            ~exists().where(
                Notification.recipient_id == User.id,
                Notification.kind == KIND,
                Notification.local_date == start,
            ),
        )
    ).all()
    if not waiting:
        return 0
    patients = _count_by_clinician(select(care_team.c.clinician_id, func.count()), waiting)
    alerts = _count_by_clinician(
        select(care_team.c.clinician_id, func.count(Alert.id))
        .join(Alert, Alert.patient_id == care_team.c.patient_id)
        .where(
            Alert.opened_at >= datetime.combine(start, time(), UTC),
            Alert.opened_at < datetime.combine(end, time(), UTC),
        ),
        waiting,
    )
    missed = _count_by_clinician(
        select(care_team.c.clinician_id, func.count(ExerciseSession.id))
        .join(ExerciseSession, ExerciseSession.patient_id == care_team.c.patient_id)
        .where(
            and_(ExerciseSession.local_date >= start, ExerciseSession.local_date < end),
            ExerciseSession.status == "planned",
            ~exists().where(SessionLog.session_id == ExerciseSession.id),
        ),
        waiting,
    )
    span = f"{start:%d %b} to {end - timedelta(days=1):%d %b}"
    rows = []
    for clinician_id in waiting:
        body = (
            f"Week {span}: {alerts.get(clinician_id, 0)} red-flag alerts, "
            f"{missed.get(clinician_id, 0)} missed sessions, "
            f"{patients.get(clinician_id, 0)} patients in your caseload."
        )
        for channel in ("in_app", "email"):
            rows.append(
                new_row(
                    kind=KIND,
                    channel=channel,
                    local_date=start,
                    title="Your weekly Onward digest",
                    body=body,
                    now=now,
                    recipient_id=clinician_id,
                )
            )
    return len(insert_once(rows))


def _count_by_clinician(query, clinicians: list[str]) -> dict[str, int]:
    query = query.where(care_team.c.clinician_id.in_(clinicians)).group_by(care_team.c.clinician_id)
    return {clinician: n for clinician, n in db.session.execute(query)}
