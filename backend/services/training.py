"""The only bridge from the service layer to ml/."""

from __future__ import annotations

from ml.dataio import borg_to_cr10


def cr10(rpe: float, scale: str) -> float:
    """Effort on the CR-10 scale (Borg 6-20 mapped by ml.dataio's documented convention)."""
    if scale == "cr10":
        return float(rpe)
    return float(borg_to_cr10([rpe])[0])
