"""How long one scheduler tick takes to find and deliver (in-app) the reminders of N patients
who are all due in the same minute, on PostgreSQL. Target: 100 000 patients < 30 s.

    .venv/bin/python bench/bench_reminders.py \
        [--url postgresql+psycopg://postgres@127.0.0.1:5432/test] [--sizes 10000 100000]

It creates a scratch database next to the one in --url, and drops it afterwards.
"""

from __future__ import annotations

import argparse
import sys
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import create_engine, func, insert, select, text

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from backend import clock, create_app  # noqa: E402
from backend.extensions import db  # noqa: E402
from backend.models import Clinic, ExerciseSession, Patient, User, care_team  # noqa: E402
from backend.models.notifications import Notification, NotificationEvent  # noqa: E402
from backend.services.notifications import drain  # noqa: E402
from backend.services.reminders import queue_due_reminders  # noqa: E402

NOW = datetime(2026, 11, 26, 9, 30, tzinfo=UTC)
TODAY = date(2026, 11, 26)
# Three zones whose reminder time is 09:30 UTC on 26 Nov 2026: the CASE over zones is exercised.
ZONES = (
    ("Europe/London", {"reminder_time": "09:30"}),
    ("America/New_York", {"reminder_time": "04:30", "window_start": "04:00", "quiet_end": "04:00"}),
    ("Asia/Kolkata", {"reminder_time": "15:00"}),
)
BASE = {
    "window_start": "08:00",
    "window_end": "20:00",
    "quiet_start": "21:00",
    "quiet_end": "08:00",
}
BLOCKS = [
    {"exercise_id": "easy-walk", "modality": "walking_aerobic", "dose": {"minutes": 12}},
    {"exercise_id": "band-row", "modality": "resistance_band", "dose": {"minutes": 8}},
]


def scratch_database(url: str) -> tuple[str, object, str]:
    name = f"onward_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    return url.rsplit("/", 1)[0] + f"/{name}", admin, name


def seed(n: int) -> None:
    """One clinic and clinician; n activated patients, each with today's session planned;
    one in ten also missed yesterday's."""
    for table in reversed(db.metadata.sorted_tables):
        db.session.execute(table.delete())
    clinic_id, physio_id = uuid.uuid4().hex, uuid.uuid4().hex
    db.session.execute(insert(Clinic), [{"id": clinic_id, "name": "Bench", "created_at": NOW}])
    db.session.execute(
        insert(User),
        [
            {
                "id": physio_id,
                "email": "physio@bench.example",
                "role": "clinician",
                "clinic_id": clinic_id,
                "display_name": "Physio",
                "active": True,
                "created_at": NOW,
            }
        ],
    )
    users, patients, team, sessions = [], [], [], []
    for i in range(n):
        user_id, patient_id = uuid.uuid4().hex, uuid.uuid4().hex
        zone, settings = ZONES[i % len(ZONES)]
        users.append(
            {
                "id": user_id,
                "email": f"p{i}@bench.example",
                "password_hash": "x",
                "role": "patient",
                "clinic_id": clinic_id,
                "display_name": f"Patient {i}",
                "active": True,
                "created_at": NOW,
            }
        )
        patients.append(
            {
                "id": patient_id,
                "user_id": user_id,
                "clinic_id": clinic_id,
                "cancer_type": "breast",
                "clinical": {},
                "prescription": None,
                "timezone": zone,
                "settings": {**BASE, **settings, "channels": ["in_app"]},
                "created_at": NOW,
                "updated_at": NOW,
            }
        )
        team.append({"patient_id": patient_id, "clinician_id": physio_id})
        days = (TODAY, TODAY - timedelta(days=1)) if i % 10 == 0 else (TODAY,)
        sessions += [session_row(patient_id, day) for day in days]
    for table, rows in ((User, users), (Patient, patients), (care_team, team)):
        db.session.execute(insert(table), rows)
    db.session.execute(insert(ExerciseSession), sessions)
    db.session.commit()
    db.session.execute(text("ANALYZE"))
    db.session.commit()


def session_row(patient_id: str, day: date) -> dict:
    return {
        "id": uuid.uuid4().hex,
        "patient_id": patient_id,
        "local_date": day,
        "revision": 1,
        "status": "planned",
        "verdict": "green",
        "blocks": BLOCKS,
        "modalities": ["resistance_band", "walking_aerobic"],
        "substitutions": [],
        "levels": {},
        "explanation": "",
        "planned_load": 60.0,
        "content_version": "bench",
        "rules_version": "bench",
        "created_at": NOW,
        "updated_at": NOW,
    }


def run(app, n: int) -> dict:
    with app.app_context():
        started = time.perf_counter()
        seed(n)
        seeded = time.perf_counter() - started
    with clock.frozen(NOW), app.app_context():
        t0 = time.perf_counter()
        report = queue_due_reminders(NOW)
        t1 = time.perf_counter()
        outcomes = drain(max_batches=10_000)
        t2 = time.perf_counter()
        delivered = db.session.scalar(
            select(func.count(Notification.id)).where(
                Notification.state == "delivered", Notification.channel == "in_app"
            )
        )
        logged = db.session.scalar(select(func.count(NotificationEvent.id)))
    assert report.queued["session_reminder"] == n, report
    # In-app rows are delivered on insert (the inbox is the table): the dispatcher finds none.
    assert delivered == n and not outcomes, (delivered, outcomes)
    return {
        "n": n,
        "seed": seeded,
        "find_and_queue": t1 - t0,
        "deliver": t2 - t1,
        "total": t2 - t0,
        "events": logged,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--batch", type=int, default=5000, help="dispatcher batch size")
    args = parser.parse_args()

    url, admin, name = scratch_database(args.url)
    try:
        app = create_app(
            {
                "ENV": "test",
                "SQLALCHEMY_DATABASE_URI": url,
                "LOG_LEVEL": "WARNING",
                "NOTIFY_BATCH_SIZE": args.batch,
            }
        )
        with app.app_context():
            db.create_all()
        results = [run(app, n) for n in args.sizes]
        with app.app_context():
            db.engine.dispose()
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    print(f"PostgreSQL scratch database {name} (dropped); dispatcher batch {args.batch}")
    print(
        f"{'patients':>9} {'find+deliver s':>15} {'dispatch pass s':>16} {'total s':>8} "
        f"{'ms / 1000 pts':>14} {'events':>8}"
    )
    for r in results:
        print(
            f"{r['n']:>9} {r['find_and_queue']:>15.2f} {r['deliver']:>16.2f} "
            f"{r['total']:>8.2f} {1e6 * r['total'] / r['n']:>14.0f} {r['events']:>8}"
        )
    if len(results) >= 2:
        small, large = results[0], results[-1]
        print(
            f"ratio {large['n']}/{small['n']} patients = {large['n'] / small['n']:.0f}x, "
            f"time ratio = {large['total'] / small['total']:.1f}x"
        )
        target = "met" if large["total"] < 30 else "MISSED"
        print(f"target < 30 s for {large['n']} patients: {target}")


if __name__ == "__main__":
    main()
