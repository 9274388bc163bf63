import json
from datetime import UTC, datetime

import numpy as np
import pytest
import skops.io as sio
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer

from ml.features import FEATURES
from ml.registry import TRUSTED_TYPES, ModelRefused, load_model, read_metadata, save_model

WHEN = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


@pytest.fixture(params=["logistic", "hgb"])
def saved(request, tmp_path, fitted):
    pipe = fitted[request.param]
    save_model(
        pipe,
        tmp_path,
        "v1",
        created_at=WHEN,
        training_data_hash="sha256:abc",
        metrics={"model": {"auroc": 0.7, "brier": 0.2}},
    )
    return tmp_path, pipe


def test_round_trip_predicts_identically(saved, sim_rows):
    folder, pipe = saved
    loaded, meta = load_model(folder, "v1")
    X = sim_rows[list(FEATURES)].head(50)
    np.testing.assert_array_equal(loaded.predict_proba(X), pipe.predict_proba(X))
    assert meta["features"] == list(FEATURES)
    assert meta["created_at"] == "2026-01-02T03:04:05+00:00"
    assert meta["training_data_hash"] == "sha256:abc" and meta["metrics"]["model"]["auroc"] == 0.7


def test_trusted_types_cover_exactly_what_the_pipelines_need(fitted):
    needed = set()
    for pipe in fitted.values():
        needed |= set(sio.get_untrusted_types(data=sio.dumps(pipe)))
    assert needed <= set(TRUSTED_TYPES)


def test_refuses_corrupted_file(saved):
    folder, _ = saved
    path = folder / "v1.skops"
    path.write_bytes(path.read_bytes()[:1000])
    with pytest.raises(ModelRefused, match="sha256 mismatch"):
        load_model(folder, "v1")


def test_refuses_corrupted_file_even_with_a_matching_hash(saved):
    folder, _ = saved
    path = folder / "v1.skops"
    path.write_bytes(b"not a zip archive")
    _rewrite_sha(folder, path)
    with pytest.raises(ModelRefused, match="cannot be loaded"):
        load_model(folder, "v1")


def test_refuses_tampered_file(saved):
    folder, _ = saved
    path = folder / "v1.skops"
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(ModelRefused, match="tampered"):
        load_model(folder, "v1")


def test_refuses_untrusted_types_even_when_metadata_was_forged(saved, fitted):
    folder, pipe = saved
    evil = Pipeline([("run", FunctionTransformer(func=eval)), ("model", pipe)])
    path = folder / "v1.skops"
    path.write_bytes(sio.dumps(evil))
    _rewrite_sha(folder, path)
    with pytest.raises(ModelRefused, match="untrusted types.*eval"):
        load_model(folder, "v1")


def test_refuses_sklearn_version_mismatch(saved):
    folder, _ = saved
    _edit_meta(folder, sklearn_version="1.8.0")
    with pytest.raises(ModelRefused, match="scikit-learn version mismatch"):
        load_model(folder, "v1")


def test_refuses_feature_list_mismatch(saved):
    folder, _ = saved
    _edit_meta(folder, features=list(FEATURES)[:-1])
    with pytest.raises(ModelRefused, match="feature list mismatch"):
        load_model(folder, "v1")
    _edit_meta(folder, features=list(FEATURES))
    with pytest.raises(ModelRefused, match="feature list mismatch"):
        load_model(folder, "v1", features=[*FEATURES, "new_feature"])


def test_refuses_missing_files_and_bad_versions(tmp_path, saved):
    folder, _ = saved
    with pytest.raises(ModelRefused, match="metadata unreadable"):
        load_model(folder, "v2")
    (folder / "v1.skops").unlink()
    with pytest.raises(ModelRefused, match="unreadable"):
        load_model(folder, "v1")
    with pytest.raises(ValueError, match="invalid model version"):
        load_model(folder, "../v1")


def _edit_meta(folder, **changes):
    meta = read_metadata(folder, "v1")
    meta.update(changes)
    (folder / "v1.json").write_text(json.dumps(meta))


def _rewrite_sha(folder, path):
    import hashlib

    _edit_meta(folder, sha256=hashlib.sha256(path.read_bytes()).hexdigest())


def test_isotonic_hgb_needs_no_extra_trusted_types(sim_rows):
    from ml.pipeline import fit, make_pipeline

    X, y = sim_rows[list(FEATURES)], sim_rows["label"]
    pipe = fit(make_pipeline("hgb", n_rows=10_000), X, y)  # isotonic calibration
    assert pipe.named_steps["model"].method == "isotonic"
    assert set(sio.get_untrusted_types(data=sio.dumps(pipe))) <= set(TRUSTED_TYPES)
