"""Server time of the dashboard's caseload page (and GET /api/v1/caseload) for one clinician with
300 patients and 12 weeks of check-ins, sessions, logs and adaptation records each, on a scratch
PostgreSQL database. Prints median/p95 milliseconds (target: page under 300 ms) and the SQL
statements per request, counted with a before_cursor_execute listener (they must not grow with
the caseload: everything is aggregated with GROUP BY, nothing is queried per patient).

    .venv/bin/python -m bench.bench_caseload [--patients 300] [--weeks 12] [--runs 40]
"""

from __future__ import annotations

import argparse
import random
import re
import statistics
import time
from datetime import UTC, datetime, timedelta

from sqlalchemy import event, insert

from bench.common import scratch_postgres

PASSWORD = "bench-physio-password"
MODALITIES = ("walking_aerobic", "resistance_band", "tai_chi_qigong")


def seed(app, patients: int, weeks: int) -> str:
    """Bulk-insert one clinic, its physio, and `weeks` of history per patient; returns the e-mail."""
    from backend import clock
    from backend.extensions import db
    from backend.models import (
        Adaptation,
        Alert,
        CheckIn,
        Clinic,
        ExerciseSession,
        Patient,
        SessionLog,
        User,
        care_team,
    )
    from backend.models.base import new_id
    from backend.services.accounts import hash_password

    rng = random.Random(11)
    now = clock.now()
    today = now.date()
    days = weeks * 7
    rx = {
        "modalities": [
            {"modality": m, "min_level": 1, "max_level": 6, "sessions_per_week": 3}
            for m in MODALITIES
        ],
        "auto_approve_band": 1,
    }
    rows: dict = {m: [] for m in (CheckIn, ExerciseSession, SessionLog, Adaptation, Alert)}

    def flush():
        for model, batch in rows.items():
            if batch:
                db.session.execute(insert(model), batch)
                batch.clear()

    with app.app_context():
        db.create_all()
        clinic = new_id()
        physio = new_id()
        db.session.execute(insert(Clinic), [{"id": clinic, "name": "Bench", "created_at": now}])
        db.session.execute(
            insert(User),
            [
                {
                    "id": physio,
                    "email": "physio@bench.example",
                    "password_hash": hash_password(PASSWORD),
                    "role": "clinician",
                    "clinic_id": clinic,
                    "display_name": "Bench Physio",
                    "active": True,
                    "created_at": now,
                }
            ],
        )
        users, people, team = [], [], []
        for n in range(patients):
            uid, pid = new_id(), new_id()
            users.append(
                {
                    "id": uid,
                    "email": f"p{n}@bench.example",
                    "password_hash": "x",
                    "role": "patient",
                    "clinic_id": clinic,
                    "display_name": f"Patient {n:03d}",
                    "active": True,
                    "created_at": now - timedelta(days=days + 7),
                }
            )
            people.append(
                {
                    "id": pid,
                    "user_id": uid,
                    "clinic_id": clinic,
                    "cancer_type": "breast",
                    "clinical": {},
                    "prescription": rx,
                    "timezone": rng.choice(("Europe/London", "America/New_York", "Asia/Tokyo")),
                    "settings": {},
                    "created_at": now - timedelta(days=days + 7),
                    "updated_at": now,
                }
            )
            team.append({"patient_id": pid, "clinician_id": physio})
        db.session.execute(insert(User), users)
        db.session.execute(insert(Patient), people)
        db.session.execute(insert(care_team), team)
        for person in people:
            pid = person["id"]
            for k in range(days, -1, -1):
                day = today - timedelta(days=k)
                at = datetime(day.year, day.month, day.day, 8, tzinfo=UTC)
                rows[CheckIn].append(
                    {
                        "id": new_id(),
                        "patient_id": pid,
                        "local_date": day,
                        "at": at,
                        "fatigue": rng.randint(1, 6),
                        "pain": rng.randint(0, 4),
                        "symptoms": [],
                        "pain_at_lesion": False,
                        "status": "green",
                        "reasons": [],
                        "advice": "",
                        "rules_version": "bench",
                    }
                )
                if k % 7 in (2, 5):
                    continue  # rest days: nothing served
                sid = new_id()
                status = rng.choices(("completed", "partial", "planned"), (0.75, 0.1, 0.15))[0]
                rows[ExerciseSession].append(
                    {
                        "id": sid,
                        "patient_id": pid,
                        "local_date": day,
                        "revision": 1,
                        "status": status,
                        "verdict": "green",
                        "blocks": [],
                        "modalities": list(MODALITIES[:2]),
                        "substitutions": [],
                        "levels": {"walking_aerobic": 2, "resistance_band": 2},
                        "explanation": "bench",
                        "planned_load": 120.0,
                        "content_version": "bench",
                        "rules_version": "bench",
                        "created_at": at,
                        "updated_at": at,
                    }
                )
                if status != "planned":
                    rows[SessionLog].append(
                        {
                            "id": new_id(),
                            "patient_id": pid,
                            "session_id": sid,
                            "idempotency_key": f"k-{sid}",
                            "request_hash": "x",
                            "performed_on": day,
                            "received_at": at,
                            "completed": status == "completed",
                            "minutes": 30.0,
                            "session_rpe": 4.0,
                            "rpe_scale": "cr10",
                            "session_load": 120.0,
                            "blocks": [],
                        }
                    )
                # As the coach does: one decision per modality after each check-in.
                for modality in MODALITIES:
                    rows[Adaptation].append(_adaptation(new_id(), pid, clinic, modality, day, at))
            if rng.random() < 0.1:
                rows[Adaptation].append(
                    {
                        **_adaptation(new_id(), pid, clinic, "walking_aerobic", today, now),
                        "proposed_level": 3,
                        "status": "pending",
                        "applied_level": None,
                    }
                )
            if rng.random() < 0.03:
                rows[Alert].append(
                    {
                        "id": new_id(),
                        "patient_id": pid,
                        "clinic_id": clinic,
                        "kind": "red_flag",
                        "local_date": today,
                        "opened_at": now,
                        "reasons": [{"code": "red_flag_fever", "message": "Fever"}],
                    }
                )
            if len(rows[Adaptation]) > 20000:
                flush()
        flush()
        db.session.commit()
    return "physio@bench.example"


def _adaptation(aid, pid, clinic, modality, day, at) -> dict:
    return {
        "id": aid,
        "patient_id": pid,
        "clinic_id": clinic,
        "modality": modality,
        "local_date": day,
        "created_at": at,
        "trigger": "check_in",
        "policy": "rules",
        "model_version": None,
        "current_level": 2,
        "proposed_level": 2,
        "candidates": [],
        "reason_codes": ["rules_hold"],
        "top_features": [],
        "inputs": {},
        "explanation": "Staying at level 2.",
        "status": "auto_applied",
        "applied_level": 2,
    }


def _signed_in_client(app, email: str):
    client = app.test_client()
    page = client.get("/dashboard/sign-in").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    response = client.post(
        "/dashboard/sign-in", data={"email": email, "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 303, response.status_code
    return client


def measure(app, client, path: str, runs: int, headers=None) -> dict:
    """Server time per request (in-process, no network) and SQL statements per request."""
    from backend.extensions import db

    with app.app_context():
        engine = db.engine
    counts, times = [], []
    for i in range(runs + 5):
        seen = [0]

        def count(*_args, seen=seen, **_kwargs):
            seen[0] += 1

        event.listen(engine, "before_cursor_execute", count)
        try:
            start = time.perf_counter()
            response = client.get(path, headers=headers or {})
            elapsed = time.perf_counter() - start
        finally:
            event.remove(engine, "before_cursor_execute", count)
        assert response.status_code == 200, (path, response.status_code)
        if i >= 5:  # the first few warm caches and the connection pool
            times.append(elapsed * 1000)
            counts.append(seen[0])
    times.sort()
    return {
        "p50": statistics.median(times),
        "p95": times[int(len(times) * 0.95) - 1],
        "queries": max(counts),
        "bytes": len(response.data),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--patients", type=int, default=300)
    parser.add_argument("--weeks", type=int, default=12)
    parser.add_argument("--runs", type=int, default=40)
    args = parser.parse_args()

    from backend import create_app
    from backend.extensions import limiter

    with scratch_postgres() as url:
        app = create_app(
            {
                "SQLALCHEMY_DATABASE_URI": url,
                "ENV": "development",
                "RATELIMIT_ENABLED": False,
                "LOG_LEVEL": "WARNING",
            }
        )
        if "web" not in app.blueprints:  # until create_app registers the dashboard itself
            from backend import web

            web.init_app(app)
        started = time.perf_counter()
        email = seed(app, args.patients, args.weeks)
        print(
            f"seeded {args.patients} patients x {args.weeks} weeks on PostgreSQL "
            f"in {time.perf_counter() - started:.0f} s"
        )
        limiter.enabled = False
        client = _signed_in_client(app, email)
        page = measure(app, client, "/dashboard/caseload", args.runs)
        with app.app_context():
            from flask_jwt_extended import create_access_token

            from backend.extensions import db
            from backend.models import User

            physio = db.session.query(User).filter_by(email=email).one()
            token = create_access_token(
                identity=physio.id,
                additional_claims={"role": "clinician", "clinic": physio.clinic_id, "fam": "bench"},
            )
        has_api = any(r.rule == "/api/v1/caseload" for r in app.url_map.iter_rules())
        api = (
            measure(
                app,
                client,
                "/api/v1/caseload?limit=500",
                args.runs,
                {"Authorization": f"Bearer {token}"},
            )
            if has_api
            else None
        )
    print(f"{'request':<28}{'p50 ms':>9}{'p95 ms':>9}{'SQL/request':>13}{'KiB':>8}")
    for name, r in (("GET /dashboard/caseload", page), ("GET /api/v1/caseload", api)):
        if r:
            print(
                f"{name:<28}{r['p50']:>9.1f}{r['p95']:>9.1f}{r['queries']:>13}"
                f"{r['bytes'] / 1024:>8.0f}"
            )
    print(f"caseload page p95 target: < 300 ms -> {'met' if page['p95'] < 300 else 'NOT met'}")


if __name__ == "__main__":
    main()
