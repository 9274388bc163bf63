"""Train the tolerance model and decide whether a candidate may replace the active one."""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass
from datetime import datetime

import numpy as np
import pandas as pd
import sklearn

from ml.dataio import CANONICAL_COLUMNS, OPTIONAL_COLUMNS
from ml.evaluate import best_kind, compare
from ml.features import FEATURES, NUMERIC, build_features, training_rows
from ml.labels import LabelConfig
from ml.pipeline import KINDS, fit, make_pipeline


@dataclass(frozen=True)
class PromotionGate:
    """How much worse than the active model a candidate may be ("not worse")."""

    auroc_tolerance: float = 0.005
    brier_tolerance: float = 0.002


def train(
    logs: pd.DataFrame,
    *,
    created_at: datetime | str,
    kind: str = "auto",
    version: str | None = None,
    config: LabelConfig | None = None,
    evaluate: bool = True,
    random_state: int = 0,
):
    """Fit on typed canonical logs; return ``(pipeline, metrics, metadata)``.

    ``kind="auto"`` cross-validates every kind by patient and keeps the winner; with a fixed
    kind, ``evaluate=False`` skips cross-validation (metrics then hold only n and flare rate).
    ``created_at`` is the caller's clock; nothing here reads the time.
    """
    cfg = config or LabelConfig()
    rows = training_rows(build_features(logs, cfg))  # sorted by patient, date
    if rows["label"].nunique() < 2:
        raise ValueError("training data needs both flares and tolerated sessions")
    results = None
    if kind == "auto" or evaluate:
        results = compare(logs, kinds=KINDS if kind == "auto" else (kind,), config=cfg)
        kind = best_kind(results) if kind == "auto" else kind
    metrics = (
        results[kind] if results else {"n": len(rows), "flare_rate": float(rows["label"].mean())}
    )

    pipeline = make_pipeline(kind, n_rows=len(rows), random_state=random_state)
    fit(pipeline, rows[list(FEATURES)], rows["label"])
    metadata = {
        "version": version,
        "kind": kind,
        "features": list(FEATURES),
        "training_data_hash": data_hash(logs),
        "sklearn_version": sklearn.__version__,
        "metrics": metrics,
        "created_at": created_at.isoformat()
        if isinstance(created_at, datetime)
        else str(created_at),
        "label_config": asdict(cfg),
        "n_train": int(len(rows)),
        "n_patients": int(rows["patient_id"].nunique()),
        # population medians: the explanation's reference for features without a personal one
        "reference_values": reference_values(rows),
    }
    if results and len(results) > 1:
        metadata["compared"] = {k: r["model"] for k, r in results.items()}
    return pipeline, metrics, metadata


def should_promote(
    candidate_metrics: dict, active_metrics: dict | None, gate: PromotionGate | None = None
) -> bool:
    """True when the candidate is not worse than the active model on the same evaluation.

    Accepts ``evaluate`` dicts or their ``"model"`` part. Not worse = AUROC not lower by more
    than ``auroc_tolerance`` and Brier not higher by more than ``brier_tolerance``. No active
    model -> promote. A candidate with missing or NaN metrics is never promoted.
    """
    gate = gate or PromotionGate()
    cand = candidate_metrics.get("model", candidate_metrics)
    if not _finite(cand):
        return False
    if not active_metrics:
        return True
    active = active_metrics.get("model", active_metrics)
    if not _finite(active):
        return True
    return (
        cand["auroc"] >= active["auroc"] - gate.auroc_tolerance
        and cand["brier"] <= active["brier"] + gate.brier_tolerance
    )


def data_hash(logs: pd.DataFrame) -> str:
    """sha256 over pandas row hashes of the canonical columns, in patient/date order."""
    cols = [c for c in CANONICAL_COLUMNS + OPTIONAL_COLUMNS if c in logs.columns]
    ordered = logs[cols].sort_values(["patient_id", "date"], kind="stable")
    rows = pd.util.hash_pandas_object(ordered, index=False).to_numpy()
    return "sha256:" + hashlib.sha256(rows.tobytes() + ",".join(cols).encode()).hexdigest()


def reference_values(rows: pd.DataFrame) -> dict[str, float]:
    """Median of each numeric feature (NaN-free, JSON-safe) over the training rows."""
    medians = rows[list(NUMERIC)].median()
    return {k: (float(v) if np.isfinite(v) else None) for k, v in medians.items()}


def _finite(m: dict) -> bool:
    try:
        return bool(np.isfinite(m["auroc"]) and np.isfinite(m["brier"]))
    except (KeyError, TypeError):
        return False
