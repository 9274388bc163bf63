"""A level means a dose: the shipped library's levels serve even, climbing loads up to FITT."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from backend.catalog import DEFAULT_CONTENT_ROOT, load_catalog
from backend.domain.planner import plan_session
from backend.domain.records import ModalityRange, PatientProfile, Prescription, Verdict
from backend.domain.safety import SafetyVerdict
from backend.domain.vocabulary import BAND_COLOURS, MAX_LEVEL, MIN_LEVEL, MODALITIES

CATALOG = load_catalog(DEFAULT_CONTENT_ROOT)
PROFILE = PatientProfile("other", bands_owned=BAND_COLOURS, pool_access=True)
START = date(2025, 1, 6)
TOLERANCE = 0.15


def rotation_days(modality: str) -> int:
    """Enough days for the exercise rotation to bring every main exercise round."""
    mains = [e for e in CATALOG.exercises.values() if e.modality == modality and "main" in e.roles]
    return max(len(mains), 7)


def one_modality_session(modality: str, level: int, on: date, verdict=None):
    return plan_session(
        on=on,
        prescription=Prescription((ModalityRange(modality, MIN_LEVEL, MAX_LEVEL, None, 7),)),
        verdict=verdict or Verdict("green"),
        levels={modality: level},
        week=(),
        catalog=CATALOG,
        profile=PROFILE,
    )


def served_main_load(modality: str, level: int, on: date, partner: str | None = None) -> float:
    """The modality's main work on a green day, alone or beside another modality."""
    ranges = [ModalityRange(modality, MIN_LEVEL, MAX_LEVEL, None, 7)]
    levels = {modality: level}
    if partner:
        ranges.append(ModalityRange(partner, MIN_LEVEL, MAX_LEVEL, None, 7))
        levels[partner] = 3
    session = plan_session(
        on=on,
        prescription=Prescription(tuple(ranges)),
        verdict=Verdict("green"),
        levels=levels,
        week=(),
        catalog=CATALOG,
        profile=PROFILE,
    )
    assert modality in session.modalities
    return sum(
        b.dose.nominal_load for b in session.blocks if b.part == "main" and b.modality == modality
    )


def test_every_modality_has_a_dose_ladder() -> None:
    assert set(CATALOG.ladders) == set(MODALITIES)


@pytest.mark.parametrize("modality", MODALITIES)
def test_a_level_serves_its_dose_on_every_rotation_day_and_climbs(modality: str) -> None:
    ladder = CATALOG.ladders[modality]
    partner = "mobility" if modality != "mobility" else "balance"
    previous_max = 0.0
    for level in range(MIN_LEVEL, MAX_LEVEL + 1):
        target = ladder.load_at(level)
        days = [START + timedelta(days=d) for d in range(rotation_days(modality))]
        served = [served_main_load(modality, level, on) for on in days]
        served += [served_main_load(modality, level, on, partner) for on in days]
        for load in served:
            assert abs(load - target) <= TOLERANCE * target, (modality, level, load, target)
        assert min(served) > previous_max, (modality, level, "not above the level below")
        previous_max = max(served)


@pytest.mark.parametrize("modality", MODALITIES)
def test_the_one_modality_session_is_even_across_the_rotation(modality: str) -> None:
    # Warm-up and cool-down included: the whole session is the dose the patient feels.
    for level in (MIN_LEVEL, 4, MAX_LEVEL):
        days = [START + timedelta(days=d) for d in range(rotation_days(modality))]
        loads = [one_modality_session(modality, level, on).planned_load for on in days]
        mean = sum(loads) / len(loads)
        assert max(abs(x - mean) for x in loads) <= TOLERANCE * mean, (modality, level, loads)


@pytest.mark.parametrize("modality", MODALITIES)
def test_the_top_level_reaches_the_fitt_target(modality: str) -> None:
    # Served, not just written: on every rotation day the top level's main work, at the
    # target's sessions a week, is at least the target effort and reaches the target's
    # weekly dose (minutes at that effort; harder minutes count for more, as the guidelines'
    # 150 moderate = 75 vigorous minutes do).
    fitt = CATALOG.ladders[modality].fitt
    standard = {m.modality: m for m in CATALOG.programmes["standard"].modalities}[modality]
    assert fitt.sessions_per_week <= max(standard.sessions_per_week_max, 3)
    for d in range(rotation_days(modality)):
        session = one_modality_session(modality, MAX_LEVEL, START + timedelta(days=d))
        mains = [b for b in session.blocks if b.part == "main"]
        load = sum(b.dose.nominal_load for b in mains)
        effort = load / sum(b.dose.minutes or 0 for b in mains)
        assert effort >= fitt.min_rpe, (modality, effort)
        assert load * fitt.sessions_per_week >= fitt.minutes_per_week * fitt.min_rpe, modality
    if modality == "walking_aerobic":  # the guideline itself: 150 min/week moderate
        assert fitt.minutes_per_week >= 150 and fitt.min_rpe >= 3
    if modality == "resistance_band":  # 2-3 sessions a week, at least moderate
        assert 2 <= fitt.sessions_per_week <= 3 and fitt.min_rpe >= 3


def test_safety_caps_still_cut_the_levels_dose() -> None:
    # An effort cap lowers the ladder step; the level's scaling never lifts it back up.
    for d in range(rotation_days("walking_aerobic")):
        on = START + timedelta(days=d)

        def load(verdict, on=on) -> float:
            return one_modality_session("walking_aerobic", 6, on, verdict).planned_load

        green = load(Verdict("green"))
        assert load(SafetyVerdict("green", max_target_rpe=2.0)) < green
        assert load(SafetyVerdict("green", max_minutes=15.0)) < green
        assert load(SafetyVerdict("amber")) <= 0.7 * green + 1e-9
