"""Online recalibration: the clinic's and each patient's intercept on the logit of P(flare)."""

import numpy as np
import pytest

from ml import recalibration as recal
from ml.evaluate import calibration_in_the_large, metrics


def _clinic(n_patients=40, sessions=60, shift=1.0, spread=0.0, seed=0):
    """Labels drawn at sigmoid(z + shift + u_i) while the "model" says sigmoid(z)."""
    rng = np.random.default_rng(seed)
    ids = np.repeat(np.arange(n_patients), sessions)
    days = np.tile(np.arange(sessions), n_patients)
    z = rng.normal(-1.5, 1.0, len(ids))
    u = rng.normal(0.0, spread, n_patients)[ids] if spread else 0.0
    y = (rng.random(len(ids)) < 1 / (1 + np.exp(-(z + shift + u)))).astype(float)
    return y, 1 / (1 + np.exp(-z)), ids, days


def test_a_model_that_under_predicts_is_shifted_up_by_the_clinic_fit():
    y, p, ids, _ = _clinic(shift=1.0)
    fit = recal.fit_clinic(y, recal.logit(p), ids)
    assert 0.8 < fit.intercept < 1.2 and 0.8 < fit.slope < 1.2
    assert calibration_in_the_large(y, recal.recalibrate(p, recal.coefficients(fit))) == (
        pytest.approx(0.0, abs=0.05)
    )


def test_a_well_calibrated_model_is_left_alone():
    y, p, ids, _ = _clinic(shift=0.0)
    fit = recal.fit_clinic(y, recal.logit(p), ids)
    assert abs(fit.intercept) < 0.15 and abs(fit.slope - 1) < 0.15
    assert fit.tau == recal.TAU_MIN  # no spread between patients to find


def test_between_patient_spread_is_estimated():
    y, p, ids, _ = _clinic(n_patients=80, sessions=100, shift=0.0, spread=0.8)
    assert 0.5 < recal.fit_clinic(y, recal.logit(p), ids).tau <= recal.TAU_MAX


def test_a_patient_without_sessions_gets_the_clinic_and_few_sessions_are_shrunk():
    clinic = recal.Recalibration(intercept=0.3, slope=1.0, tau=0.5)
    assert recal.patient_offset([], [], clinic) == 0.0
    # two flares in two sessions at a predicted 10 %: the raw estimate is unbounded
    few = recal.patient_offset([1, 1], [0.1, 0.1], clinic)
    many = recal.patient_offset([1] * 20 + [0] * 20, [0.1] * 40, clinic)
    assert 0 < few < 1.0 < many


def test_sequential_uses_only_labels_known_before_the_day():
    y, p, ids, days = _clinic(n_patients=3, sessions=10)
    q = recal.sequential(y, p, ids, days)
    assert np.allclose(q[days == 0], p[days == 0])  # nothing is known on the first day
    flipped = y.copy()
    flipped[days == 9] = 1 - flipped[days == 9]  # the last day's labels cannot change it
    assert np.allclose(recal.sequential(flipped, p, ids, days), q)
    flipped[days == 8] = 1 - flipped[days == 8]  # the day before's change only the last day
    moved = recal.sequential(flipped, p, ids, days)
    assert np.allclose(moved[days < 9], q[days < 9]) and not np.allclose(moved, q)


def test_sequential_recalibration_fixes_a_shifted_model():
    y, p, ids, days = _clinic(n_patients=30, sessions=80, shift=1.0, spread=0.5, seed=3)
    q = recal.sequential(y, p, ids, days)
    before, after = metrics(y, p), metrics(y, q)
    assert abs(calibration_in_the_large(y, q)) < 0.5 * abs(calibration_in_the_large(y, p))
    assert after["brier"] < before["brier"]


def test_a_damaged_fit_is_read_as_no_recalibration():
    assert recal.Recalibration.from_dict(None) == recal.IDENTITY
    assert recal.Recalibration.from_dict({"intercept": "x"}) == recal.IDENTITY
    bad = {"intercept": float("nan"), "slope": 1.0, "tau": 0.5, "n": 3, "n_patients": 1}
    assert recal.Recalibration.from_dict(bad) == recal.IDENTITY
    good = recal.Recalibration(0.2, 0.9, 0.4, 100, 10)
    assert recal.Recalibration.from_dict(good.as_dict()) == good
