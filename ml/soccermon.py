"""Convert the SoccerMon player-day table (master_dataset.csv) to the canonical log format.

Mapping (source column -> canonical), documented because it decides what "a flare" means:

* ``player_id`` -> ``patient_id``; ``date`` -> ``date``.
* ``fatigue`` (1-5, higher = better, 5 = very fresh) -> ``fatigue`` = (5 - x) x 2.5 on 0-10,
  higher = worse. One wellness step is 2.5 points, so the label's ">= 2 above baseline" means
  "at least one step worse than the 14-day median".
* ``soreness`` (1-5, higher = better, 5 = no soreness) -> ``pain`` = (5 - x) x 2.5.
* ``sleep_quality`` (1-5, higher = better) -> optional ``sleep_quality`` = (x - 1) x 2.5
  (0-10, higher = better, as the check-in's sleep item).
* ``daily_load`` (sRPE AU, the day's sessions summed) -> ``session_load`` when > 0. Zero means
  rest *or* an unlogged session (not distinguishable); it is read as a rest day.
* Not available, left empty: ``session_minutes``, ``session_rpe``/``rpe_scale`` (only their
  product was kept), ``completed``, ``stopped_early``, ``modality``, ``level``.
* Dropped: ``mood``, ``stress``, ``readiness``, ``sleep_duration`` (no canonical column); the
  derived ``acwr``/``atl``/``ctl*``/``monotony``/``strain`` (recomputed by ``ml.features``);
  ``injury*`` (that repository's own processing; ``injury_within_*`` look into the future).
* Days with neither a check-in nor a session are dropped (missing rows are allowed).

Athletes, not patients: this tests whether the modelling generalises to real human logs, not
clinical validity.
"""

from __future__ import annotations

import os

import numpy as np
import pandas as pd

from ml.dataio import CANONICAL_COLUMNS, parse_logs

REQUIRED = ("date", "player_id", "daily_load", "fatigue", "soreness", "sleep_quality")


def convert(path: str | os.PathLike) -> pd.DataFrame:
    """Read SoccerMon ``master_dataset.csv`` and return validated canonical logs."""
    src = pd.read_csv(path)
    missing = [c for c in REQUIRED if c not in src.columns]
    if missing:
        raise ValueError(f"{path}: not a SoccerMon master dataset, missing columns {missing}")
    out = pd.DataFrame({c: np.nan for c in CANONICAL_COLUMNS}, index=src.index)
    out["patient_id"] = src["player_id"].astype(str)
    out["date"] = src["date"].astype(str)
    out["fatigue"] = (5.0 - src["fatigue"]) * 2.5
    out["pain"] = (5.0 - src["soreness"]) * 2.5
    out["sleep_quality"] = (src["sleep_quality"] - 1.0) * 2.5
    out["session_load"] = src["daily_load"].where(src["daily_load"] > 0)
    for text in ("rpe_scale", "modality"):
        out[text] = ""
    keep = out[["fatigue", "pain", "session_load"]].notna().any(axis=1)
    return parse_logs(out[keep].reset_index(drop=True), source=str(path))
