"""Builders for hand-written test logs."""

from __future__ import annotations

import pandas as pd

from ml.dataio import parse_logs


def logs_from_rows(rows: list[dict]) -> pd.DataFrame:
    """Typed logs from a few hand-written rows (missing columns empty)."""
    frame = pd.DataFrame(rows)
    for col in (
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
    ):
        if col not in frame.columns:
            frame[col] = ""
    frame = frame.astype(object).where(frame.notna(), "")
    return parse_logs(frame)
