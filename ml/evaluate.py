"""Evaluation of the tolerance model against baselines, never on random row splits.

Positive class = **flare** (not tolerated): every probability here is P(flare), and
AUROC/AUPRC/Brier/calibration are computed for it. P(tolerated) = 1 - P(flare).

Splits:

* ``split="group"``: ``GroupKFold`` by patient (new patients), out-of-fold predictions pooled;
* ``split="forward"``: within each patient the first ``train_frac`` of labelled sessions train,
  the rest test (personalisation, forward in time);
* ``train_df`` given: train on it, test on ``df`` (transfer to people never seen).

Baselines (each fitted on the training part only):

* ``own_base_rate``: the patient's past flare rate (labels whose window closed), shrunk toward
  the training population rate with a prior weight of ``PRIOR_WEIGHT`` sessions;
* ``last_value``: the patient's previous known label carried forward, as the training rate of
  flares after a flare / after a tolerated session / with no previous label;
* ``srpe_logistic``: logistic regression on the session's sRPE load alone.
"""

from __future__ import annotations

import os

import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score, brier_score_loss, roc_auc_score
from sklearn.model_selection import GroupKFold
from sklearn.pipeline import make_pipeline as sk_make_pipeline
from sklearn.preprocessing import StandardScaler

from ml.features import FEATURES, build_features, training_rows
from ml.labels import LabelConfig
from ml.pipeline import KINDS, fit, make_pipeline, p_flare
from ml.recalibration import logit, map_intercept, sequential

BASELINES = ("own_base_rate", "last_value", "srpe_logistic")
PRIOR_WEIGHT = 2.0
_CLIP = 1e-6


def evaluate(
    df: pd.DataFrame,
    train_df: pd.DataFrame | None = None,
    *,
    kind: str = "auto",
    split: str = "group",
    n_splits: int = 5,
    config: LabelConfig | None = None,
) -> dict:
    """Metrics of the model and the baselines on typed canonical logs ``df``.

    ``kind="auto"`` evaluates every kind on the same folds and reports the best (AUROC, then
    Brier): a choice between two models, so the optimism it adds is small.
    """
    results = compare(
        df,
        train_df,
        kinds=KINDS if kind == "auto" else (kind,),
        split=split,
        n_splits=n_splits,
        config=config,
    )
    return results[best_kind(results)]


def compare(
    df: pd.DataFrame,
    train_df: pd.DataFrame | None = None,
    *,
    kinds=KINDS,
    split: str = "group",
    n_splits: int = 5,
    config: LabelConfig | None = None,
) -> dict[str, dict]:
    """``{kind: evaluate-style result}`` for each model kind on identical folds."""
    preds = predictions(df, train_df, kinds=kinds, split=split, n_splits=n_splits, config=config)
    return {k: summarize(preds, f"p_{k}") for k in kinds}


def best_kind(results: dict[str, dict]) -> str:
    """The kind with the highest AUROC; lower Brier breaks ties."""
    return max(
        results,
        key=lambda k: (round(results[k]["model"]["auroc"], 4), -results[k]["model"]["brier"]),
    )


def predictions(
    df: pd.DataFrame,
    train_df: pd.DataFrame | None = None,
    *,
    kinds=KINDS,
    split: str = "group",
    n_splits: int = 5,
    config: LabelConfig | None = None,
) -> pd.DataFrame:
    """Test rows with ``label``, ``p_<kind>`` and ``p_<baseline>`` (all P(flare))."""
    test_all = _rows(build_features(df, config))
    if train_df is not None:
        folds = [(_rows(build_features(train_df, config)), test_all)]
    elif split == "group":
        groups = test_all["patient_id"].to_numpy()
        n = min(n_splits, len(np.unique(groups)))
        if n < 2:
            raise ValueError("grouped cross-validation needs at least 2 patients")
        folds = [
            (test_all.iloc[tr], test_all.iloc[te])
            for tr, te in GroupKFold(n_splits=n).split(test_all, groups=groups)
        ]
    elif split == "forward":
        folds = [forward_split(test_all)]
    else:
        raise ValueError(f"unknown split {split!r}")

    parts = []
    for train, test in folds:
        _check_both_classes(train)
        out = test[["patient_id", "date", "label"]].copy()
        for kind in kinds:
            model = fit(
                make_pipeline(kind, n_rows=len(train)), train[list(FEATURES)], train["label"]
            )
            out[f"p_{kind}"] = p_flare(model, test[list(FEATURES)])
        for name, values in baseline_predictions(train, test).items():
            out[f"p_{name}"] = values
        parts.append(out)
    return pd.concat(parts).sort_values(["patient_id", "date"])


def forward_split(rows: pd.DataFrame, train_frac: float = 0.6) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Within each patient: the first ``train_frac`` of labelled sessions vs the rest."""
    rows = rows.sort_values(["patient_id", "date"], kind="stable")
    rank = rows.groupby("patient_id").cumcount()
    size = rows.groupby("patient_id")["label"].transform("size")
    early = rank < np.floor(size * train_frac)
    return rows[early], rows[~early]


def baseline_predictions(train: pd.DataFrame, test: pd.DataFrame) -> dict[str, np.ndarray]:
    """P(flare) of each baseline for the test rows, fitted on the training rows only."""
    rate = float(train["label"].mean())
    own = own_base_rate(test, rate)

    def after(value) -> float:
        mask = train["last_flare"].isna() if np.isnan(value) else train["last_flare"] == value
        return float(train.loc[mask, "label"].mean()) if mask.any() else rate

    last = test["last_flare"].to_numpy()
    by_last = {v: after(v) for v in (0.0, 1.0, np.nan)}
    lvcf = np.where(
        np.isnan(last), by_last[np.nan], np.where(last == 1, by_last[1.0], by_last[0.0])
    )

    srpe = sk_make_pipeline(StandardScaler(), LogisticRegression())
    srpe.fit(train[["planned_load"]], train["label"])
    return {
        "own_base_rate": own,
        "last_value": lvcf,
        "srpe_logistic": srpe.predict_proba(test[["planned_load"]])[:, 1],
    }


def own_base_rate(rows: pd.DataFrame, rate: float) -> np.ndarray:
    """The patient's past flare rate (known labels), shrunk toward ``rate``."""
    n_past = rows["labelled_sessions"].to_numpy(dtype=float)
    flares_past = np.nan_to_num(rows["past_flare_rate"].to_numpy(dtype=float)) * n_past
    return (flares_past + PRIOR_WEIGHT * rate) / (n_past + PRIOR_WEIGHT)


def summarize(preds: pd.DataFrame, column: str) -> dict:
    """The ``evaluate`` dict for one model column of ``predictions`` output."""
    y = preds["label"].to_numpy()
    return {
        "n": int(len(y)),
        "flare_rate": float(y.mean()),
        "model": metrics(y, preds[column].to_numpy()),
        "baselines": {
            name: {
                k: v
                for k, v in metrics(y, preds[f"p_{name}"].to_numpy()).items()
                if k in ("auroc", "auprc", "brier")
            }
            for name in BASELINES
        },
    }


def metrics(y, p) -> dict:
    """AUROC, AUPRC, Brier and calibration slope/intercept of P(flare) ``p`` for labels ``y``."""
    y = np.asarray(y, dtype=float)
    p = np.asarray(p, dtype=float)
    two_classes = 0 < y.sum() < len(y)
    slope, intercept = calibration_slope_intercept(y, p)
    return {
        "auroc": float(roc_auc_score(y, p)) if two_classes else float("nan"),
        "auprc": float(average_precision_score(y, p)) if two_classes else float("nan"),
        "brier": float(brier_score_loss(y, p)),
        "calibration_slope": slope,
        "calibration_intercept": intercept,
    }


def calibration_slope_intercept(y, p, iterations: int = 50) -> tuple[float, float]:
    """Logistic recalibration y ~ a + b logit(p) by Newton-Raphson; returns (b, a).

    Perfect calibration is slope 1, intercept 0; slope < 1 means over-confident predictions.
    """
    y = np.asarray(y, dtype=float)
    p = np.clip(np.asarray(p, dtype=float), _CLIP, 1 - _CLIP)
    if len(y) == 0 or not 0 < y.sum() < len(y):
        return float("nan"), float("nan")
    X = np.column_stack([np.ones_like(p), np.log(p / (1 - p))])
    beta = np.array([0.0, 1.0])
    for _ in range(iterations):
        mu = 1 / (1 + np.exp(-(X @ beta)))
        w = mu * (1 - mu)
        hessian = X.T @ (X * w[:, None]) + 1e-9 * np.eye(2)
        step = np.linalg.solve(hessian, X.T @ (y - mu))
        beta += step
        if np.abs(step).max() < 1e-10:
            break
    return float(beta[1]), float(beta[0])


def calibration_in_the_large(y, p) -> float:
    """Intercept of y ~ a + logit(p) (slope fixed at 1): 0 when the mean risk is right."""
    y = np.asarray(y, dtype=float)
    if len(y) == 0 or not 0 < y.sum() < len(y):
        return float("nan")
    return map_intercept(y, logit(p), 0.0, 1e3, steps=50)


def recalibration_report(
    rows: pd.DataFrame, p, *, base_rate=None, config: LabelConfig | None = None
) -> dict:
    """Calibration of model P(flare) ``p`` on labelled ``rows``, without and with online
    recalibration (sequential: each row uses only labels known before its day), against the
    patients' own base rate (``base_rate`` P(flare), else ``own_base_rate`` of the rows)."""
    cfg = config or LabelConfig()
    y = rows["label"].to_numpy(dtype=float)
    p = np.asarray(p, dtype=float)
    days = (pd.to_datetime(rows["date"]) - pd.Timestamp("1970-01-01")).dt.days.to_numpy()
    q = sequential(y, p, rows["patient_id"].to_numpy(), days, known_after_days=cfg.known_after_days)
    if base_rate is None:  # the population rate from the same rows: a 2-session prior only
        base_rate = own_base_rate(rows, float(y.mean()))

    def summary(prob) -> dict:
        m = metrics(y, prob)
        return {**m, "calibration_in_the_large": calibration_in_the_large(y, prob)}

    return {
        "n": int(len(y)),
        "n_patients": int(rows["patient_id"].nunique()),
        "flare_rate": float(y.mean()) if len(y) else float("nan"),
        "without": summary(p),
        "with": summary(q),
        "own_base_rate": summary(np.asarray(base_rate, dtype=float)),
        "p_recalibrated": q,
    }


def reliability_plot(y, p, path: str | os.PathLike, *, bins: int = 10, title: str = "") -> str:
    """Write a reliability diagram (observed vs predicted P(flare), by decile) as PNG."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg  # Agg: no display, no pyplot
    from matplotlib.figure import Figure

    y = np.asarray(y, dtype=float)
    p = np.asarray(p, dtype=float)
    edges = np.unique(np.quantile(p, np.linspace(0, 1, bins + 1)))
    which = np.clip(np.searchsorted(edges, p, side="right") - 1, 0, max(len(edges) - 2, 0))
    mean_p = np.array([p[which == b].mean() for b in np.unique(which)])
    obs = np.array([y[which == b].mean() for b in np.unique(which)])

    fig = Figure(figsize=(5, 5))
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    ax.plot([0, 1], [0, 1], "--", color="grey", label="perfect")
    ax.plot(mean_p, obs, "o-", label="model")
    slope, intercept = calibration_slope_intercept(y, p)
    ax.set_xlabel("predicted P(flare)")
    ax.set_ylabel("observed flare rate")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_title(title or f"Reliability (slope {slope:.2f}, intercept {intercept:.2f})")
    ax.legend(loc="upper left")
    fig.savefig(path, format="png", dpi=100)
    return str(path)


def _rows(features: pd.DataFrame) -> pd.DataFrame:
    """Training/test rows, sorted by patient then date (calibration folds rely on it)."""
    return training_rows(features)


def _check_both_classes(train: pd.DataFrame) -> None:
    if train["label"].nunique() < 2:
        raise ValueError("training data has only one class of label; cannot fit a model")
