"""What every family of virtual patients shares: the truth threshold and small helpers."""

from __future__ import annotations

import math

import numpy as np

# A session is truly not tolerated when it was stopped early or its own delayed response adds
# at least this much to the next morning's fatigue or pain: 1 point on 0-10 is the minimal
# clinically important difference of ESAS fatigue and pain (Hui et al. 2015; docs/simulation.md).
TRUE_FLARE_POINTS = 1.0


def report(x: float) -> int:
    """A latent score as the patient reports it: rounded, on 0-10."""
    return int(np.clip(round(x), 0, 10))


def sigmoid(x: float) -> float:
    return 1 / (1 + math.exp(-x))


def logit(p: float) -> float:
    return math.log(p / (1 - p))
