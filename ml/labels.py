"""The one definition of a flare (= a session not tolerated). Nowhere else decides this.

A session is a **flare** (label 1) when any of (TOLERANCE_MODEL.md, corrected 2026-12-02):

1. it was stopped early for symptoms, or an adverse event was logged;
2. **the next-day response, the primary signal**: the next check-in within 36 h has fatigue
   or pain >= ``next_rise`` above the patient's baseline = median of the check-ins of the
   last ``baseline_days`` days up to the session day;
3. pain or fatigue right after the session rose from that morning's check-in by
   >= ``after_excess`` **more than this patient's own usual post-session rise**: the median
   rise of their last ``usual_sessions`` tolerated sessions (per score, sessions before this
   one); until there are ``usual_min_sessions`` of them, the population default
   (``usual_fatigue_rise``, ``usual_pain_rise``). Feeling more tired right after exercise is
   the normal response, not intolerance. The usual rise is floored at ``usual_floor`` (0):
   a patient who usually feels better after a session is not held to a stricter bar than
   "2 points above this morning".

Check-ins are daily mornings, so "within 36 h" is the next calendar day's check-in
(``next_checkin_max_days=1``); two mornings later is over 36 h for any daytime session.

It is **tolerated** (label 0) when none fired and the next-day rule could be evaluated (a
next-day check-in and a baseline exist). Otherwise the label is unknown (NaN): a missing
check-in is more likely on a bad day, so it is not read as "tolerated". When after-session
scores are absent (canonical CSVs have none) rule 3 simply never fires.
``LabelConfig.first_version()`` is the label before the correction (any rise of
``after_excess`` right after a session), kept to measure what the correction changed.
"""

from __future__ import annotations

import statistics
from collections import deque
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ml.dataio import daily_grid

_EPS = 1e-9  # scores are multiples of 0.5 or 2.5; keep ">= 2" exact under float rounding


@dataclass(frozen=True)
class LabelConfig:
    """Thresholds of the label (points on the 0-10 scales, days, sessions)."""

    next_rise: float = 2.0
    baseline_days: int = 14
    min_baseline_checkins: int = 1
    next_checkin_max_days: int = 1
    after_excess: float = 2.0
    usual_sessions: int = 10
    usual_min_sessions: int = 5
    usual_fatigue_rise: float = 1.0
    usual_pain_rise: float = 0.0
    usual_floor: float = 0.0
    # False: an after-session score pair alone may also confirm "tolerated".
    require_next_checkin: bool = True

    @classmethod
    def first_version(cls) -> LabelConfig:
        """The label before 2026-12-02: any rise of 2 right after a session was a flare."""
        return cls(usual_min_sessions=10**9, usual_fatigue_rise=0.0, usual_pain_rise=0.0)

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

    has_session = grid["has_session"].to_numpy(dtype=bool)
    rises = np.column_stack([col("fatigue_after") - fatigue, col("pain_after") - pain])
    label = _with_after_rule(cfg, codes, has_session, stop | next_flare, next_known, rises)
    return np.where(has_session, label, np.nan)


def _with_after_rule(
    cfg: LabelConfig,
    codes: np.ndarray,
    has_session: np.ndarray,
    flare: np.ndarray,
    next_known: np.ndarray,
    rises: np.ndarray,
) -> np.ndarray:
    """Labels once rule 3 is judged against each patient's own usual post-session rise.

    Sequential per patient: the usual rise is the median over their earlier *tolerated*
    sessions, so each session's label depends on those before it.
    """
    defaults = (cfg.usual_fatigue_rise, cfg.usual_pain_rise)
    label = np.full(len(codes), np.nan)
    usual: tuple[deque, deque] = (deque(), deque())
    patient = -1
    for i in np.flatnonzero(has_session):
        if codes[i] != patient:
            patient = codes[i]
            usual = (deque(maxlen=cfg.usual_sessions), deque(maxlen=cfg.usual_sessions))
        after_flare = False
        for k in (0, 1):
            rise = rises[i, k]
            if np.isnan(rise):
                continue
            seen = usual[k]
            typical = statistics.median(seen) if len(seen) >= cfg.usual_min_sessions else defaults[k]
            after_flare |= rise - max(typical, cfg.usual_floor) >= cfg.after_excess - _EPS
        known = next_known[i] or (not cfg.require_next_checkin and not np.isnan(rises[i]).all())
        if flare[i] or after_flare:
            label[i] = 1.0
        elif known:
            label[i] = 0.0
            for k in (0, 1):
                if not np.isnan(rises[i, k]):
                    usual[k].append(rises[i, k])
    return label


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
