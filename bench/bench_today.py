"""GET /api/v1/me/sessions/today for 1 000 patients with 90 days of history, on PostgreSQL under
gunicorn, against a bare Flask JSON endpoint served the same way. Prints p50/p95 latency,
requests per second, the ratio (target >= 0.5) and SQL queries per request (target <= 8).

    .venv/bin/python -m bench.bench_today [--patients 1000] [--days 90] [--seconds 15]
"""

from __future__ import annotations

import argparse
import random
from datetime import UTC, datetime, timedelta

from sqlalchemy import event, insert

from bench.common import gunicorn, load, scratch_postgres


def seed(app, patients: int, days: int) -> list[str]:
    """Bulk-insert a clinic, patients, and `days` of check-ins, sessions and logs; return tokens."""
    from flask_jwt_extended import create_access_token

    from backend import clock
    from backend.extensions import db
    from backend.models import Clinic, Patient, User
    from backend.models.base import new_id
    from backend.services import daily

    rng = random.Random(7)
    now = clock.now()
    today = now.date()
    with app.app_context():
        db.create_all()
        clinic_id = new_id()
        db.session.execute(insert(Clinic), [{"id": clinic_id, "name": "Bench", "created_at": now}])
        users, rows, tokens = [], [], []
        prescription = {
            "modalities": [
                {
                    "modality": "walking_aerobic",
                    "min_level": 1,
                    "max_level": 6,
                    "start_level": 3,
                    "sessions_per_week": 4,
                },
                {
                    "modality": "resistance_band",
                    "min_level": 1,
                    "max_level": 6,
                    "start_level": 2,
                    "sessions_per_week": 2,
                },
                {
                    "modality": "tai_chi_qigong",
                    "min_level": 1,
                    "max_level": 6,
                    "sessions_per_week": 2,
                },
            ]
        }
        clinical = {
            "lesions": [{"site": "spine_lumbar", "sins": 4}],
            "precautions": ["lymphoedema"],
            "labs": [
                {
                    "name": "platelets",
                    "value": 180,
                    "taken_on": (today - timedelta(days=3)).isoformat(),
                }
            ],
            "calendar": {"infusions": [(today - timedelta(days=10)).isoformat()]},
            "equipment": {"bands": ["yellow", "red"], "pool_access": True},
        }
        ids = []
        for n in range(patients):
            uid, pid = new_id(), new_id()
            ids.append(pid)
            users.append(
                {
                    "id": uid,
                    "email": f"p{n}@bench.example",
                    "password_hash": "x",
                    "role": "patient",
                    "clinic_id": clinic_id,
                    "display_name": f"P{n}",
                    "active": True,
                    "created_at": now,
                }
            )
            rows.append(
                {
                    "id": pid,
                    "user_id": uid,
                    "clinic_id": clinic_id,
                    "cancer_type": "breast",
                    "clinical": clinical,
                    "prescription": prescription,
                    "timezone": "Europe/London",
                    "settings": {},
                    "created_at": now,
                    "updated_at": now,
                }
            )
            tokens.append(
                create_access_token(
                    identity=uid,
                    additional_claims={
                        "role": "patient",
                        "clinic": clinic_id,
                        "patient": pid,
                        "fam": new_id(),
                    },
                    expires_delta=timedelta(hours=2),
                )
            )
        db.session.execute(insert(User), users)
        db.session.execute(insert(Patient), rows)
        db.session.commit()
        # One realistic session body, reused for the history.
        patient = db.session.get(Patient, ids[0])
        template = daily.serve(patient, today - timedelta(days=days + 1))
        db.session.rollback()
        check_ins, sessions, logs = [], [], []
        for pid in ids:
            for d in range(days, 0, -1):
                day = today - timedelta(days=d)
                at = datetime(day.year, day.month, day.day, 8, tzinfo=UTC)
                check_ins.append(
                    {
                        "id": new_id(),
                        "patient_id": pid,
                        "local_date": day,
                        "at": at,
                        "fatigue": rng.randint(0, 6),
                        "pain": rng.randint(0, 4),
                        "sleep_quality": 6,
                        "symptoms": [],
                        "temperature_c": None,
                        "pain_at_lesion": False,
                        "status": "green",
                        "reasons": [],
                        "advice": "",
                        "rules_version": "bench",
                    }
                )
                sid = new_id()
                sessions.append(
                    {
                        "id": sid,
                        "patient_id": pid,
                        "local_date": day,
                        "revision": 1,
                        "status": "completed",
                        "verdict": "green",
                        "blocks": template["blocks"],
                        "modalities": template["modalities"],
                        "substitutions": [],
                        "levels": template["levels"],
                        "explanation": template["explanation"],
                        "planned_load": template["planned_load"],
                        "check_in_id": None,
                        "content_version": "bench",
                        "rules_version": "bench",
                        "model_version": None,
                        "created_at": at,
                        "updated_at": at,
                    }
                )
                if rng.random() < 0.7:
                    logs.append(
                        {
                            "id": new_id(),
                            "patient_id": pid,
                            "session_id": sid,
                            "idempotency_key": f"k-{sid}",
                            "request_hash": "x",
                            "performed_on": day,
                            "received_at": at,
                            "completed": True,
                            "minutes": 25.0,
                            "session_rpe": 4.0,
                            "rpe_scale": "cr10",
                            "session_load": 100.0,
                            "fatigue_after": 3,
                            "pain_after": 1,
                            "blocks": [],
                            "adverse_event": None,
                            "stopped_early_reason": None,
                        }
                    )
            if len(check_ins) > 20000:
                _flush(db, check_ins, sessions, logs)
        _flush(db, check_ins, sessions, logs)
        db.session.commit()
    return tokens


def _flush(db, check_ins, sessions, logs):
    from backend.models import CheckIn, ExerciseSession, SessionLog

    for model, batch in ((CheckIn, check_ins), (ExerciseSession, sessions), (SessionLog, logs)):
        if batch:
            db.session.execute(insert(model), batch)
            batch.clear()


def queries_per_request(app, tokens: list[str], samples: int = 20) -> float:
    """Average SQL statements per GET today, counted in-process (first and repeat calls)."""
    from backend.extensions import db

    counts = []
    client = app.test_client()
    with app.app_context():
        engine = db.engine
    for token in tokens[:samples]:
        seen = [0]

        def count(*_args, seen=seen, **_kwargs):
            seen[0] += 1

        event.listen(engine, "before_cursor_execute", count)
        try:
            assert (
                client.get(
                    "/api/v1/me/sessions/today", headers={"Authorization": f"Bearer {token}"}
                ).status_code
                == 200
            )
        finally:
            event.remove(engine, "before_cursor_execute", count)
        counts.append(seen[0])
    return sum(counts) / len(counts), max(counts)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--patients", type=int, default=1000)
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()

    from backend import create_app

    with scratch_postgres() as url:
        env = {
            "ONWARD_DATABASE_URL": url,
            "ONWARD_ENV": "development",
            "ONWARD_RATELIMIT_ENABLED": "0",
            "ONWARD_LOG_LEVEL": "WARNING",
        }
        app = create_app(
            {"SQLALCHEMY_DATABASE_URI": url, "RATELIMIT_ENABLED": False, "LOG_LEVEL": "WARNING"}
        )
        tokens = seed(app, args.patients, args.days)
        print(f"seeded {args.patients} patients x {args.days} days on PostgreSQL")
        first_avg, first_max = queries_per_request(app, tokens[-20:])
        repeat_avg, repeat_max = queries_per_request(app, tokens[-20:])
        with gunicorn("backend.wsgi:app", env, workers=args.workers) as port:
            targets = [
                ("/api/v1/me/sessions/today", {"Authorization": f"Bearer {t}"}) for t in tokens
            ]
            today = load(port, targets, seconds=args.seconds)
        with gunicorn("bench.bare_app:app", env, workers=args.workers) as port:
            bare = load(port, [("/bare", {})], seconds=args.seconds)
    print(f"{'endpoint':<28}{'p50 ms':>9}{'p95 ms':>9}{'req/s':>9}{'errors':>8}")
    for name, r in (("GET /me/sessions/today", today), ("bare Flask JSON", bare)):
        print(f"{name:<28}{r['p50_ms']:>9.1f}{r['p95_ms']:>9.1f}{r['rps']:>9.0f}{r['errors']:>8}")
    print(f"throughput ratio today/bare: {today['rps'] / bare['rps']:.2f}  (target >= 0.5)")
    print(
        f"SQL queries per request: first of the day {first_avg:.1f} (max {first_max}), repeat {repeat_avg:.1f} (max {repeat_max})  (target <= 8)"
    )


if __name__ == "__main__":
    main()
