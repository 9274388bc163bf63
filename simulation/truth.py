"""How well a flare label finds the simulator's true flares (precision, recall, by rule)."""

from __future__ import annotations

import pandas as pd

from ml.labels import RULES, LabelConfig, flare_rules


def label_quality(logs: pd.DataFrame, config: LabelConfig | None = None) -> dict:
    """Counts, precision and recall of the label against ``true_flare`` on logged sessions.

    Scored on sessions whose label is known (a session with no next-day check-in has no
    label, and the model never trains on it); ``unknown`` counts the others. ``false_by_rule``
    says which rule fired on the false flares (a session can fire several).
    """
    rules = flare_rules(logs, config)
    sessions = logs["has_session"].to_numpy(dtype=bool) & logs["true_flare"].notna().to_numpy()
    rules, truth = rules[sessions], logs.loc[sessions, "true_flare"] == 1
    known = rules["label"].notna()
    flagged = known & (rules["label"] == 1)
    tp = int((flagged & truth).sum())
    fp = int((flagged & ~truth).sum())
    fn = int((known & (rules["label"] == 0) & truth).sum())
    return {
        "sessions": int(sessions.sum()),
        "unknown": int((~known).sum()),
        "true_flares": int((known & truth).sum()),
        "flagged": int(flagged.sum()),
        "tp": tp,
        "fp": fp,
        "fn": fn,
        "false_by_rule": {r: int((flagged & ~truth & rules[r]).sum()) for r in RULES},
    }


def pooled(parts: list[dict]) -> dict:
    """Counts summed over runs, with precision and recall of the pool."""
    total = {
        k: sum(p[k] for p in parts)
        for k in ("sessions", "unknown", "true_flares", "flagged", "tp", "fp", "fn")
    }
    total["false_by_rule"] = {r: sum(p["false_by_rule"][r] for p in parts) for r in RULES}
    total["precision"] = total["tp"] / total["flagged"] if total["flagged"] else float("nan")
    found = total["tp"] + total["fn"]
    total["recall"] = total["tp"] / found if found else float("nan")
    return total
