import pytest

from ml.features import FEATURES, build_features
from ml.train import PromotionGate, data_hash, should_promote, train


def m(auroc, brier):
    return {"n": 10, "flare_rate": 0.2, "model": {"auroc": auroc, "brier": brier}, "baselines": {}}


@pytest.mark.parametrize(
    ("cand", "active", "expected"),
    [
        (m(0.70, 0.20), None, True),
        (m(0.70, 0.20), m(0.70, 0.20), True),
        (m(0.697, 0.201), m(0.70, 0.20), True),  # inside both tolerances
        (m(0.69, 0.20), m(0.70, 0.20), False),  # AUROC dropped too much
        (m(0.72, 0.21), m(0.70, 0.20), False),  # Brier rose too much
        (m(float("nan"), 0.2), m(0.70, 0.20), False),
        ({"model": {}}, None, False),
    ],
)
def test_promotion_gate(cand, active, expected):
    assert should_promote(cand, active) is expected


def test_promotion_gate_is_configurable():
    assert should_promote(m(0.69, 0.20), m(0.70, 0.20), PromotionGate(auroc_tolerance=0.02))
    assert should_promote(m(0.70, 0.20)["model"], m(0.70, 0.20)["model"])


def test_train_returns_pipeline_metrics_and_metadata(sim_logs):
    pipe, metrics, meta = train(
        sim_logs, created_at="2026-05-01T00:00:00+00:00", kind="auto", version="v7"
    )
    assert meta["kind"] in ("logistic", "hgb") and meta["kind"] == max(
        meta["compared"],
        key=lambda k: (round(meta["compared"][k]["auroc"], 4), -meta["compared"][k]["brier"]),
    )
    assert set(metrics) == {"n", "flare_rate", "model", "baselines"}
    assert meta["created_at"] == "2026-05-01T00:00:00+00:00" and meta["version"] == "v7"
    assert meta["features"] == list(FEATURES) and meta["training_data_hash"] == data_hash(sim_logs)
    assert set(meta["reference_values"]) < set(FEATURES)
    rows = build_features(sim_logs).head(3)[list(FEATURES)]
    assert pipe.predict_proba(rows).shape == (3, 2)


def test_data_hash_depends_on_content_not_row_order(sim_logs):
    shuffled = sim_logs.sample(frac=1.0, random_state=0)
    assert data_hash(shuffled) == data_hash(sim_logs)
    changed = sim_logs.copy()
    changed.loc[changed.index[5], "fatigue"] = (
        10.0 if changed.loc[changed.index[5], "fatigue"] != 10 else 0.0
    )
    assert data_hash(changed) != data_hash(sim_logs)
