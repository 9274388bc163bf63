"""Online recalibration in the service (issue 13, item 5): refitted nightly beside the model's
files, served to the coach per patient, reported by `flask ml status`, and switched off."""

from __future__ import annotations

import re
from datetime import date, timedelta

import numpy as np
import pytest

from backend import clock
from backend.extensions import db
from backend.services import training
from ml.features import build_features
from simulation.population import simulate_logs


@pytest.fixture(scope="module")
def cohort():
    return simulate_logs(60, 70, seed=11)  # the model learns here (2024)


def flaring_clinic(start: date):
    """A clinic the model never saw whose patients flare more than it predicts: an adverse
    event on 30 % of sessions, at random (nothing in the features foretells it)."""
    logs = simulate_logs(40, 70, seed=21, start=start)
    rng = np.random.default_rng(5)
    sessions = logs["session_minutes"].notna().to_numpy()
    logs.loc[sessions & (rng.random(len(logs)) < 0.3), "adverse_event"] = 1.0
    return logs


@pytest.fixture
def ctx(app, cohort):
    with app.app_context():
        training.forget_loaded_models()
        result = training.train_and_maybe_promote(cohort, source="test", now=clock.now())
        assert result["promoted"], result
        yield app
        training.forget_loaded_models()
        db.session.rollback()


def _no_retraining(monkeypatch, clinic):
    monkeypatch.setattr(training, "database_logs", lambda now, days=365: clinic)
    monkeypatch.setattr(
        training, "train_and_maybe_promote", lambda *a, **k: {"promoted": False, "reason": "-"}
    )


def test_the_nightly_refit_learns_the_clinic_flares_more_and_the_coach_serves_it(ctx, monkeypatch):
    clinic = flaring_clinic(date(2024, 6, 1))
    _no_retraining(monkeypatch, clinic)
    result = training.retrain_nightly(clock.now())
    version = training.active_row().version
    assert result["recalibration"]["intercept"] > 0.3, result["recalibration"]
    assert (training.model_dir() / f"{version}.recalibration.json").exists()

    one = clinic[clinic["patient_id"] == clinic["patient_id"].iloc[0]]
    feats = build_features(one)
    served = training.patient_recalibration(training.active_model(), feats, date(2024, 8, 20))
    assert served[0] > 0.3  # this patient's P(flare) is served higher than the model says

    ctx.config["ONLINE_RECALIBRATION"] = False
    try:
        assert training.patient_recalibration(
            training.active_model(), feats, date(2024, 8, 20)
        ) == (
            0.0,
            1.0,
        )
        assert "recalibration" not in training.retrain_nightly(clock.now())
    finally:
        ctx.config["ONLINE_RECALIBRATION"] = True


def test_a_new_patient_gets_the_clinics_calibration(ctx, monkeypatch):
    _no_retraining(monkeypatch, flaring_clinic(date(2024, 6, 1)))
    fitted = training.retrain_nightly(clock.now())["recalibration"]
    stranger = simulate_logs(1, 10, seed=99, start=date(2024, 9, 1))
    served = training.patient_recalibration(
        training.active_model(), build_features(stranger), date(2024, 9, 1)
    )
    assert served == pytest.approx((fitted["intercept"], fitted["slope"]))


def _figures(text: str, label: str) -> list[float]:
    line = next(ln for ln in text.splitlines() if ln.strip().startswith(label))
    return [float(x) for x in re.findall(r"-?\d+\.\d+", line)]


def test_ml_status_says_how_calibrated_the_model_is_with_and_without(ctx, monkeypatch):
    today = clock.now().date()
    clinic = flaring_clinic(today - timedelta(days=75))
    _no_retraining(monkeypatch, clinic)
    training.retrain_nightly(clock.now())
    out = ctx.test_cli_runner().invoke(args=["ml", "status"])
    assert out.exit_code == 0, out.output
    assert "calibration on the clinic's labelled sessions of the last 90 days" in out.output
    # intercept, slope, calibration-in-the-large, Brier
    raw = _figures(out.output, "model as trained")
    fixed = _figures(out.output, "with online recalibration")
    own = _figures(out.output, "patients' own base rate")
    assert raw[2] > 0.3  # it under-predicts this clinic's flares
    assert abs(fixed[2]) < abs(raw[2]) / 2 and fixed[3] < raw[3]
    assert len(own) == 4 and "nightly fit: clinic intercept +" in out.output

    ctx.config["ONLINE_RECALIBRATION"] = False
    try:
        off = ctx.test_cli_runner().invoke(args=["ml", "status"]).output
    finally:
        ctx.config["ONLINE_RECALIBRATION"] = True
    assert "with online recalibration (off)" in off and "served as trained" in off


def test_ml_status_without_recent_sessions_says_so(ctx):
    out = ctx.test_cli_runner().invoke(args=["ml", "status"])
    assert out.exit_code == 0, out.output
    assert "calibration: too few labelled sessions to judge (0)" in out.output
