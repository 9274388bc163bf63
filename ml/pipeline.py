"""The model: ``Pipeline(ColumnTransformer -> CalibratedClassifierCV(classifier))``.

Two kinds are compared by ``ml.evaluate`` and the winner is kept by ``ml.train``:

* ``logistic``: median imputation (+ missing indicators), scaling, one-hot categories,
  L2 logistic regression, sigmoid calibration;
* ``hgb``: median imputation (+ missing indicators), one-hot categories, histogram gradient
  boosting, isotonic calibration (sigmoid on small data, where isotonic overfits).

The positive class is a **flare**: ``predict_proba(X)[:, 1]`` = P(flare);
P(tolerated) = 1 - P(flare).

Calibration folds are ``KFold(2)`` without shuffling on rows sorted by patient then date (``ml.train``
sorts), so each fold is a block of whole patients (bar one at each edge): calibrating on rows of
the same patients the classifier trained on would make the probabilities overconfident.
"""

from __future__ import annotations

import weakref

import numpy as np
import pandas as pd
from sklearn.calibration import CalibratedClassifierCV
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import KFold
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from threadpoolctl import ThreadpoolController

from ml import MODALITIES
from ml.dataio import TREATMENT_PHASES
from ml.features import CATEGORICAL, FEATURES, NUMERIC, UNKNOWN

KINDS = ("logistic", "hgb")
SMALL_DATA = 5000  # below this many training rows isotonic calibration overfits
CATEGORIES = [list(MODALITIES) + [UNKNOWN], list(TREATMENT_PHASES) + [UNKNOWN]]


def make_pipeline(kind: str, *, n_rows: int | None = None, random_state: int = 0) -> Pipeline:
    """An unfitted pipeline of the given kind (``n_rows`` picks the calibration method)."""
    folds = KFold(n_splits=2)  # 2 calibration fits + 1 final fit keep 1M rows under 2 min
    if kind == "logistic":
        numeric = Pipeline(
            [
                ("impute", _imputer()),
                ("scale", StandardScaler()),
            ]
        )
        columns = ColumnTransformer(
            [
                ("num", numeric, list(NUMERIC)),
                ("cat", _one_hot(), list(CATEGORICAL)),
            ]
        )
        clf = LogisticRegression(C=0.5, max_iter=2000)
        return Pipeline([("columns", columns), ("model", _calibrated(clf, "sigmoid", folds))])
    if kind == "hgb":
        # One-hot categories (few levels) instead of HGB's native categorical support: the
        # native path adds an internal encoder that costs ~1.5 ms per decision. Numbers are
        # median-imputed with missing indicators because HGB 1.9.1 crashes on an all-NaN
        # column (e.g. no RPE in imported data); the indicator keeps "not reported".
        columns = ColumnTransformer(
            [
                ("num", _imputer(), list(NUMERIC)),
                ("cat", _one_hot(), list(CATEGORICAL)),
            ]
        )
        clf = HistGradientBoostingClassifier(
            learning_rate=0.1,  # ~50-100 trees: a decision must score in a few ms
            max_iter=100,
            max_leaf_nodes=15,
            min_samples_leaf=50,
            l2_regularization=1.0,
            categorical_features=None,
            early_stopping=True,
            random_state=random_state,
        )
        method = "sigmoid" if n_rows is not None and n_rows < SMALL_DATA else "isotonic"
        return Pipeline([("columns", columns), ("model", _calibrated(clf, method, folds))])
    raise ValueError(f"unknown model kind {kind!r}; expected one of {KINDS}")


def fit(pipeline: Pipeline, X: pd.DataFrame, y, *, threads: int = 1) -> Pipeline:
    """Fit with ``threads`` BLAS/OpenMP threads.

    One by default: on a shared 2-core machine a 390k-row HGB fit took 21 s on one thread and
    118 s on two (OpenMP threads spin-wait for a core that another process holds). Pass 2+
    only on a dedicated machine.
    """
    with _THREADS.limit(limits=threads):
        return pipeline.fit(X, y)


def p_flare(model, X) -> np.ndarray:
    """P(flare) for each row of X (the positive class of every model here)."""
    return model.predict_proba(X)[:, 1]


def _calibrated(clf, method: str, folds) -> CalibratedClassifierCV:
    # ensemble=False: one classifier refit on all rows (calibrator fitted on out-of-fold
    # scores), so a prediction runs one model, not one per fold.
    return CalibratedClassifierCV(clf, method=method, cv=folds, ensemble=False)


def _one_hot() -> OneHotEncoder:
    # Fixed vocabularies: the fitted width never depends on which categories a data set has.
    return OneHotEncoder(categories=CATEGORIES, handle_unknown="ignore", sparse_output=False)


def _imputer() -> SimpleImputer:
    # keep_empty_features: a column with no values (optional data absent) stays, as zeros,
    # so the fitted width never depends on which optional columns a data set has.
    return SimpleImputer(strategy="median", add_indicator=True, keep_empty_features=True)


# ---------- fast scoring of one decision ----------
class FastScorer:
    """``pipeline.predict_proba`` for a small numeric batch without pandas overhead.

    A decision scores ~100 rows that share their categories; going through the
    ColumnTransformer on a DataFrame costs more than the trees. This replays the fitted
    transformers with numpy (same numbers, checked by tests) and runs the classifier on one
    OpenMP thread (thread start-up dominates a 100-row batch, worse on a busy machine).
    """

    def __init__(self, pipeline: Pipeline):
        columns, self._model = pipeline.named_steps["columns"], pipeline.named_steps["model"]
        if list(getattr(pipeline, "feature_names_in_", [])) != list(FEATURES):
            raise NotImplementedError("pipeline was not fitted on FEATURES")
        self._parts = [
            _compile(t, c) for name, t, c in columns.transformers_ if name != "remainder"
        ]
        if columns.transformers_[-1][0] == "remainder" and columns.transformers_[-1][1] != "drop":
            raise NotImplementedError("remainder columns are not supported")

    def p_flare(self, numeric: np.ndarray, categorical: tuple) -> np.ndarray:
        """P(flare) for rows of ``NUMERIC`` values that share ``CATEGORICAL`` values."""
        X = np.hstack([part(numeric, categorical) for part in self._parts])
        with _THREADS.limit(limits=1, user_api="openmp"):
            return self._model.predict_proba(X)[:, 1]


def fast_scorer(model) -> FastScorer | None:
    """A cached ``FastScorer`` for a pipeline of this module, else None.

    Cached per pipeline object: a fitted (loaded) model is never refitted in place.
    """
    if not isinstance(model, Pipeline):
        return None
    try:
        return _SCORERS[model]
    except KeyError:
        pass
    try:
        scorer = FastScorer(model)
    except (NotImplementedError, KeyError, AttributeError):
        scorer = None
    _SCORERS[model] = scorer
    return scorer


def predict_p_flare(model, numeric: np.ndarray, categorical: tuple) -> np.ndarray:
    """P(flare) for a numeric batch sharing categories, fast when the model allows it."""
    scorer = fast_scorer(model)
    if scorer is not None:
        return scorer.p_flare(numeric, categorical)
    frame = pd.DataFrame(numeric, columns=list(NUMERIC))
    for name, value in zip(CATEGORICAL, categorical, strict=True):
        frame[name] = value
    return np.asarray(model.predict_proba(frame[list(FEATURES)]))[:, 1]


def p_flare_rows(model, rows: pd.DataFrame) -> np.ndarray:
    """P(flare) of feature rows of mixed categories: one ``predict_p_flare`` batch per
    category combination (a patient's few modalities), the fast path while serving."""
    out = np.empty(len(rows))
    numeric = rows[list(NUMERIC)].to_numpy(dtype=float)
    keys = list(zip(*(rows[c].to_numpy(dtype=object) for c in CATEGORICAL), strict=True))
    for key in dict.fromkeys(keys):
        where = np.fromiter((k == key for k in keys), bool, len(keys))
        out[where] = predict_p_flare(model, numeric[where], key)
    return out


_THREADS = ThreadpoolController()
_SCORERS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_NUM_INDEX = {f: i for i, f in enumerate(NUMERIC)}
_CAT_INDEX = {f: i for i, f in enumerate(CATEGORICAL)}


def _compile(transformer, cols):
    """A numpy function (numeric, categorical) -> block, equal to the fitted transformer."""
    if all(c in _CAT_INDEX for c in cols):
        idx = [_CAT_INDEX[c] for c in cols]
        if isinstance(transformer, OneHotEncoder) and transformer.drop is None:

            def one_hot(num, cat):
                row = np.concatenate(
                    [
                        (transformer.categories_[j] == cat[i]).astype(float)
                        for j, i in enumerate(idx)
                    ]
                )
                return np.tile(row, (len(num), 1))

            return one_hot
        raise NotImplementedError(type(transformer).__name__)
    idx = [_NUM_INDEX[c] for c in cols]
    steps = transformer.steps if isinstance(transformer, Pipeline) else [(None, transformer)]
    funcs = [_compile_numeric(step) for _, step in steps]

    def numeric_block(num, cat):
        X = num[:, idx]
        for f in funcs:
            X = f(X)
        return X

    return numeric_block


def _compile_numeric(step):
    if step == "passthrough":
        return lambda X: X.astype(float)
    if isinstance(step, SimpleImputer) and step.strategy in ("median", "mean", "constant"):
        stats = step.statistics_.astype(float)
        features = step.indicator_.features_ if step.add_indicator else None

        def impute(X):
            missing = np.isnan(X)
            out = np.where(missing, stats, X)
            if features is not None:
                out = np.hstack([out, missing[:, features].astype(float)])
            return out

        return impute
    if isinstance(step, StandardScaler):
        mean = step.mean_ if step.with_mean else 0.0
        scale = step.scale_ if step.with_std else 1.0
        return lambda X: (X - mean) / scale
    raise NotImplementedError(type(step).__name__)
