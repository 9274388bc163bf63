"""Wearable ingestion and summaries at two scales, on SQLite and on a scratch PostgreSQL
database (month partitions, BRIN on time), through the real service (validation, upsert,
day summaries). Each patient-day is 1 440 one-minute heart-rate points from a band plus 60
hourly step counts from a phone, uploaded as one batch. Prints insert throughput, then the
median time to re-summarise one patient-day from raw points and to read 30 days of stored
summaries; the second scale has ten times the rows, so growth is visible.

    .venv/bin/python -m bench.bench_observations [--patients 4,40] [--days 14] [--db sqlite,postgresql]

Set BENCH_DATABASE_URL to point at another PostgreSQL server (default 127.0.0.1, user postgres).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import func, insert, select

from bench.common import scratch_postgres


def seed_patients(count: int) -> list:
    """A clinic and `count` patients, inserted directly (enrolment is not what is measured)."""
    from backend import clock
    from backend.extensions import db
    from backend.models import Clinic, Patient, User
    from backend.models.base import new_id
    from backend.security import Actor

    now = clock.now()
    clinic = new_id()
    db.session.execute(insert(Clinic), [{"id": clinic, "name": "Bench", "created_at": now}])
    actors, users, people = [], [], []
    for n in range(count):
        uid, pid = new_id(), new_id()
        users.append(
            {
                "id": uid,
                "email": f"p{n}@bench.example",
                "password_hash": "x",
                "role": "patient",
                "clinic_id": clinic,
                "display_name": f"Patient {n}",
                "active": True,
                "created_at": now,
            }
        )
        people.append(
            {
                "id": pid,
                "user_id": uid,
                "clinic_id": clinic,
                "cancer_type": "breast",
                "clinical": {},
                "prescription": {},
                "timezone": "Europe/London",
                "settings": {},
                "created_at": now,
                "updated_at": now,
            }
        )
        actors.append(Actor(user_id=uid, role="patient", clinic_id=clinic, patient_id=pid))
    db.session.execute(insert(User), users)
    db.session.execute(insert(Patient), people)
    db.session.commit()
    return actors


def day_batch(day_start: datetime, seed: int) -> dict:
    def iso(moment):
        return moment.isoformat()

    points = [
        {
            "type": "heart_rate",
            "start": iso(day_start + timedelta(minutes=m)),
            "value": 55 + (m * 7 + seed) % 60,
            "unit": "/min",
            "device": "band",
        }
        for m in range(24 * 60)
    ]
    points += [
        {
            "type": "steps",
            "start": iso(day_start + timedelta(hours=h)),
            "end": iso(day_start + timedelta(hours=h + 1)),
            "value": (h * 131 + seed) % 900,
            "unit": "{steps}",
            "device": "phone",
        }
        for h in range(24)
    ]
    return {"points": points}


def run_scale(app, patients: int, days: int) -> dict:
    from backend import clock
    from backend.extensions import db
    from backend.models import ObservationDay, ObservationPoint, Patient
    from backend.services import observations

    with app.app_context():
        actors = seed_patients(patients)
        today = clock.now().replace(hour=0, minute=0, second=0, microsecond=0)
        first_day = today - timedelta(days=days + 1)
        points = 0
        started = time.perf_counter()
        for day in range(days):
            for i, actor in enumerate(actors):
                batch = day_batch(first_day + timedelta(days=day), i)
                observations.ingest(actor, batch)
                points += len(batch["points"])
        elapsed = time.perf_counter() - started
        total = db.session.execute(select(func.count()).select_from(ObservationPoint)).scalar()
        resummarise, read = [], []
        for n in range(20):
            actor = actors[n % len(actors)]
            patient = db.session.get(Patient, actor.patient_id)
            day = (first_day + timedelta(days=n % days)).date()
            t0 = time.perf_counter()
            observations.resummarise_day(patient, day)
            resummarise.append((time.perf_counter() - t0) * 1000)
            db.session.rollback()
            t0 = time.perf_counter()
            rows = db.session.execute(
                select(ObservationDay).where(
                    ObservationDay.patient_id == actor.patient_id,
                    ObservationDay.local_date >= today.date() - timedelta(days=30),
                )
            ).all()
            read.append((time.perf_counter() - t0) * 1000)
            assert rows, "the summaries were stored"
        db.session.rollback()
        return {
            "patients": patients,
            "patient_days": patients * days,
            "rows": total,
            "points_per_s": points / elapsed,
            "ingest_s": elapsed,
            "resummarise_ms": statistics.median(resummarise),
            "read_30d_ms": statistics.median(read),
        }


@contextmanager
def scratch_database(kind: str):
    if kind == "sqlite":
        with tempfile.TemporaryDirectory() as folder:
            yield f"sqlite:///{Path(folder) / 'bench.db'}"
    else:
        with scratch_postgres() as url:
            yield url


def bench(kind: str, patients: int, days: int) -> dict:
    """One scale on a fresh database built by the migrations (partitions, BRIN)."""
    from flask_migrate import upgrade

    from backend import create_app
    from backend.extensions import db

    with scratch_database(kind) as url:
        app = create_app({"ENV": "test", "SQLALCHEMY_DATABASE_URI": url, "LOG_LEVEL": "ERROR"})
        with app.app_context():
            upgrade()
        try:
            return run_scale(app, patients, days)
        finally:
            with app.app_context():
                db.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--patients", default="4,40", help="patients at each scale")
    parser.add_argument("--days", type=int, default=14)
    parser.add_argument("--db", default="sqlite,postgresql")
    args = parser.parse_args()
    scales = [int(n) for n in args.patients.split(",")]
    print(
        f"{'db':<11}{'patient-days':>13}{'rows':>11}{'points/s':>10}{'ingest s':>10}"
        f"{'day re-summary ms':>19}{'30-day read ms':>16}"
    )
    for kind in args.db.split(","):
        for patients in scales:
            r = bench(kind, patients, args.days)
            print(
                f"{kind:<11}{r['patient_days']:>13}{r['rows']:>11}{r['points_per_s']:>10.0f}"
                f"{r['ingest_s']:>10.1f}{r['resummarise_ms']:>19.1f}{r['read_30d_ms']:>16.2f}",
                flush=True,
            )


if __name__ == "__main__":
    main()
