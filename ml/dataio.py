"""Canonical log format: strict CSV import/export, one row per patient-day.

Required columns (in this order when written)::

    patient_id, date, fatigue, pain, session_minutes, session_rpe, rpe_scale,
    session_load, completed, stopped_early, modality, level

* ``fatigue``/``pain``: the morning check-in, 0-10, higher = worse; empty when not reported.
* ``session_*``, ``completed``, ``stopped_early``, ``modality``, ``level``: empty on rest days.
* ``rpe_scale``: ``cr10`` or ``borg20`` (required with ``session_rpe``). Borg 6-20 is
  converted to CR-10 on the way in (``BORG_TO_CR10``); the raw value and its scale are kept
  in ``session_rpe_raw``/``rpe_scale`` and written back unchanged.
* ``session_load`` (AU, Foster sRPE) may stand alone; when empty it is minutes x CR-10.
* Rows may be missing (no check-in and no session that day).

Optional columns (absent = unknown): see ``OPTIONAL_COLUMNS``. Unknown columns are an error,
so a typo in a header never silently drops data.

In memory (``parse_logs``/``read_logs`` output): ``date`` is datetime64, numbers are float
(NaN = empty), flags are float 0/1/NaN, text is str ("" = empty), plus ``session_rpe_raw``
and ``has_session``.
"""

from __future__ import annotations

import os
import re
from typing import IO

import numpy as np
import pandas as pd

from ml import MODALITIES
from ml.scales import BORG_TO_CR10  # one table for whole columns and single values

CANONICAL_COLUMNS = (
    "patient_id",
    "date",
    "fatigue",
    "pain",
    "session_minutes",
    "session_rpe",
    "rpe_scale",
    "session_load",
    "completed",
    "stopped_early",
    "modality",
    "level",
)

# Optional, all empty when unknown. fatigue_after/pain_after: right after the session;
# target_rpe: the level's CR-10 target; planned_load: the dose planned before the session
# (AU); infusion: 1 on a chemotherapy infusion day; met_*: metastatic-site flags.
OPTIONAL_COLUMNS = (
    "sleep_quality",
    "fatigue_after",
    "pain_after",
    "adverse_event",
    "target_rpe",
    "planned_load",
    "infusion",
    "treatment_phase",
    "met_bone",
    "met_visceral",
    "met_brain",
)

RPE_SCALES = ("cr10", "borg20")
TREATMENT_PHASES = (
    "none",
    "chemotherapy",
    "radiotherapy",
    "chemoradiotherapy",
    "immunotherapy_targeted",
    "hormonal",
    "post_treatment",
)

_SCORE_COLUMNS = ("fatigue", "pain", "sleep_quality", "fatigue_after", "pain_after")
_FLAG_COLUMNS = (
    "completed",
    "stopped_early",
    "adverse_event",
    "infusion",
    "met_bone",
    "met_visceral",
    "met_brain",
)
_NUMERIC_COLUMNS = _SCORE_COLUMNS + (
    "session_minutes",
    "session_rpe",
    "session_load",
    "level",
    "target_rpe",
    "planned_load",
)
# Columns that only make sense on a session day.
_SESSION_ONLY = (
    "completed",
    "stopped_early",
    "modality",
    "level",
    "fatigue_after",
    "pain_after",
    "adverse_event",
    "target_rpe",
)
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_TRUE = {"1", "true", "yes", "1.0"}
_FALSE = {"0", "false", "no", "0.0"}


class LogFormatError(ValueError):
    """A row or header violates the canonical format; names the line and column."""

    def __init__(self, line: int, column: str, message: str, source: str = "<logs>"):
        self.line, self.column = line, column
        super().__init__(f"{source}: line {line}, column '{column}': {message}")


def borg_to_cr10(values) -> np.ndarray:
    """Convert Borg 6-20 ratings to CR-10 with the ``BORG_TO_CR10`` display mapping."""
    xs, ys = zip(*BORG_TO_CR10, strict=True)
    return np.interp(np.asarray(values, dtype=float), xs, ys)


def read_logs(path: str | os.PathLike | IO[str]) -> pd.DataFrame:
    """Read and validate a canonical CSV; raise ``LogFormatError`` on the first bad row."""
    source = (
        str(path) if isinstance(path, str | os.PathLike) else str(getattr(path, "name", "<stream>"))
    )
    try:
        raw = pd.read_csv(
            path, dtype=str, keep_default_na=False, na_filter=False, skip_blank_lines=False
        )
    except pd.errors.ParserError as exc:  # e.g. "Expected 12 fields in line 5, saw 13"
        match = re.search(r"line (\d+)", str(exc))
        raise LogFormatError(int(match.group(1)) if match else 0, "*", str(exc), source) from exc
    except pd.errors.EmptyDataError as exc:
        raise LogFormatError(1, "*", "empty file: no header", source) from exc
    return parse_logs(raw, source=source)


def parse_logs(frame: pd.DataFrame, *, source: str = "<logs>") -> pd.DataFrame:
    """Validate a frame of canonical columns (strings or typed) and return typed logs.

    Line numbers in errors assume row 0 is line 2 of a CSV (line 1 is the header).
    """
    raw = _as_strings(frame)
    unknown = [c for c in raw.columns if c not in CANONICAL_COLUMNS + OPTIONAL_COLUMNS]
    if unknown:
        raise LogFormatError(1, unknown[0], "unknown column", source)
    missing = [c for c in CANONICAL_COLUMNS if c not in raw.columns]
    if missing:
        raise LogFormatError(1, missing[0], "required column missing", source)
    raw = raw.reset_index(drop=True)
    errors = _Errors(raw, source)

    out = pd.DataFrame(index=raw.index)
    out["patient_id"] = raw["patient_id"]
    errors.check(raw["patient_id"] == "", "patient_id", "patient_id is empty")
    out["date"] = _parse_dates(raw["date"], errors)

    for col in _NUMERIC_COLUMNS:
        if col in raw.columns:
            out[col] = _parse_numbers(raw[col], col, errors)
    for col in _FLAG_COLUMNS:
        if col in raw.columns:
            out[col] = _parse_flags(raw[col], col, errors)
    for col, vocab in (("modality", MODALITIES), ("treatment_phase", TREATMENT_PHASES)):
        if col in raw.columns:
            out[col] = raw[col]
            errors.check(
                (raw[col] != "") & ~raw[col].isin(vocab), col, f"must be one of {list(vocab)}"
            )
    out["rpe_scale"] = raw["rpe_scale"]
    errors.check(
        (raw["rpe_scale"] != "") & ~raw["rpe_scale"].isin(RPE_SCALES),
        "rpe_scale",
        f"must be one of {list(RPE_SCALES)}",
    )
    errors.raise_first()  # types are sound from here on; now the cross-field rules

    for col in _SCORE_COLUMNS:
        if col in out:
            errors.check(~out[col].between(0, 10) & out[col].notna(), col, "must be within 0-10")
    _check_session(out, raw, errors)
    errors.raise_first()

    dup = out.duplicated(["patient_id", "date"], keep="first")
    errors.check(dup.to_numpy(), "date", "duplicate row for this patient and date")
    errors.raise_first()

    cr10 = np.where(
        out["rpe_scale"] == "borg20", borg_to_cr10(out["session_rpe"]), out["session_rpe"]
    )
    out["session_rpe_raw"] = out["session_rpe"]
    out["session_rpe"] = cr10
    out["session_load"] = out["session_load"].fillna(out["session_minutes"] * out["session_rpe"])
    out["has_session"] = out["session_load"].notna()
    return out


def typed_logs(records: list[dict]) -> pd.DataFrame:
    """Typed logs from trusted in-process records (what ``parse_logs`` returns, without its
    string round trip and row-by-row checks).

    For data the service already validated when it was stored (the database), where a
    decision must be cheap; anything from outside (CSV, uploads) goes through ``parse_logs``.
    """
    columns = list(CANONICAL_COLUMNS) + [
        c for c in OPTIONAL_COLUMNS if any(c in r for r in records)
    ]
    frame = pd.DataFrame.from_records(records, columns=columns)
    out = pd.DataFrame(index=pd.RangeIndex(len(frame)))
    out["patient_id"] = frame["patient_id"].astype(str).to_numpy()
    out["date"] = (
        pd.to_datetime(frame["date"], format="%Y-%m-%d").astype("datetime64[ns]").to_numpy()
    )
    for col in _NUMERIC_COLUMNS:
        if col in frame.columns:
            out[col] = pd.to_numeric(frame[col], errors="raise").astype(float).to_numpy()
    for col in _FLAG_COLUMNS:
        if col in frame.columns:
            out[col] = (
                frame[col]
                .map(lambda v: np.nan if v is None or v != v else float(bool(v)))
                .astype(float)
                .to_numpy()
            )
    for col in ("modality", "treatment_phase"):
        if col in frame.columns:
            out[col] = frame[col].where(frame[col].notna(), "").astype(str).to_numpy()
    out["rpe_scale"] = (
        frame["rpe_scale"].where(frame["rpe_scale"].notna(), "").astype(str).to_numpy()
    )
    cr10 = np.where(
        out["rpe_scale"] == "borg20", borg_to_cr10(out["session_rpe"]), out["session_rpe"]
    )
    out["session_rpe_raw"] = out["session_rpe"]
    out["session_rpe"] = cr10
    out["session_load"] = out["session_load"].fillna(out["session_minutes"] * out["session_rpe"])
    out["has_session"] = out["session_load"].notna()
    return out


def write_logs(logs: pd.DataFrame, path: str | os.PathLike | IO[str]) -> None:
    """Write typed logs as canonical CSV (raw RPE with its scale; optional columns kept)."""
    cols = list(CANONICAL_COLUMNS) + [c for c in OPTIONAL_COLUMNS if c in logs.columns]
    out = logs[cols].copy()
    if "session_rpe_raw" in logs.columns:
        out["session_rpe"] = logs["session_rpe_raw"]
    out["date"] = pd.to_datetime(out["date"]).dt.strftime("%Y-%m-%d")
    for col in ("level", *[c for c in _FLAG_COLUMNS if c in out.columns]):
        out[col] = out[col].astype("Int64")
    out.to_csv(path, index=False, float_format="%.10g", lineterminator="\n")


def daily_grid(logs: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray]:
    """Expand logs to one row per patient per calendar day (first to last logged day).

    Returns ``(grid, pos)``: the grid sorted by patient and date with an ``observed`` flag
    (missing days have NaN numbers, "" text), and ``pos[i]`` = grid row of ``logs.iloc[i]``.
    Working on a gap-free grid turns every "last k days" window into a plain row window.
    """
    pid = logs["patient_id"].to_numpy()
    day = logs["date"].to_numpy().astype("datetime64[D]").astype(np.int64)
    codes, uniques = pd.factorize(pid, sort=True)
    first = np.full(len(uniques), np.iinfo(np.int64).max)
    last = np.full(len(uniques), np.iinfo(np.int64).min)
    np.minimum.at(first, codes, day)
    np.maximum.at(last, codes, day)
    length = last - first + 1
    offset = np.concatenate([[0], np.cumsum(length)[:-1]])
    total = int(length.sum())
    pos = offset[codes] + (day - first[codes])

    grid_codes = np.repeat(np.arange(len(uniques)), length)
    grid_day = first[grid_codes] + (np.arange(total) - offset[grid_codes])
    grid = pd.DataFrame(
        {
            "patient_id": uniques[grid_codes],
            "date": grid_day.astype("datetime64[D]").astype("datetime64[ns]"),
            "observed": np.zeros(total, dtype=bool),
        }
    )
    grid.loc[pos, "observed"] = True
    for col in logs.columns:
        if col in ("patient_id", "date"):
            continue
        values = logs[col].to_numpy()
        if values.dtype.kind in "fiub":
            full = np.full(total, np.nan if values.dtype.kind == "f" else 0, dtype=values.dtype)
        else:
            full = np.full(total, "", dtype=object)
        full[pos] = values
        grid[col] = full
    return grid, pos


# ---------- helpers ----------
class _Errors:
    """Collect vectorised checks; report the earliest offending line."""

    def __init__(self, raw: pd.DataFrame, source: str):
        self.raw, self.source = raw, source
        self.first: tuple[int, str, str] | None = None
        self.bad_rows = np.zeros(len(raw), dtype=bool)

    def check(self, mask, column: str, message: str) -> None:
        mask = np.asarray(mask, dtype=bool)
        if not mask.any():
            return
        self.bad_rows |= mask
        row = int(np.argmax(mask))
        if self.first is None or row < self.first[0]:
            self.first = (row, column, message)

    def raise_first(self) -> None:
        if self.first is None:
            return
        row, column, message = self.first
        value = self.raw[column].iloc[row] if column in self.raw.columns else ""
        more = int(self.bad_rows.sum()) - 1
        tail = f" ({more} more bad rows)" if more > 0 else ""
        raise LogFormatError(row + 2, column, f"{message} (got '{value}'){tail}", self.source)


def _as_strings(frame: pd.DataFrame) -> pd.DataFrame:
    """Stringify a typed or string frame so one validator serves CSV and in-memory input."""
    out = pd.DataFrame(index=frame.index)
    for col in frame.columns:
        s = frame[col]
        if pd.api.types.is_datetime64_any_dtype(s):
            text = s.dt.strftime("%Y-%m-%d")
        elif pd.api.types.is_bool_dtype(s):
            text = s.astype("Int64").astype(str)
        elif pd.api.types.is_numeric_dtype(s):
            text = s.astype(float).astype(str).where(s.notna(), "")
        else:
            text = s.astype(object).where(s.notna(), "").astype(str)
        out[str(col)] = text.fillna("").str.strip()
    return out


def _parse_dates(raw: pd.Series, errors: _Errors) -> pd.Series:
    ok_shape = raw.str.match(_DATE_RE).fillna(False).to_numpy(dtype=bool)
    dates = pd.to_datetime(raw.where(ok_shape), format="%Y-%m-%d", errors="coerce")
    errors.check(~ok_shape | dates.isna().to_numpy(), "date", "expected a date YYYY-MM-DD")
    return dates.astype("datetime64[ns]")


def _parse_numbers(raw: pd.Series, col: str, errors: _Errors) -> pd.Series:
    given = (raw != "").to_numpy()
    values = pd.to_numeric(raw.where(raw != ""), errors="coerce").astype(float)
    bad = given & ~np.isfinite(values.to_numpy())
    errors.check(bad, col, "expected a number")
    return values.where(~bad)


def _parse_flags(raw: pd.Series, col: str, errors: _Errors) -> pd.Series:
    low = raw.str.lower()
    values = pd.Series(np.nan, index=raw.index)
    values[low.isin(_TRUE)] = 1.0
    values[low.isin(_FALSE)] = 0.0
    errors.check((raw != "") & values.isna(), col, "expected 0/1 or true/false")
    return values


def _check_session(out: pd.DataFrame, raw: pd.DataFrame, errors: _Errors) -> None:
    minutes, rpe, load = out["session_minutes"], out["session_rpe"], out["session_load"]
    scale = out["rpe_scale"]
    errors.check(
        minutes.notna() & ~(minutes > 0) | (minutes > 24 * 60),
        "session_minutes",
        "must be > 0 and at most 1440",
    )
    errors.check(load < 0, "session_load", "must be >= 0")
    errors.check(rpe.notna() & (scale == ""), "rpe_scale", "required with session_rpe")
    for name, (lo, hi) in (("cr10", (0, 10)), ("borg20", (6, 20))):
        errors.check(
            (scale == name) & ~rpe.between(lo, hi) & rpe.notna(),
            "session_rpe",
            f"must be within {lo}-{hi} on the {name} scale",
        )
    has_load = load.notna() | (minutes.notna() & rpe.notna())
    errors.check(
        (minutes.notna() | rpe.notna()) & ~has_load,
        "session_load",
        "a session needs session_load, or both session_minutes and session_rpe",
    )
    expected = minutes * rpe
    errors.check(
        (scale == "cr10") & load.notna() & (abs(load - expected) > 0.5 + 0.01 * expected),
        "session_load",
        "differs from session_minutes x session_rpe",
    )
    for col in _SESSION_ONLY:
        if col in out.columns:
            given = (raw[col] != "").to_numpy()
            errors.check(given & ~has_load.to_numpy(), col, "must be empty on a rest day")
    errors.check(
        (out["completed"] == 1) & (out["stopped_early"] == 1),
        "stopped_early",
        "a session cannot be both completed and stopped early",
    )
    level = out["level"]
    errors.check(
        level.notna() & ((level < 1) | (level != level.round())),
        "level",
        "must be a whole number >= 1",
    )
    if "target_rpe" in out.columns:
        errors.check(
            ~out["target_rpe"].between(0, 10) & out["target_rpe"].notna(),
            "target_rpe",
            "must be within 0-10 (CR-10)",
        )
    if "planned_load" in out.columns:
        errors.check(out["planned_load"] < 0, "planned_load", "must be >= 0")
