"""`flask onward setup`: one start-up brings an install up to date, and a second changes nothing.

Each test builds its own app on its own SQLite file (the schema comes from the migrations, as
on a fresh clone), not the suite's shared database.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

from sqlalchemy import func, select, text

from backend import create_app
from backend.config import ROOT
from backend.extensions import db
from backend.models import ModelVersion, Patient, User
from simulation.population import simulate_logs
from tests.conftest import app_config

SMALL_PRIOR = f"{__name__}:small_population"


def small_population(patients, days, seed, ladders=None):
    """The day-one model's simulated cohort, smaller than `make run`'s (same code path)."""
    return simulate_logs(60, 70, seed=seed, ladders=ladders)


def fresh_app(tmp_path, **extra):
    settings = {
        "MODEL_DIR": tmp_path / "models",
        "POPULATION_PRIOR": SMALL_PRIOR,
        "ENV": "development",
        **extra,
    }
    return create_app(app_config(f"sqlite:///{tmp_path / 'onward.db'}", **settings))


def setup(app, *args):
    return app.test_cli_runner().invoke(args=["onward", "setup", *args])


def state(app) -> dict:
    with app.app_context():
        count = lambda model: db.session.scalar(select(func.count()).select_from(model))  # noqa: E731
        state = {
            "revision": db.session.scalar(text("SELECT version_num FROM alembic_version")),
            "models": [row.version for row in db.session.scalars(select(ModelVersion))],
            "users": count(User),
            "patients": count(Patient),
        }
        db.session.remove()
        db.engine.dispose()
    return state


def test_setup_migrates_checks_trains_and_seeds_once(tmp_path):
    app = fresh_app(tmp_path)
    first = setup(app)
    assert first.exit_code == 0, first.output
    assert "Database schema is up to date." in first.output
    assert "Content OK: 87 exercises" in first.output
    assert "Population model " in first.output and " is active." in first.output
    assert "Demo clinic: Onward Demo Clinic" in first.output
    after_first = state(app)
    assert after_first["revision"] and len(after_first["models"]) == 1
    assert after_first["patients"] == 3

    again = setup(app)
    assert again.exit_code == 0, again.output
    assert "Day-one model skipped: a model is already active." in again.output
    assert state(app) == after_first  # nothing created, nothing retrained
    # The demo's logins are printed again, so a restart still shows how to sign in.
    assert [line for line in again.output.splitlines() if "/ demo-" in line] == [
        line for line in first.output.splitlines() if "/ demo-" in line
    ]


def test_setup_outside_development_skips_the_demo(tmp_path):
    app = fresh_app(tmp_path, POPULATION_PRIOR="")
    app.config["ENV"] = "production"  # after start-up: no real secrets needed for this test
    result = setup(app)
    assert result.exit_code == 0, result.output
    assert "Day-one model skipped: no population prior is configured." in result.output
    assert "Demo clinic skipped." in result.output
    assert state(app)["patients"] == 0


def one_line_error(result) -> str:
    """The one error line (after the progress of the steps that succeeded); exit status 1."""
    assert result.exit_code == 1, result.output
    errors = [line for line in result.output.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1 and "Traceback" not in result.output, result.output
    assert result.output.strip().splitlines()[-1] == errors[0]
    return errors[0]


def test_setup_stops_with_one_line_when_the_database_cannot_be_opened(tmp_path):
    missing = tmp_path / "no-such-folder" / "onward.db"
    app = create_app(app_config(f"sqlite:///{missing}", MODEL_DIR=tmp_path / "models"))
    line = one_line_error(setup(app, "--no-demo"))
    assert line.startswith("Error: setup stopped at migrate: database error:"), line


def test_setup_stops_with_one_line_on_invalid_content(tmp_path):
    folder = tmp_path / "content"
    shutil.copytree(ROOT / "content", folder)
    app = fresh_app(tmp_path, CONTENT_ROOT=folder)
    # The library changed on disk after the process started (an edit, a bad pull).
    exercise = next((folder / "exercises" / "balance").glob("*.yaml"))
    exercise.write_text(exercise.read_text().replace("modality: balance", "modality: flying"))
    line = one_line_error(setup(app, "--no-demo"))
    assert line.startswith("Error: setup stopped at the content check: "), line
    assert "problem(s)" in line
    assert "'flying'" in line and "content validate" in line
    assert state(app)["models"] == []  # stopped before training anything


def test_setup_refuses_the_demo_outside_development_in_one_line(tmp_path):
    app = fresh_app(tmp_path, POPULATION_PRIOR="")
    app.config["ENV"] = "production"
    line = one_line_error(setup(app, "--demo"))
    assert line == "Error: setup stopped at demo seed: The demo clinic is for development only."


RESTART = """
import json, sys
from backend import create_app
app = create_app()
result = app.test_cli_runner().invoke(args=["onward", "setup", "--no-demo"])
print(json.dumps([result.exit_code, result.output, "sklearn" in sys.modules]))
"""


def test_a_restart_tells_the_model_is_usable_without_importing_scikit_learn(tmp_path):
    app = fresh_app(tmp_path)
    assert setup(app, "--no-demo").exit_code == 0
    env = {
        **os.environ,
        "ONWARD_ENV": "development",
        "ONWARD_DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "ONWARD_MODEL_DIR": str(app.config["MODEL_DIR"]),
        "ONWARD_POPULATION_PRIOR": SMALL_PRIOR,
        "ONWARD_LOG_LEVEL": "WARNING",
    }
    done = subprocess.run(
        [sys.executable, "-c", RESTART], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    exit_code, output, imported = json.loads(done.stdout.strip().splitlines()[-1])
    assert exit_code == 0 and "Day-one model skipped: a model is already active." in output
    assert imported is False  # the hash, versions and features on file suffice
    assert len(state(app)["models"]) == 1
