"""The model registry in the service: refusal of bad files, the promotion gate, atomic switch,
rollback, and training failures that leave the active model alone."""

from __future__ import annotations

import shutil
from datetime import date, timedelta

import pandas as pd
import pytest
from sqlalchemy import select

from backend import clock
from backend.extensions import db
from backend.models import ModelVersion
from backend.services import training
from simulation.population import simulate_logs


@pytest.fixture(scope="module")
def cohort():
    return simulate_logs(60, 70, seed=11)


@pytest.fixture(scope="module")
def later_cohort():
    """The same kind of patients, logged after the first cohort: data a first model never saw."""
    return pd.concat(
        [simulate_logs(60, 70, seed=11), simulate_logs(60, 70, seed=12, start=date(2024, 6, 1))]
    )


@pytest.fixture
def ctx(app):
    with app.app_context():
        training.forget_loaded_models()
        yield app
        training.forget_loaded_models()
        db.session.rollback()


def test_bootstrap_trains_registers_and_serves_a_model(ctx, client):
    result = training.bootstrap_population_model(clock.now(), patients=60, days=70)
    assert result["promoted"], result
    active = training.active_model()
    assert active is not None and active[2] == result["version"]
    assert client.get("/api/v1/health").get_json()["model_version"] == result["version"]
    again = training.bootstrap_population_model(clock.now())
    assert again["promoted"] is False  # a fresh install only


@pytest.mark.parametrize("damage", ["corrupt", "tamper_metadata", "sklearn_version", "features"])
def test_a_bad_model_file_is_refused_and_the_rules_serve(ctx, client, cohort, damage):
    import json

    result = training.train_and_maybe_promote(cohort, source="test", now=clock.now())
    folder = training.model_dir()
    blob, meta_path = folder / f"{result['version']}.skops", folder / f"{result['version']}.json"
    meta = json.loads(meta_path.read_text())
    if damage == "corrupt":
        blob.write_bytes(blob.read_bytes()[:-100] + b"x" * 100)
    elif (
        damage == "tamper_metadata"
    ):  # both file and metadata replaced: the registry row still knows
        blob.write_bytes(blob.read_bytes() + b"\0")
        import hashlib

        meta["sha256"] = hashlib.sha256(blob.read_bytes()).hexdigest()
        meta_path.write_text(json.dumps(meta))
    elif damage == "sklearn_version":
        meta["sklearn_version"] = "0.24.2"
        meta_path.write_text(json.dumps(meta))
    else:
        meta["features"] = meta["features"][:-1]
        meta_path.write_text(json.dumps(meta))
    training.forget_loaded_models()
    assert training.active_model() is None
    health = client.get("/api/v1/health").get_json()
    assert health["policy"] == "rules" and health["model_version"] is None


def test_bootstrap_replaces_an_active_model_that_no_longer_loads(ctx, client, cohort):
    # An install upgraded to a new feature list keeps a registry row whose file is refused;
    # `make run`'s bootstrap must not leave the rules serving for good.
    old = training.train_and_maybe_promote(cohort, source="test", now=clock.now())
    meta_path = training.model_dir() / f"{old['version']}.json"
    meta = meta_path.read_text().replace('"features": [', '"features": ["retired_feature", ', 1)
    meta_path.write_text(meta)
    training.forget_loaded_models()
    assert training.active_model() is None
    clock._clock.advance(hours=1)
    result = training.bootstrap_population_model(clock.now(), patients=60, days=70)
    assert result["promoted"], result
    assert training.active_model()[2] == result["version"] != old["version"]
    assert client.get("/api/v1/health").get_json()["policy"] != "rules"


def test_a_worse_candidate_is_not_promoted_and_rollback_restores(
    ctx, cohort, later_cohort, monkeypatch
):
    from sklearn.dummy import DummyClassifier

    first = training.train_and_maybe_promote(cohort, source="test", now=clock.now())
    assert first["promoted"]
    with monkeypatch.context() as patch:
        # A candidate that knows nothing (the base rate for everyone), on the same data.
        # (training imports the model stack when it trains: patch it where it is defined.)
        patch.setattr(
            "ml.pipeline.make_pipeline", lambda *_a, **_k: DummyClassifier(strategy="prior")
        )
        worse = training.train_and_maybe_promote(
            later_cohort, source="dummy", now=clock.now() + timedelta(hours=1)
        )
    assert worse["promoted"] is False and "worse" in worse["reason"]
    assert worse["candidate"]["auroc"] < worse["active"]["auroc"]
    assert training.active_row().version == first["version"]
    assert "sessions after 2024-03-10" in worse["tested_on"]
    same = training.train_and_maybe_promote(
        cohort, source="same", now=clock.now() + timedelta(hours=2)
    )
    assert same["promoted"] is False and "too few new sessions" in same["reason"]
    second = training.train_and_maybe_promote(
        later_cohort, source="again", now=clock.now() + timedelta(hours=2)
    )
    assert second["promoted"] and training.active_row().version == second["version"]
    assert training.rollback(clock.now()) == first["version"]
    assert db.session.scalars(
        select(ModelVersion.version).where(ModelVersion.active.is_(True))
    ).all() == [first["version"]]


def test_the_clinics_own_logs_can_replace_the_day_one_model(ctx, monkeypatch):
    # The day-one model learnt from simulated logs dated before any real patient: "sessions
    # after its training data" are then all of the clinic's sessions, and nothing was left to
    # train a candidate on, so nightly retraining never replaced it. The gate must still
    # compare the two, forward in time.
    from sklearn.dummy import DummyClassifier

    day_one = training.bootstrap_population_model(clock.now(), patients=60, days=70)
    assert day_one["promoted"], day_one
    clinic = simulate_logs(60, 70, seed=12, start=date(2027, 1, 4))
    with monkeypatch.context() as patch:  # a useless candidate is kept out ...
        # (training imports the model stack when it trains: patch it where it is defined.)
        patch.setattr(
            "ml.pipeline.make_pipeline", lambda *_a, **_k: DummyClassifier(strategy="prior")
        )
        worse = training.train_and_maybe_promote(
            clinic, source="dummy", now=clock.now() + timedelta(hours=1)
        )
    assert worse["promoted"] is False and "worse" in worse["reason"], worse
    assert training.active_row().version == day_one["version"]
    result = training.train_and_maybe_promote(  # ... and a real one replaces the day-one model
        clinic, source="database", now=clock.now() + timedelta(hours=2)
    )
    assert "latest fifth of each patient's sessions after" in result["tested_on"], result
    assert result["active"] is not None  # both scored on the same held-out sessions
    assert result["promoted"] and training.active_row().version == result["version"]


def test_a_prior_adds_to_the_training_rows_but_never_to_the_evaluation(ctx):
    # Nightly retraining keeps the simulated population beside the clinic's logs (its varied
    # doses show what a dose does); it must not be scored, nor move trained_until.
    from ml.features import build_features, training_rows
    from ml.registry import read_metadata

    clinic = simulate_logs(60, 70, seed=12, start=date(2027, 1, 4))
    prior = simulate_logs(30, 70, seed=13)  # dated 2024
    result = training.train_and_maybe_promote(
        clinic, source="database", now=clock.now(), prior=prior
    )
    assert result["promoted"], result
    clinic_sessions = int(training_rows(build_features(clinic)).shape[0])
    assert result["rows"] == clinic_sessions
    assert training.active_row().trained_until == clinic["date"].max().date()
    meta = read_metadata(training.model_dir(), result["version"])
    assert meta["n_prior"] > 0 and meta["n_train"] == clinic_sessions + meta["n_prior"]


def test_nightly_retraining_learns_beside_the_simulated_population(ctx, monkeypatch):
    seen = {}

    def spy(logs, **kwargs):
        seen.update(kwargs)
        return {"promoted": False, "reason": "spied"}

    monkeypatch.setattr(training, "train_and_maybe_promote", spy)
    training.retrain_nightly(clock.now())
    assert seen["source"] == "database" and len(seen["prior"]) > 1000


@pytest.mark.parametrize("flag, learns_from_prior", [(None, True), ("--no-prior", False)])
def test_ml_train_learns_beside_the_population_unless_told_not_to(
    ctx, cohort, tmp_path, flag, learns_from_prior
):
    import json

    from ml.dataio import write_logs
    from ml.registry import read_metadata

    path = tmp_path / "clinic.csv"
    with open(path, "w", encoding="utf-8", newline="") as out:
        write_logs(cohort, out)
    args = ["ml", "train", "--logs", str(path)] + ([flag] if flag else [])
    run = ctx.test_cli_runner().invoke(args=args)
    assert run.exit_code == 0, run.output
    result = json.loads(run.output)
    assert result["promoted"], result
    meta = read_metadata(training.model_dir(), result["version"])
    assert (meta["n_prior"] > 0) is learns_from_prior


def test_training_that_fails_leaves_the_active_model_untouched(
    ctx, cohort, later_cohort, monkeypatch
):
    first = training.train_and_maybe_promote(cohort, source="test", now=clock.now())
    before = sorted(p.name for p in training.model_dir().iterdir())

    def broken_promote(*_args, **_kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(training, "_promote", broken_promote)
    with pytest.raises(RuntimeError):
        training.train_and_maybe_promote(
            later_cohort, source="broken", now=clock.now() + timedelta(hours=1)
        )
    assert training.active_row().version == first["version"]
    assert (
        sorted(p.name for p in training.model_dir().iterdir()) == before
    )  # no half-written model left


def test_too_little_data_trains_nothing(ctx, cohort):
    small = cohort[cohort["patient_id"] == cohort["patient_id"].iloc[0]].head(20)
    result = training.train_and_maybe_promote(small, source="tiny", now=clock.now())
    assert result["promoted"] is False and "too little" in result["reason"]
    assert training.active_row() is None


def test_rollback_without_history_is_refused(ctx):
    with pytest.raises(LookupError):
        training.rollback(clock.now())


@pytest.fixture(autouse=True)
def _clean_model_dir(app):
    yield
    folder = app.config["MODEL_DIR"]
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True, exist_ok=True)


def test_without_a_population_prior_there_is_no_day_one_model_and_the_rules_serve(ctx):
    """The service reaches the simulated population only through its setting."""
    ctx.config["POPULATION_PRIOR"] = ""
    try:
        result = training.bootstrap_population_model(clock.now(), patients=20, days=30)
    finally:
        ctx.config["POPULATION_PRIOR"] = "simulation.population:simulate_logs"
    assert result == {"promoted": False, "reason": "no population prior is configured"}
    assert training.active_model() is None


def test_an_unloadable_population_prior_says_which_setting_is_wrong(ctx):
    ctx.config["POPULATION_PRIOR"] = "simulation.population:no_such_function"
    try:
        with pytest.raises(RuntimeError, match="POPULATION_PRIOR"):
            training.population_prior(patients=20, days=30)
    finally:
        ctx.config["POPULATION_PRIOR"] = "simulation.population:simulate_logs"
