"""The Banister family of virtual patients: a hidden physiology the model never reads.

Per patient (``PatientParams``, drawn with between-patient variation):

* Banister fitness-fatigue impulse response on the session load normalised by the patient's
  starting capacity: fitness F (tau ~42 d) raises today's capacity, fatigue G (tau ~7 d)
  lowers it and raises reported fatigue;
* overreaching (a session above today's capacity) adds a *delayed* flare term, a gamma-shaped
  kernel d*e^(1-d) peaking the day after, to fatigue and pain;
* chemotherapy cycles: a fatigue bump A*(d/3)*e^(1-d/3) peaking 3 days after each infusion,
  also lowering capacity;
* day-to-day latent variation (AR(1)), noisy rounded 0-10 self-report, and check-ins and
  sessions that are more often missing on bad days.

Randomness is drawn per (seed, day) block, so a day's numbers do not depend on how many
calls came before; days must be visited in order (a morning never changes once seen).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from simulation.families.common import (
    TRUE_FLARE_POINTS,
    FamilyPatient,
    check_order,
    logit,
    normal,
    report,
    sigmoid,
)

_BLOCK = 64  # days of random numbers drawn at once
_DRAWS = 12  # random numbers per day (fixed slots, see _rand)
_FLARE_MEMORY = 10  # days a flare impulse can still matter (kernel ~ 0 after)
# Pain responds to the load differently by modality (water offloads joints, bands load them).
_PAIN_FACTOR = {"aquatic": 0.6, "resistance_band": 1.3, "walking_aerobic": 1.1}


@dataclass(frozen=True)
class PatientParams:
    """Hidden physiology of one virtual patient (loads in AU = minutes x CR-10)."""

    capacity: float = 100.0  # session load tolerated at the start
    k_fitness: float = 0.015  # capacity gained per unit of fitness
    k_fatigue: float = 0.030  # capacity lost per unit of Banister fatigue
    tau_fitness: float = 42.0
    tau_fatigue: float = 7.0
    base_fatigue: float = 3.0  # 0-10, the patient's usual morning fatigue
    base_pain: float = 2.0
    fatigue_gain: float = 0.6  # fatigue points per unit of Banister fatigue
    flare_gain: float = 5.0  # flare points per unit of overreach (load/capacity above 1)
    report_noise: float = 0.7
    day_noise: float = 0.6  # latent day-to-day variation (AR(1), rho 0.6)
    chemo_cycle: int | None = 21  # days between infusions; None = no chemotherapy
    chemo_offset: int = 0  # day of the first infusion
    chemo_bump: float = 2.0  # fatigue points 3 days after an infusion
    skip_base: float = 0.08  # P(skip a planned session) on an ordinary day
    missing_base: float = 0.08  # P(no check-in) on an ordinary day

    @classmethod
    def sample(cls, rng: np.random.Generator) -> PatientParams:
        """Draw a patient from the population (between-patient variation)."""
        on_chemo = rng.random() < 0.6
        cycle = int(rng.choice([14, 21, 28]))
        return cls(
            capacity=float(100 * rng.lognormal(0, 0.35)),
            k_fitness=float(0.015 * rng.lognormal(0, 0.3)),
            k_fatigue=float(0.030 * rng.lognormal(0, 0.3)),
            tau_fitness=float(rng.uniform(30, 50)),
            tau_fatigue=float(rng.uniform(5, 10)),
            base_fatigue=float(np.clip(rng.normal(3.0, 1.2), 0.5, 7)),
            base_pain=float(np.clip(rng.normal(2.0, 1.2), 0, 6)),
            fatigue_gain=float(0.6 * rng.lognormal(0, 0.3)),
            flare_gain=float(5.0 * rng.lognormal(0, 0.4)),
            report_noise=float(rng.uniform(0.4, 1.0)),
            day_noise=float(rng.uniform(0.3, 0.9)),
            chemo_cycle=cycle if on_chemo else None,
            chemo_offset=int(rng.integers(0, cycle)),
            chemo_bump=float(rng.uniform(1.0, 3.0)),
            skip_base=float(rng.uniform(0.03, 0.15)),
            missing_base=float(rng.uniform(0.03, 0.15)),
        )


@dataclass
class _Morning:
    fatigue: float  # true (latent) scores, before report noise
    pain: float
    capacity: float  # load tolerated today


class VirtualPatient(FamilyPatient):
    """One virtual patient; ``day`` is an integer day index (0 = start of the programme)."""

    def __init__(self, seed: int, params: PatientParams | None = None):
        self._seed = int(seed)
        self._p = params or PatientParams()
        self._day = -1  # last morning computed
        self._fitness = self._fatigue = self._latent = 0.0
        self._pending_load = 0.0  # today's normalised load, applied overnight
        self._flares: list[tuple[int, float]] = []  # (day, impulse)
        self._mornings: dict[int, _Morning] = {}
        self._blocks: dict[int, np.ndarray] = {}

    # ---------- what the app sees ----------
    def engaged(self, day: int) -> bool:
        """Still in the programme (this family never drops out)."""
        return True

    def checks_in(self, day: int) -> bool:
        """Whether the patient reports a check-in today (less likely on a bad day)."""
        m = self._morning(day)
        bad = m.fatigue - self._p.base_fatigue - 1.0
        return self._rand(day, 0) >= sigmoid(logit(self._p.missing_base) + 0.6 * bad)

    def morning_check_in(self, day: int) -> tuple[int, int]:
        """Reported (fatigue, pain) on 0-10, higher = worse."""
        m = self._morning(day)
        noise = self._p.report_noise
        return (
            report(m.fatigue + noise * self._normal(day, 1)),
            report(m.pain + noise * self._normal(day, 2)),
        )

    def _perform(self, day: int, planned_load: float, modality: str, target_rpe: float):
        """The session (``FamilyPatient.perform``). Its truth: the Banister fatigue impulse
        plus the flare term (whose kernel peaks the day after at its full size) reach
        ``TRUE_FLARE_POINTS`` of next-morning fatigue (pain gets 0.8 of the flare only)."""
        p = self._p
        m = self._morning(day)
        bad = m.fatigue - p.base_fatigue - 1.0
        if self._rand(day, 3) < sigmoid(logit(p.skip_base) + 0.7 * bad):
            return None
        ratio = planned_load / m.capacity
        stopped = self._rand(day, 4) < sigmoid(5.0 * (ratio - 1.6) + 0.3 * bad)
        done = 0.3 + 0.5 * self._rand(day, 5) if stopped else 1.0
        minutes = planned_load / target_rpe * done
        rpe = (
            target_rpe * ratio**0.6
            + 0.25 * (m.fatigue - p.base_fatigue)
            + 0.7 * self._normal(day, 6)
        )
        rpe = float(np.clip(round(rpe), 0, 10))

        overreach = max(0.0, ratio * done - 1.0)
        if overreach > 0:
            self._flares.append((day, p.flare_gain * overreach))
        impulse = planned_load * done / p.capacity
        self._pending_load += impulse
        acute = 2.0 * overreach + 0.4 * max(0.0, ratio - 0.8)
        pain_factor = _PAIN_FACTOR.get(modality, 1.0)
        fatigue, pain = self.morning_check_in(day)
        noise = p.report_noise
        return {
            "minutes": round(minutes, 1),
            "session_rpe": rpe,
            "completed": not stopped,
            "stopped_early": stopped,
            "fatigue_after": report(fatigue + acute + noise * self._normal(day, 7)),
            "pain_after": report(pain + pain_factor * acute + noise * self._normal(day, 8)),
            "true_flare": bool(
                stopped
                or p.fatigue_gain * impulse + p.flare_gain * overreach >= TRUE_FLARE_POINTS
            ),
        }

    # ---------- hidden physiology ----------
    def _morning(self, day: int) -> _Morning:
        if day in self._mornings:
            return self._mornings[day]
        check_order(day, self._day)
        p = self._p
        while self._day < day:  # advance overnight, one day at a time
            self._day += 1
            self._fitness = self._fitness * math.exp(-1 / p.tau_fitness) + self._pending_load
            self._fatigue = self._fatigue * math.exp(-1 / p.tau_fatigue) + self._pending_load
            self._pending_load = 0.0
            self._latent = 0.6 * self._latent + 0.8 * p.day_noise * self._normal(self._day, 9)
        flare = sum(
            size * (day - d) * math.exp(1 - (day - d)) for d, size in self._flares if day > d
        )
        self._flares = [(d, s) for d, s in self._flares if day - d < _FLARE_MEMORY]
        chemo = self._chemo(day)
        fatigue = p.base_fatigue + p.fatigue_gain * self._fatigue + chemo + flare + self._latent
        pain = p.base_pain + 0.8 * flare + 0.3 * chemo + 0.5 * self._latent
        fitness_factor = 1 + p.k_fitness * self._fitness - p.k_fatigue * self._fatigue
        capacity = p.capacity * max(0.3, fitness_factor - 0.08 * chemo - 0.05 * flare)
        morning = _Morning(fatigue, pain, capacity)
        self._mornings[day] = morning
        return morning

    def _chemo(self, day: int) -> float:
        cycle = self._p.chemo_cycle
        if cycle is None or day < self._p.chemo_offset:
            return 0.0
        d = (day - self._p.chemo_offset) % cycle
        return self._p.chemo_bump * (d / 3) * math.exp(1 - d / 3)

    def _draws(self, day: int) -> np.ndarray:
        block = day // _BLOCK
        if block not in self._blocks:
            rng = np.random.default_rng([self._seed, block])
            self._blocks = {block: rng.random((_BLOCK, _DRAWS))}  # keep one block
        return self._blocks[block][day % _BLOCK]

    def _rand(self, day: int, slot: int) -> float:
        return float(self._draws(day)[slot])

    def _normal(self, day: int, slot: int) -> float:
        return normal(self._rand(day, slot))
