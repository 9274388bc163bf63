"""Real data (SoccerMon, athletes): the acceptance criterion that the model beats every baseline."""

import os
from pathlib import Path

import pytest

from ml.evaluate import best_kind, compare
from ml.soccermon import convert

SOURCE = Path(os.environ.get("SOCCERMON_CSV", "/work/shared/data/soccermon/master_dataset.csv"))


@pytest.fixture(scope="module")
def soccermon():
    if not SOURCE.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"SoccerMon data missing at {SOURCE} (required in CI)")
        pytest.skip(f"SoccerMon data not found at {SOURCE}")
    return convert(SOURCE)


def test_conversion_maps_scales(soccermon):
    assert soccermon["patient_id"].nunique() == 50
    assert set(soccermon["fatigue"].dropna().unique()) <= {0.0, 2.5, 5.0, 7.5, 10.0}
    assert soccermon["session_load"].dropna().gt(0).all()
    assert (soccermon["modality"] == "").all() and soccermon["session_minutes"].isna().all()


@pytest.mark.parametrize("split", ["group", "forward"])
def test_model_beats_every_baseline_on_auroc_and_brier(soccermon, split):
    results = compare(soccermon, split=split)
    best = results[best_kind(results)]  # the kept model
    print(split, {k: r["model"] for k, r in results.items()}, best["baselines"])
    for name, base in best["baselines"].items():
        assert best["model"]["auroc"] > base["auroc"], name
        assert best["model"]["brier"] < base["brier"], name
    assert 0.8 < best["model"]["calibration_slope"] < 1.25


def test_online_recalibration_moves_a_transferred_model_toward_calibration(soccermon):
    # Issue 13, item 5: a model moved to people it never saw (train on team B, test on ten
    # team-A players) is recalibrated from their own labelled sessions, sequentially.
    from ml.evaluate import predictions, recalibration_report

    players = sorted(soccermon["patient_id"].unique())
    team_b = soccermon[soccermon["patient_id"].str.startswith("TeamB")]
    ten_a = soccermon["patient_id"].isin([p for p in players if p.startswith("TeamA")][:10])
    preds = predictions(soccermon[ten_a], team_b, kinds=("logistic",))
    report = recalibration_report(
        preds, preds["p_logistic"], base_rate=preds["p_own_base_rate"].to_numpy()
    )
    before, after = report["without"], report["with"]
    print({k: (before[k], after[k]) for k in ("calibration_intercept", "brier")})
    assert abs(after["calibration_intercept"]) < abs(before["calibration_intercept"]) / 2
    assert after["brier"] < before["brier"] < report["own_base_rate"]["brier"]
