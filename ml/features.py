"""Features known *before* a session, one row per log row (vectorised, grouped by patient).

Everything is computed on a gap-free daily grid (``dataio.daily_grid``) so "the last k days"
is a row window, and every history term is lagged so a day only sees earlier days:

* check-in of the day (known in the morning, before the session) and its deltas from the
  personal baseline = median of the previous 14 days' check-ins (today excluded);
* load = daily sRPE load (0 on days without a session), EWMA 7 d / 28 d up to *yesterday*;
* flares are used only once their label window has closed (``LabelConfig.known_after_days``);
* the planned dose is ``planned_load`` when logged, else the session's logged load (imported
  data has no plan; its load also contains the RPE reported after the session, a documented
  approximation). ``dose_features`` recomputes the dose terms for any candidate level.

Optional columns (infusion, treatment_phase, met_*, sleep_quality, target_rpe) that are absent
give NaN (or 0 for the metastatic flags) and the model still works.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from ml.dataio import daily_grid
from ml.labels import LabelConfig, label_grid, rolling_median

BASELINE_DAYS = 14
ACUTE_SPAN, CHRONIC_SPAN = 7, 28  # EWMA spans (alpha = 2 / (span + 1), Williams et al. 2017)
DAYS_CAP = 30.0  # "long ago": caps day counters so NaN never means two things
UNKNOWN = "unknown"

CATEGORICAL = ("modality", "treatment_phase")
# Not the level itself: a level number means a different load on every modality's ladder
# (tai chi 8 is lighter than walking 1), so it would teach the model one ladder's habits.
DOSE_FEATURES = (
    "planned_load",
    "planned_rel_acute",
    "planned_rel_chronic",
    "planned_rel_tolerated",
    "level_step",
)
FEATURES = (
    # check-in of the day
    "fatigue",
    "pain",
    "sleep_quality",
    "checkin_missing",
    # personal baseline and trend
    "fatigue_baseline",
    "pain_baseline",
    "fatigue_delta",
    "pain_delta",
    "fatigue_spread",
    "pain_spread",
    "fatigue_trend",
    "pain_trend",
    "checkins_14d",
    # session history
    "days_since_session",
    "sessions_14d",
    "last_rpe",
    "last_rpe_vs_target",
    "rpe_vs_target_28d",
    "modality_rpe_vs_target",
    "last_load_rel",
    # flares whose label is known
    "flares_14d",
    "last_flare",
    "past_flare_rate",
    "labelled_sessions",
    "tolerated_load_max",
    # load
    "acute_load",
    "chronic_load",
    "acwr",
    # planned dose
    *DOSE_FEATURES,
    "modality",
    # treatment
    "days_since_infusion",
    "treatment_phase",
    "met_bone",
    "met_visceral",
    "met_brain",
)
NUMERIC = tuple(f for f in FEATURES if f not in CATEGORICAL)
# What a candidate's dose terms are measured against (known before the session).
DOSE_REFERENCES = ("acute_load", "chronic_load", "last_tolerated_level", "tolerated_load_max")
# Kept beside the features so a policy can re-score candidates (not model inputs).
CONTEXT = ("patient_id", "date", "label", "has_session", "last_tolerated_level")


def build_features(logs: pd.DataFrame, config: LabelConfig | None = None) -> pd.DataFrame:
    """``FEATURES`` + ``CONTEXT`` columns for every row of typed logs, same index and order."""
    cfg = config or LabelConfig()
    grid, pos = daily_grid(logs)
    g = _Groups(pd.factorize(grid["patient_id"])[0])
    n = len(grid)

    def col(name: str, fill: float = np.nan) -> np.ndarray:
        if name in grid.columns:
            return grid[name].to_numpy(dtype=float)
        return np.full(n, fill)

    out: dict[str, np.ndarray] = {}
    label = label_grid(grid, cfg)
    has_session = grid["has_session"].to_numpy(dtype=bool)
    load = np.where(has_session, np.nan_to_num(col("session_load")), 0.0)

    # check-in and personal baseline (previous 14 days, today excluded)
    for score in ("fatigue", "pain"):
        x = col(score)
        base = g.shift(rolling_median(x, g.codes, BASELINE_DAYS, 1), 1)
        out[score] = x
        out[f"{score}_baseline"] = base
        out[f"{score}_delta"] = x - base
        out[f"{score}_spread"] = g.rolling_std(x, BASELINE_DAYS, lag=1)
        out[f"{score}_trend"] = x - g.rolling_mean(x, 3, lag=1)
    out["sleep_quality"] = col("sleep_quality")
    checked_in = ~np.isnan(out["fatigue"]) | ~np.isnan(out["pain"])
    out["checkin_missing"] = (~checked_in).astype(float)
    out["checkins_14d"] = g.rolling_sum(checked_in, BASELINE_DAYS, lag=1)

    # session history (yesterday and before)
    day_index = np.arange(n, dtype=float)
    last_day = g.ffill(g.shift(np.where(has_session, day_index, np.nan), 1))
    out["days_since_session"] = np.minimum(
        np.nan_to_num(day_index - last_day, nan=DAYS_CAP), DAYS_CAP
    )
    out["sessions_14d"] = g.rolling_sum(has_session, BASELINE_DAYS, lag=1)
    rpe = np.where(has_session, col("session_rpe"), np.nan)
    out["last_rpe"] = g.ffill(g.shift(rpe, 1))
    out["last_rpe_vs_target"] = g.ffill(g.shift(rpe - col("target_rpe"), 1))
    out["rpe_vs_target_28d"] = g.rolling_mean(rpe - col("target_rpe"), 28, lag=1)

    # nan_to_num: no load before a patient's first day
    acute = np.nan_to_num(g.shift(g.ewma(load, 2 / (ACUTE_SPAN + 1)), 1))
    chronic = np.nan_to_num(g.shift(g.ewma(load, 2 / (CHRONIC_SPAN + 1)), 1))
    out["acute_load"], out["chronic_load"] = acute, chronic
    out["acwr"] = np.log1p(acute) - np.log1p(chronic)
    last_load = g.ffill(g.shift(np.where(has_session, load, np.nan), 1))
    out["last_load_rel"] = np.log1p(last_load) - np.log1p(chronic)

    # flares, known only once the label window closed
    lag = cfg.known_after_days
    flare = np.where(label == 1, 1.0, 0.0)
    labelled = ~np.isnan(label)
    out["flares_14d"] = g.rolling_sum(flare, BASELINE_DAYS, lag=lag)
    out["last_flare"] = g.ffill(g.shift(label, lag))
    n_flares = g.cumsum(flare, lag=lag)
    n_labelled = g.cumsum(labelled.astype(float), lag=lag)
    with np.errstate(invalid="ignore", divide="ignore"):
        out["past_flare_rate"] = np.where(n_labelled > 0, n_flares / n_labelled, np.nan)
    out["labelled_sessions"] = n_labelled

    # planned dose and the step from the last tolerated level of the same modality
    modality = _text(grid, "modality")
    level = col("level")
    planned = col("planned_load")
    planned = np.where(
        np.isnan(planned), np.where(has_session, col("session_load"), np.nan), planned
    )
    last_tolerated = np.full(n, np.nan)
    tolerated = label == 0
    for m in np.unique(modality):
        known = g.ffill(g.shift(np.where(tolerated & (modality == m), level, np.nan), lag))
        last_tolerated = np.where(modality == m, known, last_tolerated)
    gap = rpe - col("target_rpe")
    same = np.full(n, np.nan)
    for m in np.unique(modality):
        mean = g.rolling_mean(np.where(modality == m, gap, np.nan), 28, lag=1)
        same = np.where(modality == m, mean, same)
    out["modality_rpe_vs_target"] = same
    out["tolerated_load_max"] = g.rolling_max(np.where(tolerated, planned, np.nan), 28, lag)
    out["last_tolerated_level"] = last_tolerated
    out.update(dose_features(planned, level, out))
    out["modality"] = modality

    # treatment context
    infusion_day = g.ffill(np.where(col("infusion") == 1, day_index, np.nan))
    out["days_since_infusion"] = day_index - infusion_day
    out["treatment_phase"] = _text(grid, "treatment_phase")
    for flag in ("met_bone", "met_visceral", "met_brain"):
        out[flag] = np.nan_to_num(col(flag, 0.0))

    frame = pd.DataFrame({f: out[f][pos] for f in FEATURES}, index=logs.index)
    frame["patient_id"] = logs["patient_id"].to_numpy()
    frame["date"] = logs["date"].to_numpy()
    frame["label"] = label[pos]
    frame["has_session"] = has_session[pos]
    frame["last_tolerated_level"] = last_tolerated[pos]
    return frame


def decision_features(
    history: pd.DataFrame,
    day,
    *,
    modality: str,
    fatigue: float | None = None,
    pain: float | None = None,
    extra: dict | None = None,
    config: LabelConfig | None = None,
) -> dict:
    """The feature row for a session planned on ``day`` (serving side of ``build_features``).

    ``history``: one patient's typed logs; rows from ``day`` on are ignored. ``fatigue``/
    ``pain``: today's check-in (None = not reported); ``extra``: today's optional columns
    (e.g. infusion, treatment_phase). Dose features are left for the policy to fill per
    candidate (``dose_features``); the row carries ``last_tolerated_level`` for that.
    """
    day = pd.Timestamp(day)
    past = history[history["date"] < day]
    if past["patient_id"].nunique() > 1:
        raise ValueError("decision_features takes one patient's history")
    today = {col: np.nan for col in past.columns if col not in ("patient_id", "date")}
    for col in ("rpe_scale", "treatment_phase"):
        if col in past.columns:
            today[col] = ""
    pid = past["patient_id"].iloc[0] if len(past) else "patient"
    today.update(patient_id=pid, date=day, fatigue=fatigue, pain=pain, modality=modality)
    today.update(has_session=False, **(extra or {}))
    frame = pd.concat([past, pd.DataFrame([today])], ignore_index=True)
    for col in ("fatigue", "pain"):
        frame[col] = frame[col].astype(float)
    row = build_features(frame, config).iloc[-1].to_dict()
    for name in DOSE_FEATURES:
        row[name] = np.nan
    return row


def dose_features(planned_load, level, reference: Mapping) -> dict:
    """Dose terms for a planned session; shared by training and candidate scoring.

    ``reference`` holds the day's ``DOSE_REFERENCES`` (numbers, or arrays row by row). Relative
    dose is a log ratio (log1p planned - log1p reference) so a first session (EWMA 0) stays
    finite instead of dividing by zero.
    """
    planned = np.asarray(planned_load, dtype=float)
    ref = {name: np.asarray(reference.get(name, np.nan), dtype=float) for name in DOSE_REFERENCES}
    return {
        "planned_load": planned,
        "planned_rel_acute": np.log1p(planned) - np.log1p(ref["acute_load"]),
        "planned_rel_chronic": np.log1p(planned) - np.log1p(ref["chronic_load"]),
        "planned_rel_tolerated": np.log1p(planned) - np.log1p(ref["tolerated_load_max"]),
        "level_step": np.asarray(level, dtype=float) - ref["last_tolerated_level"],
    }


def candidate_rows(row: dict, levels: list[int], loads: list[float]) -> pd.DataFrame:
    """Model input for one decision: the day's feature row, re-dosed for each candidate."""
    frame = pd.DataFrame([row] * len(levels), columns=list(FEATURES))
    dose = dose_features(loads, levels, {k: _float(row.get(k)) for k in DOSE_REFERENCES})
    for name, values in dose.items():
        frame[name] = values
    return frame


def training_rows(features: pd.DataFrame) -> pd.DataFrame:
    """Rows a model learns from (a session with a known label), sorted by patient then date.

    The order matters: the pipeline's calibration folds are unshuffled blocks of rows, which
    are then blocks of whole patients.
    """
    rows = features[features["has_session"] & features["label"].notna()]
    return rows.sort_values(["patient_id", "date"], kind="stable")


def _float(x) -> float:
    return np.nan if x is None else float(x)


def _text(grid: pd.DataFrame, name: str) -> np.ndarray:
    if name not in grid.columns:
        return np.full(len(grid), UNKNOWN, dtype=object)
    values = grid[name].to_numpy(dtype=object)
    return np.where(values == "", UNKNOWN, values)


class _Groups:
    """Within-patient window operations on a grid whose groups are contiguous rows."""

    def __init__(self, codes: np.ndarray):
        self.codes = codes
        n = len(codes)
        is_start = np.r_[True, codes[1:] != codes[:-1]] if n else np.zeros(0, dtype=bool)
        self.start = np.maximum.accumulate(np.where(is_start, np.arange(n), 0))
        self.pos = np.arange(n) - self.start  # index of the row within its patient

    def shift(self, x: np.ndarray, k: int) -> np.ndarray:
        out = np.full(len(x), np.nan)
        if k < len(x):
            out[k:] = x[: len(x) - k]
        out[self.pos < k] = np.nan
        return out

    def ffill(self, x: np.ndarray) -> np.ndarray:
        idx = np.where(~np.isnan(x), np.arange(len(x)), -1)
        idx = np.maximum.accumulate(idx) if len(x) else idx
        ok = idx >= self.start
        return np.where(ok, x[np.maximum(idx, 0)], np.nan)

    def cumsum(self, x: np.ndarray, lag: int = 0) -> np.ndarray:
        """Sum of rows from the patient's first day up to ``lag`` days ago."""
        cs = np.cumsum(np.nan_to_num(np.asarray(x, dtype=float)))
        before_start = np.where(self.start > 0, cs[np.maximum(self.start - 1, 0)], 0.0)
        total = cs - before_start
        return np.nan_to_num(self.shift(total, lag)) if lag else total

    def rolling_sum(self, x: np.ndarray, window: int, lag: int = 0) -> np.ndarray:
        """Sum over rows [i-lag-window+1, i-lag] of the same patient (NaN counts as 0)."""
        cs = np.r_[0.0, np.cumsum(np.nan_to_num(np.asarray(x, dtype=float)))]
        i = np.arange(len(x))
        hi = i - lag + 1  # exclusive end in cs coordinates
        lo = np.maximum(hi - window, self.start)
        return np.where(hi > self.start, cs[np.maximum(hi, 0)] - cs[lo], 0.0)

    def rolling_mean(self, x: np.ndarray, window: int, lag: int = 0) -> np.ndarray:
        valid = ~np.isnan(x)
        count = self.rolling_sum(valid, window, lag)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(count > 0, self.rolling_sum(x, window, lag) / count, np.nan)

    def rolling_max(self, x: np.ndarray, window: int, lag: int = 0) -> np.ndarray:
        """Max over rows [i-lag-window+1, i-lag] of the same patient (NaNs skipped)."""
        shifted = self.shift(np.asarray(x, dtype=float), lag) if lag else np.asarray(x, float)
        group = np.cumsum(self.pos == 0) - 1
        index = np.arange(len(x)) + (group + 1) * window  # window NaNs between patients
        padded = np.full(len(x) + (group[-1] + 2 if len(x) else 1) * window, np.nan)
        padded[index] = shifted
        return pd.Series(padded).rolling(window, min_periods=1).max().to_numpy()[index]

    def rolling_std(self, x: np.ndarray, window: int, lag: int = 0) -> np.ndarray:
        valid = ~np.isnan(x)
        count = self.rolling_sum(valid, window, lag)
        s1 = self.rolling_sum(x, window, lag)
        s2 = self.rolling_sum(np.where(valid, x, 0.0) ** 2, window, lag)
        with np.errstate(invalid="ignore", divide="ignore"):
            var = (s2 - s1**2 / count) / (count - 1)
        return np.where(count > 1, np.sqrt(np.maximum(var, 0.0)), np.nan)

    def ewma(self, x: np.ndarray, alpha: float) -> np.ndarray:
        """y_t = alpha x_t + (1-alpha) y_{t-1}, starting from 0 before each patient's first day.

        One global linear filter, then remove what leaked in from the previous patient: that
        carry decays as (1-alpha)^(k+1) at row k of a patient.
        """
        from scipy.signal import lfilter

        y = lfilter([alpha], [1.0, alpha - 1.0], np.asarray(x, dtype=float))
        carry = np.where(self.start > 0, y[np.maximum(self.start - 1, 0)], 0.0)
        # clip: the subtraction can leave -1e-14 where the true value is 0
        return np.maximum(y - carry * (1.0 - alpha) ** (self.pos + 1), 0.0)
