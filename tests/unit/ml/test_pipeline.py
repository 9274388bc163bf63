import numpy as np
import pandas as pd
import pytest

from ml.features import CATEGORICAL, FEATURES, NUMERIC
from ml.pipeline import fast_scorer, make_pipeline, p_flare, p_flare_rows, predict_p_flare


@pytest.mark.parametrize("kind", ["logistic", "hgb"])
def test_structure_is_column_transformer_then_calibrated_classifier(kind, fitted):
    pipe = fitted[kind]
    assert [name for name, _ in pipe.steps] == ["columns", "model"]
    assert type(pipe.named_steps["model"]).__name__ == "CalibratedClassifierCV"
    assert list(pipe.feature_names_in_) == list(FEATURES)


@pytest.mark.parametrize("kind", ["logistic", "hgb"])
@pytest.mark.parametrize(
    "categories", [("balance", "chemotherapy"), ("unknown", "unknown"), ("yoga", "?")]
)
def test_fast_scorer_matches_the_pipeline(kind, categories, fitted, sim_rows):
    pipe = fitted[kind]
    numeric = sim_rows[list(NUMERIC)].head(40).to_numpy(dtype=float).copy()
    numeric[::3, 0] = np.nan  # missing check-ins
    numeric[::5, NUMERIC.index("level_step")] = np.nan
    frame = pd.DataFrame(numeric, columns=list(NUMERIC))
    for name, value in zip(CATEGORICAL, categories, strict=True):
        frame[name] = value
    expected = pipe.predict_proba(frame[list(FEATURES)])[:, 1]
    assert fast_scorer(pipe) is not None
    np.testing.assert_allclose(
        predict_p_flare(pipe, numeric, categories), expected, rtol=0, atol=1e-12
    )


@pytest.mark.parametrize("kind", ["logistic", "hgb"])
def test_scoring_a_patients_mixed_sessions_matches_the_pipeline(kind, fitted, sim_rows):
    # the coach's per-patient recalibration scores past sessions of several modalities
    rows = sim_rows.head(200)
    assert rows["modality"].nunique() > 1
    np.testing.assert_allclose(
        p_flare_rows(fitted[kind], rows), p_flare(fitted[kind], rows[list(FEATURES)]), atol=1e-12
    )


def test_unknown_kind_is_rejected():
    with pytest.raises(ValueError, match="unknown model kind"):
        make_pipeline("forest")
