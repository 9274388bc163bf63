"""The one definition of a flare (= a session not tolerated). Nowhere else decides this.

A session is a **flare** (label 1) when any of (TOLERANCE_MODEL.md, corrected 2026-12-02):

1. it was stopped early for symptoms, or an adverse event was logged;
2. **the next-day response, the primary signal**: the next check-in within 36 h has fatigue
   or pain >= ``next_rise`` above the patient's baseline = median of the check-ins of the
   last ``baseline_days`` days up to the session day, and (``next_pre_rise``, when that
   morning was reported) >= 2 above the session day's own morning;
3. pain or fatigue right after the session rose from that morning's check-in by
   >= ``after_excess`` **more than this patient's own usual post-session rise**: the median
   rise of their last ``usual_sessions`` tolerated sessions (per score, sessions before this
   one); until there are ``usual_min_sessions`` of them, the population default
   (``usual_fatigue_rise``, ``usual_pain_rise``; None: the median over all patients' such
   sessions in the logs being labelled; the service labels one patient's record at a time,
   so there it is that patient's own median so far). Feeling more tired right after exercise is
   the normal response, not intolerance. "Tolerated" here is by the primary signals (rules 1
   and 2: not stopped, next morning known and not up): were rule 3 itself to decide, a
   patient whose normal tiredness is above the default would have every session flagged and
   never a tolerated one to learn their usual from. The usual rise is floored at
   ``usual_floor`` (0): a patient who usually feels better after a session is not held to a
   stricter bar than "2 points above this morning".

Check-ins are daily mornings, so "within 36 h" is the next calendar day's check-in
(``next_checkin_max_days=1``); two mornings later is over 36 h for any daytime session.

It is **tolerated** (label 0) when none fired and the next-day rule could be evaluated (a
next-day check-in and a baseline exist). Otherwise the label is unknown (NaN): a missing
check-in is more likely on a bad day, so it is not read as "tolerated". When after-session
scores are absent (canonical CSVs have none) rule 3 simply never fires.
``LabelConfig.first_version()`` is the label before the correction (any rise of
``after_excess`` right after a session; the next morning against the baseline only), kept to
measure what the correction changed.
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
    # The next morning must also be this much above the session's own morning (None: not
    # required). A bad morning before the session is not the session's doing; the safety
    # traffic light reads the next-day response the same way (docs/architecture.md, 23).
    next_pre_rise: float | None = 2.0
    after_excess: float = 2.0
    # Chosen on the Banister family, seeds 1-2 (bench/bench_label.py --choose).
    usual_sessions: int = 5
    usual_min_sessions: int = 5
    # None: the population's own usual rise, the median over every patient's sessions that
    # the primary signals call tolerated in the logs being labelled.
    usual_fatigue_rise: float | None = None
    usual_pain_rise: float | None = None
    usual_floor: float = 0.0
    # False: an after-session score pair alone may also confirm "tolerated".
    require_next_checkin: bool = True

    @classmethod
    def first_version(cls) -> LabelConfig:
        """The label before 2026-12-02: any rise of 2 right after a session was a flare."""
        return cls(
            next_pre_rise=None, usual_min_sessions=10**9, usual_fatigue_rise=0.0, usual_pain_rise=0.0
        )

    @property
    def known_after_days(self) -> int:
        """Days after the session day at whose morning the label is final (window closed)."""
        return max(1, self.next_checkin_max_days)


RULES = ("stopped_or_adverse", "next_day", "after_session")


def flare_labels(logs: pd.DataFrame, config: LabelConfig | None = None) -> pd.Series:
    """Label per log row: 1.0 flare, 0.0 tolerated, NaN rest day or unknown."""
    grid, pos = daily_grid(logs)
    labels = label_grid(grid, config)
    return pd.Series(labels[pos], index=logs.index, name="label")


def flare_rules(logs: pd.DataFrame, config: LabelConfig | None = None) -> pd.DataFrame:
    """Per log row, the label and which of its ``RULES`` fired (False on rest days)."""
    grid, pos = daily_grid(logs)
    label, fired = _label_and_rules(grid, config or LabelConfig())
    frame = pd.DataFrame({rule: fired[rule][pos] for rule in RULES}, index=logs.index)
    frame["label"] = label[pos]
    return frame


def label_grid(grid: pd.DataFrame, config: LabelConfig | None = None) -> np.ndarray:
    """Labels on a ``daily_grid`` frame (sorted, one row per patient-day, no gaps)."""
    return _label_and_rules(grid, config or LabelConfig())[0]


def _label_and_rules(
    grid: pd.DataFrame, cfg: LabelConfig
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
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
            hit = rise >= cfg.next_rise - _EPS
            if cfg.next_pre_rise is not None:  # ... and up from the session's own morning
                hit &= ~(nxt - score < cfg.next_pre_rise - _EPS)  # no morning: not required
            next_flare |= hit
            next_known |= ~np.isnan(rise)

    has_session = grid["has_session"].to_numpy(dtype=bool)
    rises = np.column_stack([col("fatigue_after") - fatigue, col("pain_after") - pain])
    day = grid["date"].to_numpy().astype("datetime64[D]").astype(np.int64)
    label, after_flare = _with_after_rule(
        cfg, codes, day, has_session, stop | next_flare, next_known, rises
    )
    fired = {
        "stopped_or_adverse": stop & has_session,
        "next_day": next_flare & has_session,
        "after_session": after_flare,
    }
    return np.where(has_session, label, np.nan), fired


def _with_after_rule(
    cfg: LabelConfig,
    codes: np.ndarray,
    day: np.ndarray,
    has_session: np.ndarray,
    flare: np.ndarray,
    next_known: np.ndarray,
    rises: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Labels once rule 3 is judged against each patient's own usual post-session rise, and
    where rule 3 fired.

    Sequential per patient: the usual rise is the median over their earlier sessions that
    the primary signals (stopping, the next morning) call tolerated.
    """
    calm = has_session & next_known & ~flare  # tolerated by the primary signals
    defaults = [
        _population_usual(day, calm, rises[:, k], given)
        for k, given in enumerate((cfg.usual_fatigue_rise, cfg.usual_pain_rise))
    ]
    label = np.full(len(codes), np.nan)
    fired = np.zeros(len(codes), dtype=bool)
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
            if len(seen) >= cfg.usual_min_sessions:
                typical = statistics.median(seen)
            else:
                typical = defaults[k][i]
            after_flare |= rise - max(typical, cfg.usual_floor) >= cfg.after_excess - _EPS
        fired[i] = after_flare
        known = next_known[i] or (not cfg.require_next_checkin and not np.isnan(rises[i]).all())
        label[i] = 1.0 if flare[i] or after_flare else (0.0 if known else np.nan)
        if next_known[i] and not flare[i]:
            for k in (0, 1):
                if not np.isnan(rises[i, k]):
                    usual[k].append(rises[i, k])
    return label, fired


def _population_usual(
    day: np.ndarray, calm: np.ndarray, rises: np.ndarray, given: float | None
) -> np.ndarray:
    """Per row, the population default of the usual rise: ``given``, or (None) the median
    over every patient's sessions before that day that the primary signals call tolerated
    (their next morning has come by then), 0 while there are none. Never a later session:
    a label must not depend on the future (features read past labels)."""
    out = np.zeros(len(day))
    if given is not None:
        out[:] = given
        return out
    known = calm & ~np.isnan(rises)
    order = np.argsort(day[known], kind="stable")
    past_days, past_rises = day[known][order], rises[known][order]
    for d in np.unique(day):
        before = past_rises[: np.searchsorted(past_days, d, side="left")]
        if len(before):
            out[day == d] = np.median(before)
    return out


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
