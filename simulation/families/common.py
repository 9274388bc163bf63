"""What every family of virtual patients shares: the truth threshold and small helpers."""

from __future__ import annotations

import math
from statistics import NormalDist

import numpy as np

_NORMAL = NormalDist()

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


def normal(u: float) -> float:
    """A standard normal draw from a uniform one (clipped off 0 and 1)."""
    return _NORMAL.inv_cdf(min(max(u, 1e-12), 1 - 1e-12))


def check_order(day: int, last: int) -> None:
    """Mornings are computed forwards only: a day once seen never changes."""
    if day < last:
        raise ValueError(f"day {day} is before day {last}: visit days in order")


class FamilyPatient:
    """What every family's ``VirtualPatient`` shares: the calendar, the public ``perform``
    (checked, then the family's ``_perform``), and a ``repr`` that hides the parameters."""

    _seed: int
    _p: object  # the family's PatientParams (chemo_cycle, chemo_offset)

    def __repr__(self) -> str:  # hidden parameters stay hidden, even in logs
        return f"{type(self).__module__.rsplit('.', 1)[-1]}.VirtualPatient(seed={self._seed})"

    def infusion_on(self, day: int) -> bool:
        """True on a chemotherapy infusion day (known to the app from the treatment calendar)."""
        cycle, offset = self._p.chemo_cycle, self._p.chemo_offset
        return cycle is not None and day >= offset and (day - offset) % cycle == 0

    def perform(
        self,
        day: int,
        planned_load: float,
        level: int,
        modality: str,
        *,
        target_rpe: float = 4.0,
    ) -> dict | None:
        """Do (or skip) a planned session; return its log, or None when skipped.

        The log has ``minutes``, ``session_rpe`` (CR-10), ``completed``, ``stopped_early``,
        ``fatigue_after``, ``pain_after`` and the hidden truth ``true_flare`` (never sent to
        the service): stopped early, or the session's own response adds at least
        ``TRUE_FLARE_POINTS`` to the next morning's fatigue or pain.
        """
        if planned_load <= 0:
            raise ValueError("planned_load must be > 0")
        return self._perform(day, planned_load, modality, target_rpe)

    def _perform(self, day: int, planned_load: float, modality: str, target_rpe: float):
        raise NotImplementedError
