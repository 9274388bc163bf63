"""Lean processes: the web app and the scheduler start without the training, evaluation and
plotting stack; the web process loads the model once, before gunicorn forks its workers."""

from __future__ import annotations

import json
import subprocess
import sys

from backend import clock, create_app
from backend.config import ROOT
from backend.extensions import db
from backend.services import operations, training
from tests.conftest import app_config

HEAVY = ("pandas", "scipy", "matplotlib", "sklearn", "skops")

PROBE = """
import json, sys
from backend import create_app
app = create_app({"ENV": "test", "SQLALCHEMY_DATABASE_URI": "sqlite://", "LOG_LEVEL": "WARNING"})
if sys.argv[1] == "scheduler":
    from backend.scheduler import build_scheduler
    build_scheduler(app)
heavy = sys.argv[2].split(",")
print(json.dumps(sorted(m for m in sys.modules if m.split(".")[0] in heavy)))
"""


def modules_loaded_by(kind: str) -> list[str]:
    # A fresh interpreter: in this one, other tests have long imported everything.
    done = subprocess.run(
        [sys.executable, "-c", PROBE, kind, ",".join(HEAVY)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_create_app_imports_no_data_model_or_plotting_library():
    assert modules_loaded_by("web") == []


def test_the_scheduler_starts_without_them_too():
    # Only the nightly retraining needs them, and it imports them when it runs.
    assert modules_loaded_by("scheduler") == []


def test_warm_up_loads_the_active_model_and_closes_every_connection(app):
    with app.app_context():
        result = training.bootstrap_population_model(clock.now(), patients=60, days=70)
        assert result["promoted"], result
        training.forget_loaded_models()
    try:
        operations.warm_up(app)
        # Loaded before any request: forked workers share it instead of each loading a copy.
        assert isinstance(training._LOADED.get(result["version"]), tuple)
        with app.app_context():
            # No pooled connection is left open to be inherited by every forked worker.
            assert all(engine.pool.checkedin() == 0 for engine in db.engines.values())
    finally:
        training.forget_loaded_models()


def test_warm_up_does_not_stop_the_web_process_when_the_database_is_down(tmp_path):
    # gunicorn must still start (and /health say "degraded") while the database is away.
    app = create_app(app_config(f"sqlite:///{tmp_path / 'missing' / 'onward.db'}"))
    operations.warm_up(app)
    assert training._LOADED == {}
    response = app.test_client().get("/api/v1/health")
    assert response.get_json()["database"] == "unreachable"


def test_health_loads_the_model_outside_any_transaction(app, client, monkeypatch):
    # On SQLite every transaction holds the write lock: a health check that kept it for the
    # seconds a first load takes made every other request and the scheduler wait, then fail.
    import ml.registry

    with app.app_context():
        result = training.bootstrap_population_model(clock.now(), patients=60, days=70)
        training.forget_loaded_models()
    real_load, seen = ml.registry.load_model, []

    def watched_load(*args, **kwargs):
        seen.append(db.session().in_transaction())
        return real_load(*args, **kwargs)

    monkeypatch.setattr(ml.registry, "load_model", watched_load)
    try:
        body = client.get("/api/v1/health").get_json()
        assert body["model_version"] == result["version"] and body["policy"] == "model"
        assert seen == [False]
    finally:
        training.forget_loaded_models()
