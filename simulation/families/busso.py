"""The Busso family of virtual patients: a second physiology, written apart from Banister's.

Per patient (``PatientParams``, ranges justified in docs/simulation.md), with the session's
load normalised by the starting capacity (w = load done / ``capacity``):

* **Busso's variable dose-response** (Busso 2003): fitness g1 (tau1, weeks) raises capacity
  with the chronic load; the fatigue gain k2 is not constant but grows with the recent load,
  k2(i) = k3 * sum_j<=i w(j) e^-(i-j)/tau3, and fatigue g2 = sum k2(i) w(i) e^-(n-i)/tau2
  lowers capacity and raises morning fatigue; doubling the load more than doubles fatigue;
* **a delayed fatigue term**: a session above the day's capacity adds a response with a
  Bateman (two-exponential) time course, rising over hours and decaying over days, to
  fatigue and pain (peak about a day after, still felt two or three days later);
* **normal post-exercise tiredness**: right after every session fatigue (and a little pain)
  is up by the patient's own usual amount, scaled by the effort; it is gone by the next
  morning (it never enters the latent state);
* **chemotherapy**: cycles of 14, 21 or 28 days; a log-normal-shaped fatigue bump peaking 2-5
  days after each infusion, a little larger every cycle, lowering capacity too, and training
  adapts less while on treatment;
* **under-reporting**: some patients report only a fraction of how far their symptoms are
  from their usual (morning and after the session alike);
* **disengagement**: the morning after a flare, a patient who had others in the three weeks
  before may drop out for good (no check-ins, no sessions), beside a small background
  attrition;
* AR(1) day-to-day variation, noisy rounded 0-10 reports, check-ins and sessions missed more
  often on bad days.

The hidden truth of a session (``true_flare``): stopped early, or its own response (its
Busso fatigue impulse plus its delayed term) adds at least ``TRUE_FLARE_POINTS`` to the next
morning's fatigue or pain. Randomness is drawn per (seed, day), so a day's numbers never
depend on how many calls came before; days must be visited in order.
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

_DRAWS = 16  # random numbers per day (fixed slots)
_DELAY_MEMORY = 14  # days a delayed response can still matter
_FLARE_WINDOW = 21  # days over which repeated flares wear a patient down
# Pain under load by modality: water offloads joints, bands load them [derived].
_PAIN_FACTOR = {"aquatic": 0.5, "resistance_band": 1.4, "walking_aerobic": 1.1, "balance": 0.8}


@dataclass(frozen=True)
class PatientParams:
    """Hidden physiology of one virtual patient (loads in AU = minutes x CR-10)."""

    capacity: float = 90.0  # session load tolerated at the start
    k1: float = 0.012  # capacity gained per unit of fitness (chronic load)
    k3: float = 0.015  # growth of the fatigue gain with the recent load
    tau1: float = 45.0
    tau2: float = 8.0
    tau3: float = 4.0
    fatigue_per_g2: float = 4.0  # morning fatigue points per unit of Busso fatigue
    delay_gain: float = 6.0  # delayed fatigue points per unit of overload, at its peak
    delay_pain: float = 0.7  # pain's share of the delayed response
    delay_rise: float = 0.5  # Bateman time constants (days): rise, then decay
    delay_decay: float = 2.5
    usual_tiredness: float = 1.5  # fatigue points right after an ordinary session
    usual_soreness: float = 0.5  # pain points right after an ordinary session
    base_fatigue: float = 3.0
    base_pain: float = 1.5
    report_noise: float = 0.6
    day_noise: float = 0.5
    day_rho: float = 0.65
    report_scale: float = 1.0  # < 1: an under-reporter (shows that share of a deviation)
    chemo_cycle: int | None = 21
    chemo_offset: int = 0
    chemo_bump: float = 2.0  # fatigue points at the first cycle's peak
    chemo_peak: float = 3.0  # days after infusion
    chemo_growth: float = 0.05  # bump grows by this share each cycle
    chemo_adaptation: float = 0.7  # share of the fitness gain kept while on treatment
    miss_base: float = 0.08
    skip_base: float = 0.08
    attrition: float = 0.001  # P(drop out) on any day
    flare_dropout: float = 0.07  # P(drop out) the day after a flare, per earlier one in 3 weeks

    @classmethod
    def sample(cls, rng: np.random.Generator) -> PatientParams:
        """Draw a patient from the population (docs/simulation.md, "Busso family")."""
        on_chemo = rng.random() < 0.55
        cycle = int(rng.choice([14, 21, 28], p=[0.3, 0.5, 0.2]))
        under = rng.random() < 0.2
        return cls(
            capacity=float(90 * rng.lognormal(0, 0.4)),
            k1=float(0.012 * rng.lognormal(0, 0.35)),
            k3=float(0.015 * rng.lognormal(0, 0.4)),
            tau1=float(rng.uniform(30, 60)),
            tau2=float(rng.uniform(4, 12)),
            tau3=float(rng.uniform(2, 6)),
            fatigue_per_g2=float(rng.uniform(2.5, 5.5)),
            delay_gain=float(6.0 * rng.lognormal(0, 0.4)),
            delay_pain=float(rng.uniform(0.4, 1.0)),
            delay_rise=float(rng.uniform(0.3, 0.8)),
            delay_decay=float(rng.uniform(1.5, 3.5)),
            usual_tiredness=float(rng.uniform(0.5, 3.0)),
            usual_soreness=float(rng.uniform(0.0, 1.5)),
            base_fatigue=float(np.clip(rng.normal(3.0, 1.3), 0.5, 7)),
            base_pain=float(np.clip(rng.normal(1.5, 1.2), 0, 6)),
            report_noise=float(rng.uniform(0.3, 0.9)),
            day_noise=float(rng.uniform(0.3, 0.8)),
            day_rho=float(rng.uniform(0.5, 0.8)),
            report_scale=float(rng.uniform(0.4, 0.7)) if under else 1.0,
            chemo_cycle=cycle if on_chemo else None,
            chemo_offset=int(rng.integers(0, cycle)),
            chemo_bump=float(rng.uniform(1.0, 3.5)),
            chemo_peak=float(rng.uniform(2, 5)),
            chemo_growth=float(rng.uniform(0.0, 0.1)),
            chemo_adaptation=float(rng.uniform(0.4, 1.0)),
            miss_base=float(rng.uniform(0.03, 0.15)),
            skip_base=float(rng.uniform(0.03, 0.15)),
            attrition=float(rng.uniform(0.0005, 0.0015)),
            flare_dropout=float(rng.uniform(0.03, 0.12)),
        )


@dataclass
class _Morning:
    fatigue: float  # true (latent) scores, before report
    pain: float
    capacity: float  # load tolerated today
    engaged: bool


class VirtualPatient(FamilyPatient):
    """One virtual patient; ``day`` is an integer day index (0 = start of the programme)."""

    def __init__(self, seed: int, params: PatientParams | None = None):
        self._seed = int(seed)
        self._p = params or PatientParams()
        self._day = -1  # last morning computed
        self._g1 = self._g2 = self._h3 = self._latent = 0.0
        self._pending = 0.0  # today's normalised load, applied overnight
        self._delayed: list[tuple[int, float]] = []  # (day, overload impulse)
        self._flare_days: list[int] = []  # days of true flares (felt by the patient)
        self._dropped = False
        self._mornings: dict[int, _Morning] = {}
        self._draws: tuple[int, np.ndarray] = (-1, np.empty(0))
        self._peak = self._bateman_peak()

    # ---------- what the app sees ----------
    def engaged(self, day: int) -> bool:
        """Still in the programme on this day (False for good after a drop-out)."""
        return self._morning(day).engaged

    def checks_in(self, day: int) -> bool:
        """Whether the patient reports a check-in today (less likely on a bad day)."""
        m = self._morning(day)
        if not m.engaged:
            return False
        bad = m.fatigue - self._p.base_fatigue - 1.0
        return self._rand(day, 0) >= sigmoid(logit(self._p.miss_base) + 0.5 * bad)

    def morning_check_in(self, day: int) -> tuple[int, int]:
        """Reported (fatigue, pain) on 0-10, higher = worse."""
        m = self._morning(day)
        return self._report(m.fatigue, m.pain, day, 1)

    def _perform(self, day: int, planned_load: float, modality: str, target_rpe: float):
        """The session (``FamilyPatient.perform``)."""
        p = self._p
        m = self._morning(day)
        if not m.engaged:
            return None
        bad = m.fatigue - p.base_fatigue - 1.0
        if self._rand(day, 3) < sigmoid(logit(p.skip_base) + 0.6 * bad):
            return None
        ratio = planned_load / m.capacity
        stopped = self._rand(day, 4) < sigmoid(8.0 * (ratio - 1.6) + 0.3 * bad)
        done = 0.3 + 0.5 * self._rand(day, 5) if stopped else 1.0
        w = planned_load * done / p.capacity
        overload = max(0.0, ratio * done - 1.0)
        # Busso: this session's own fatigue gain includes its own load (sum over j <= i).
        k2 = p.k3 * (self._h3 * math.exp(-1 / p.tau3) + w)  # h3 holds loads up to yesterday
        next_fatigue = p.fatigue_per_g2 * k2 * w + p.delay_gain * overload * self._kernel(1)
        next_pain = 0.5 * p.fatigue_per_g2 * k2 * w
        next_pain += p.delay_gain * p.delay_pain * overload * self._kernel(1)
        true_flare = stopped or max(next_fatigue, next_pain) >= TRUE_FLARE_POINTS
        self._pending += w
        if overload > 0:
            self._delayed.append((day, overload))
        if true_flare:
            self._flare_days.append(day)

        effort = min(ratio, 2.0) ** 0.7
        pain_factor = _PAIN_FACTOR.get(modality, 1.0)
        after_f = m.fatigue + p.usual_tiredness * effort + 2.0 * overload
        after_p = m.pain + p.usual_soreness * effort * pain_factor + 1.5 * overload * pain_factor
        fatigue_after, pain_after = self._report(after_f, after_p, day, 7)
        rpe = target_rpe * ratio**0.5 + 0.2 * (m.fatigue - p.base_fatigue)
        rpe += 0.6 * self._normal(day, 6)
        return {
            "minutes": round(planned_load / target_rpe * done, 1),
            "session_rpe": float(np.clip(round(rpe), 0, 10)),
            "completed": not stopped,
            "stopped_early": stopped,
            "fatigue_after": fatigue_after,
            "pain_after": pain_after,
            "true_flare": bool(true_flare),
        }

    # ---------- hidden physiology ----------
    def _report(self, fatigue: float, pain: float, day: int, slot: int) -> tuple[int, int]:
        """What the patient says: an under-reporter shows only part of a deviation."""
        p = self._p
        shown_f = p.base_fatigue + p.report_scale * (fatigue - p.base_fatigue)
        shown_p = p.base_pain + p.report_scale * (pain - p.base_pain)
        return (
            report(shown_f + p.report_noise * self._normal(day, slot)),
            report(shown_p + p.report_noise * self._normal(day, slot + 1)),
        )

    def _morning(self, day: int) -> _Morning:
        if day in self._mornings:
            return self._mornings[day]
        check_order(day, self._day)
        p = self._p
        while self._day < day:  # overnight, one day at a time
            self._day += 1
            self._overnight()
        d = self._day
        delayed = sum(size * self._kernel(d - s) for s, size in self._delayed if d > s)
        self._delayed = [(s, x) for s, x in self._delayed if d - s < _DELAY_MEMORY]
        chemo = self._chemo(d)
        delayed_f = p.delay_gain * delayed
        fatigue = p.base_fatigue + p.fatigue_per_g2 * self._g2 + delayed_f + chemo + self._latent
        pain = (
            p.base_pain
            + 0.5 * p.fatigue_per_g2 * self._g2
            + p.delay_pain * delayed_f
            + 0.25 * chemo
            + 0.5 * self._latent
        )
        fitness = p.k1 * self._g1
        capacity = p.capacity * max(
            0.3, 1 + fitness - self._g2 - 0.07 * chemo - 0.04 * delayed_f
        )
        morning = _Morning(fatigue, pain, capacity, not self._dropped)
        self._mornings[d] = morning
        return morning

    def _overnight(self) -> None:
        """Advance the state to the next morning: Busso's filters, noise and drop-out."""
        p, d, w = self._p, self._day, self._pending
        self._h3 = self._h3 * math.exp(-1 / p.tau3) + w
        k2 = p.k3 * self._h3
        on_treatment = p.chemo_cycle is not None and d >= p.chemo_offset
        gain = p.chemo_adaptation if on_treatment else 1.0
        self._g1 = self._g1 * math.exp(-1 / p.tau1) + gain * w
        self._g2 = self._g2 * math.exp(-1 / p.tau2) + k2 * w
        self._pending = 0.0
        self._latent = p.day_rho * self._latent + p.day_noise * self._normal(d, 9)
        if not self._dropped:
            hazard = p.attrition
            if self._flare_days and self._flare_days[-1] == d - 1:  # the morning after a flare
                recent = sum(1 for f in self._flare_days if d - 1 - f <= _FLARE_WINDOW)
                hazard += p.flare_dropout * (recent - 1)
            self._dropped = self._rand(d, 10) < hazard

    def _kernel(self, t: float) -> float:
        """Bateman time course of the delayed response, 1 at its peak."""
        p = self._p
        if t <= 0:
            return 0.0
        return (math.exp(-t / p.delay_decay) - math.exp(-t / p.delay_rise)) / self._peak

    def _bateman_peak(self) -> float:
        a, b = self._p.delay_rise, self._p.delay_decay
        t = math.log(b / a) * a * b / (b - a)
        return math.exp(-t / b) - math.exp(-t / a)

    def _chemo(self, day: int) -> float:
        p = self._p
        if p.chemo_cycle is None or day < p.chemo_offset:
            return 0.0
        since, cycle = (day - p.chemo_offset) % p.chemo_cycle, (day - p.chemo_offset) // p.chemo_cycle
        shape = math.exp(-(math.log((since + 0.5) / p.chemo_peak) ** 2) / (2 * 0.5**2))
        return p.chemo_bump * (1 + p.chemo_growth * cycle) * shape

    def _rand(self, day: int, slot: int) -> float:
        if self._draws[0] != day:
            self._draws = (day, np.random.default_rng([self._seed, day]).random(_DRAWS))
        return float(self._draws[1][slot])

    def _normal(self, day: int, slot: int) -> float:
        return normal(self._rand(day, slot))
