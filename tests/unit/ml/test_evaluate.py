import numpy as np
import pytest

from ml.evaluate import (
    BASELINES,
    calibration_slope_intercept,
    evaluate,
    metrics,
    predictions,
    reliability_plot,
)

KEYS = {"n", "flare_rate", "model", "baselines"}
MODEL_KEYS = {"auroc", "auprc", "brier", "calibration_slope", "calibration_intercept"}


def check_shape(result: dict) -> None:
    assert set(result) == KEYS
    assert set(result["model"]) == MODEL_KEYS
    assert set(result["baselines"]) == set(BASELINES)
    for values in result["baselines"].values():
        assert set(values) == {"auroc", "auprc", "brier"}


def test_calibration_slope_and_intercept_recover_known_miscalibration():
    rng = np.random.default_rng(0)
    logit = rng.normal(0, 1.5, 200_000)
    y = rng.random(len(logit)) < 1 / (1 + np.exp(-logit))
    slope, intercept = calibration_slope_intercept(y, 1 / (1 + np.exp(-logit)))
    assert slope == pytest.approx(1.0, abs=0.03) and intercept == pytest.approx(0.0, abs=0.03)
    slope, intercept = calibration_slope_intercept(y, 1 / (1 + np.exp(-(2 * logit + 0.5))))
    assert slope == pytest.approx(0.5, abs=0.02) and intercept == pytest.approx(-0.25, abs=0.03)


def test_metrics_use_flare_as_the_positive_class():
    y = np.array([0, 0, 1, 1])
    good = metrics(y, [0.1, 0.2, 0.8, 0.9])
    assert good["auroc"] == 1.0 and good["brier"] == pytest.approx(0.025)
    assert metrics(y, [0.9, 0.8, 0.2, 0.1])["auroc"] == 0.0  # P(tolerated) would score 0


def test_small_simulated_cohort_trains_and_evaluates(sim_logs, tmp_path):
    result = evaluate(sim_logs)
    check_shape(result)
    assert result["n"] > 1000 and 0.05 < result["flare_rate"] < 0.6
    assert result["model"]["auroc"] > 0.65
    assert result["model"]["auroc"] > max(b["auroc"] for b in result["baselines"].values())

    preds = predictions(sim_logs, kinds=("logistic",))
    png = reliability_plot(preds["label"], preds["p_logistic"], tmp_path / "reliability.png")
    with open(png, "rb") as f:
        assert f.read(8) == b"\x89PNG\r\n\x1a\n"


def test_forward_and_transfer_evaluations(sim_logs):
    check_shape(evaluate(sim_logs, kind="logistic", split="forward"))
    ids = sorted(sim_logs["patient_id"].unique())
    train_df = sim_logs[sim_logs["patient_id"].isin(ids[:25])]
    test_df = sim_logs[sim_logs["patient_id"].isin(ids[25:])]
    result = evaluate(test_df, train_df, kind="logistic")
    check_shape(result)
    assert result["n"] == int(predictions(test_df, train_df, kinds=("logistic",)).shape[0])


def test_baselines_are_fitted_on_training_rows_only(sim_logs):
    preds = predictions(sim_logs, kinds=("logistic",))
    # the LVCF baseline takes one of three values per fold: after flare / tolerated / none
    assert preds["p_last_value"].nunique() <= 3 * 5
    assert preds["p_own_base_rate"].between(0, 1).all()
