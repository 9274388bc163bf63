"""The one definition of a flare (= a session not tolerated). Nowhere else decides this.

A session is a **flare** (label 1) when any of:

1. it was stopped early for symptoms, or an adverse event was logged;
2. pain or fatigue right after the session is >= ``after_rise`` above that morning's check-in;
3. the next check-in within 36 h has fatigue or pain >= ``next_rise`` above the patient's
   baseline = median of the check-ins of the last ``baseline_days`` days up to the session
   day (the 14 days before that next check-in).

Check-ins are daily mornings, so "within 36 h" is the next calendar day's check-in
(``next_checkin_max_days=1``); two mornings later is over 36 h for any daytime session.

It is **tolerated** (label 0) when none fired and the next-day rule could be evaluated (a
next-day check-in and a baseline exist). Otherwise the label is unknown (NaN): a missing
check-in is more likely on a bad day, so it is not read as "tolerated". When after-session
scores are absent (canonical CSVs have none) rule 2 simply never fires.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ml.dataio import daily_grid

_EPS = 1e-9  # scores are multiples of 0.5 or 2.5; keep ">= 2" exact under float rounding


@dataclass(frozen=True)
class LabelConfig:
    """Thresholds of the label (points on the 0-10 scales, days)."""

    after_rise: float = 2.0
    next_rise: float = 2.0
    baseline_days: int = 14
    min_baseline_checkins: int = 1
    next_checkin_max_days: int = 1
    # False: an after-session score pair alone may also confirm "tolerated".
    require_next_checkin: bool = True

    @property
    def known_after_days(self) -> int:
        """Days after the session day at whose morning the label is final (window closed)."""
        return max(1, self.next_checkin_max_days)


def flare_labels(logs: pd.DataFrame, config: LabelConfig | None = None) -> pd.Series:
    """Label per log row: 1.0 flare, 0.0 tolerated, NaN rest day or unknown."""
    grid, pos = daily_grid(logs)
    labels = label_grid(grid, config)
    return pd.Series(labels[pos], index=logs.index, name="label")


def label_grid(grid: pd.DataFrame, config: LabelConfig | None = None) -> np.ndarray:
    """Labels on a ``daily_grid`` frame (sorted, one row per patient-day, no gaps)."""
    cfg = config or LabelConfig()
    codes = pd.factorize(grid["patient_id"])[0]
    n = len(grid)

    def col(name: str) -> np.ndarray:
        if name in grid.columns:
            return grid[name].to_numpy(dtype=float)
        return np.full(n, np.nan)

    fatigue, pain = col("fatigue"), col("pain")
    stop = (col("stopped_early") == 1) | (col("adverse_event") == 1)

    after_f = col("fatigue_after") - fatigue
    after_p = col("pain_after") - pain
    after_flare = (after_f >= cfg.after_rise - _EPS) | (after_p >= cfg.after_rise - _EPS)
    after_known = ~np.isnan(after_f) | ~np.isnan(after_p)

    baselines = [
        (score, rolling_median(score, codes, cfg.baseline_days, cfg.min_baseline_checkins))
        for score in (fatigue, pain)
    ]
    next_flare = np.zeros(n, dtype=bool)
    next_known = np.zeros(n, dtype=bool)
    for k in range(1, cfg.next_checkin_max_days + 1):
        same = np.zeros(n, dtype=bool)
        same[:-k] = codes[:-k] == codes[k:]
        for score, base in baselines:
            nxt = np.full(n, np.nan)
            nxt[:-k] = score[k:]
            nxt[~same] = np.nan
            rise = nxt - base
            next_flare |= rise >= cfg.next_rise - _EPS
            next_known |= ~np.isnan(rise)

    flare = stop | after_flare | next_flare
    known = next_known if cfg.require_next_checkin else (next_known | after_known)
    label = np.where(flare, 1.0, np.where(known, 0.0, np.nan))
    has_session = grid["has_session"].to_numpy(dtype=bool)
    return np.where(has_session, label, np.nan)


def rolling_median(x: np.ndarray, codes: np.ndarray, window: int, min_count: int) -> np.ndarray:
    """Median of the last ``window`` rows up to and including each row, within a group.

    Rows of a group are contiguous. NaNs are skipped; fewer than ``min_count`` values -> NaN.
    Pads ``window`` NaNs between groups so one global rolling pass never crosses patients.
    """
    starts = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]])
    group = np.cumsum(np.r_[True, codes[1:] != codes[:-1]]) - 1
    padded_index = np.arange(len(x)) + (group + 1) * window
    padded = np.full(len(x) + (len(starts) + 1) * window, np.nan)
    padded[padded_index] = x
    med = pd.Series(padded).rolling(window, min_periods=max(1, min_count)).median()
    return med.to_numpy()[padded_index]
