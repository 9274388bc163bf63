"""Sign-in timing for an unknown e-mail against a wrong password (issue 14, item 4), with the
production argon2 parameters, in process on a scratch SQLite database. Prints the mean and
median of each and the ratio unknown / wrong (target: within 0.8-1.25).

    .venv/bin/python -m bench.bench_login_timing [--runs 30]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()

    from backend import create_app
    from backend.extensions import db
    from backend.services import accounts

    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(
            {
                "ENV": "test",
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{Path(tmp) / 'bench.db'}",
                "RATELIMIT_ENABLED": False,
                "LOG_LEVEL": "ERROR",
            }
        )
        with app.app_context():
            db.create_all()
            clinic = accounts.create_clinic("Bench")
            accounts.create_staff(
                "physio@bench.example", "a long bench password", clinic.id, "clinician", "P"
            )
        client = app.test_client()
        cases = {"unknown": "nobody@bench.example", "wrong": "physio@bench.example"}
        times: dict[str, list[float]] = {name: [] for name in cases}
        for run in range(args.runs + 2):
            for name, email in cases.items() if run % 2 else reversed(cases.items()):
                started = time.perf_counter()
                response = client.post(
                    "/api/v1/auth/login", json={"email": email, "password": "not the password"}
                )
                elapsed = time.perf_counter() - started
                assert response.status_code == 401, response.get_json()
                if run >= 2:  # the first two rounds warm up (including the one dummy hash)
                    times[name].append(elapsed)
        for name, values in times.items():
            print(
                f"{name:8s} mean {statistics.mean(values) * 1000:7.1f} ms   "
                f"median {statistics.median(values) * 1000:7.1f} ms   n={len(values)}"
            )
        ratio = statistics.mean(times["unknown"]) / statistics.mean(times["wrong"])
        print(f"ratio unknown/wrong (means): {ratio:.2f}")


if __name__ == "__main__":
    main()
