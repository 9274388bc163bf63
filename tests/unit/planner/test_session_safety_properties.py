"""Property tests: whatever the patient's state, the served session respects the safety rules.

These run the REAL safety evaluator with the REAL rules (content/safety/rules.yaml) and the
REAL exercise library (content/exercises), over random profiles, labs, treatment calendars,
check-ins, prescriptions and weeks.

"Amber is lighter" is read this way: exclusions are safety, amber is the lightening. The
green session to compare against is planned from the same inputs with a plain green
`Verdict` that carries the same exclusions (tags, exercises, modalities) but no reasons,
caps or seated preference. The amber session must then have a strictly lower planned load
(sum of minutes x CR-10 target). The planner also promises the stricter reading where the
green day keeps today's caps and seated flag (a green `SafetyVerdict`), so that is checked
too. Both only apply when the green day serves something: a rest day has nothing to lighten.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from functools import cache

from hypothesis import HealthCheck, assume, event, given, note, settings
from hypothesis import strategies as st

from backend.catalog import DEFAULT_CONTENT_ROOT, load_catalog
from backend.catalog.rules import load_rules
from backend.domain.planner import WeekEntry, plan_session
from backend.domain.records import (
    Baseline,
    Catalog,
    CheckIn,
    DailySession,
    LabResult,
    Lesion,
    ModalityRange,
    PatientProfile,
    Prescription,
    TreatmentCalendar,
    Verdict,
)
from backend.domain.safety import RuleSet, evaluate, red_flag_codes
from backend.domain.vocabulary import (
    BAND_COLOURS,
    CLEARANCES,
    LESION_SITES,
    MAX_LEVEL,
    MIN_LEVEL,
    MODALITIES,
    PRECAUTIONS,
)

PROPERTY_SETTINGS = settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


@cache
def real_catalog() -> Catalog:
    return load_catalog(DEFAULT_CONTENT_ROOT)


@cache
def real_rules() -> RuleSet:
    return load_rules()


# ---------- strategies ----------
days = st.dates(min_value=date(2025, 1, 1), max_value=date(2026, 12, 31))


@st.composite
def lesions(draw: st.DrawFn) -> Lesion:
    return Lesion(
        site=draw(st.sampled_from(LESION_SITES)),
        side=draw(st.sampled_from([None, "left", "right"])),
        mirels=draw(st.none() | st.integers(4, 12)),
        sins=draw(st.none() | st.integers(0, 18)),
        cleared_by_clinician=draw(st.booleans()),
    )


def _standing_red_precautions() -> frozenset[str]:
    """Precautions that are red whatever else is true (absolute contraindications)."""
    rules = real_rules()
    return frozenset().union(
        *(
            s.precautions
            for s in rules.situations
            if s.rule.severity == "red" and not s.rule.unless_cleared
        )
    )


@st.composite
def profiles(draw: st.DrawFn, today: date, *, calm: bool = False) -> PatientProfile:
    """`calm`: cleared for the programme and free of absolute contraindications."""
    allowed = sorted(set(PRECAUTIONS) - _standing_red_precautions()) if calm else PRECAUTIONS
    given_clearances = draw(st.frozensets(st.sampled_from(CLEARANCES)))
    return PatientProfile(
        cancer_type=draw(st.sampled_from(["breast", "prostate", "lung", "colorectal", "myeloma"])),
        lesions=tuple(draw(st.lists(lesions(), max_size=3))),
        precautions=draw(st.frozensets(st.sampled_from(allowed), max_size=3)),
        clearances=frozenset(CLEARANCES) if calm else given_clearances,
        surgery_date=draw(st.none() | st.just(today - timedelta(days=draw(st.integers(0, 120))))),
        bands_owned=tuple(draw(st.lists(st.sampled_from(BAND_COLOURS), max_size=4, unique=True))),
        pool_access=draw(st.booleans()),
        allow_walking_with_pelvic_lesion=draw(st.booleans()),
    )


# Realistic ranges that straddle the rule thresholds, rather than the whole possible range.
LAB_VALUES = {
    "platelets": st.floats(5, 400),
    "haemoglobin": st.floats(5, 16),
    "neutrophils": st.floats(0.1, 8),
    "wbc": st.floats(0.5, 12),
}


@st.composite
def labs(draw: st.DrawFn, today: date) -> list[LabResult]:
    names = draw(st.lists(st.sampled_from(sorted(LAB_VALUES)), max_size=4))
    return [
        LabResult(
            name=name,
            value=draw(LAB_VALUES[name]),
            taken_on=today - timedelta(days=draw(st.integers(0, 30))),
        )
        for name in names
    ]


@st.composite
def calendars(draw: st.DrawFn, today: date) -> TreatmentCalendar:
    offsets = draw(st.lists(st.integers(-20, 3), max_size=3, unique=True))
    windows = []
    for start in draw(st.lists(st.integers(-30, 3), max_size=2)):
        length = draw(st.integers(0, 20))
        windows.append((today + timedelta(days=start), today + timedelta(days=start + length)))
    return TreatmentCalendar(
        infusions=tuple(today + timedelta(days=o) for o in offsets), radiotherapy=tuple(windows)
    )


@st.composite
def check_ins(draw: st.DrawFn, today: date, *, calm: bool = False) -> CheckIn | None:
    """A morning check-in; `calm` leaves out what always gives red (red flags, fever...)."""
    if not calm and draw(st.booleans()):
        return None
    codes = sorted(red_flag_codes(real_rules()))
    no_symptoms = st.just(frozenset())
    symptoms = st.frozensets(st.sampled_from(codes), min_size=1, max_size=2)
    return CheckIn(
        on=today,
        fatigue=draw(st.integers(0, 8 if calm else 10)),
        pain=draw(st.integers(0, 8 if calm else 10)),
        sleep_quality=draw(st.none() | st.integers(0, 10)),
        symptoms=draw(no_symptoms if calm else no_symptoms | symptoms),
        temperature_c=draw(st.none() | st.floats(35.5, 37.5 if calm else 39.5)),
        pain_at_lesion=False if calm else draw(st.booleans()),
    )


@st.composite
def baselines(draw: st.DrawFn) -> Baseline:
    return Baseline(
        fatigue=draw(st.none() | st.floats(0, 10)),
        pain=draw(st.none() | st.floats(0, 10)),
        last_session_rpe_over_target=draw(st.none() | st.floats(-2, 4)),
    )


@st.composite
def prescriptions(draw: st.DrawFn) -> Prescription:
    chosen = draw(st.lists(st.sampled_from(MODALITIES), min_size=1, max_size=4, unique=True))
    ranges = []
    for modality in chosen:
        low = draw(st.integers(MIN_LEVEL, MAX_LEVEL))
        high = draw(st.integers(low, MAX_LEVEL))
        locked = draw(st.none() | st.integers(low, high))
        per_week = draw(st.integers(1, 4))
        ranges.append(ModalityRange(modality, low, high, locked, per_week))
    rest = draw(st.frozensets(st.integers(0, 6), max_size=2))
    return Prescription(modalities=tuple(ranges), rest_weekdays=rest)


@st.composite
def weeks(draw: st.DrawFn, today: date, prescription: Prescription) -> list[WeekEntry]:
    """Earlier days of today's ISO week, with whatever the patient did on them."""
    prescribed = [m.modality for m in prescription.modalities]
    entries = []
    for back in range(today.weekday(), 0, -1):
        if draw(st.booleans()):
            done = draw(st.lists(st.sampled_from(prescribed), max_size=2, unique=True))
            entries.append(
                WeekEntry(today - timedelta(days=back), tuple(done), draw(st.booleans()))
            )
    return entries


@st.composite
def situations(draw: st.DrawFn, *, calm: bool = False) -> dict:
    """Everything one day's planning needs, with the verdict from the real evaluator."""
    today = draw(days)
    profile = draw(profiles(today, calm=calm))
    verdict = evaluate(
        profile,
        draw(labs(today)),
        draw(calendars(today)),
        draw(check_ins(today, calm=calm)),
        today,
        draw(baselines()),
        real_rules(),
    )
    prescription = draw(prescriptions())
    levels = draw(st.dictionaries(st.sampled_from(MODALITIES), st.integers(MIN_LEVEL, MAX_LEVEL)))
    return {
        "on": today,
        "prescription": prescription,
        "verdict": verdict,
        "levels": levels,
        "week": draw(weeks(today, prescription)),
        "catalog": real_catalog(),
        "profile": profile,
        "check_in_summary": draw(st.none() | st.just("fatigue 7/10 this morning")),
    }


# ---------- helpers ----------
def plain_green(verdict: Verdict) -> Verdict:
    """A green verdict keeping only the exclusions: what today would be without amber."""
    return Verdict(
        status="green",
        excluded_tags=verdict.excluded_tags,
        excluded_exercises=verdict.excluded_exercises,
        excluded_modalities=verdict.excluded_modalities,
        rules_version=verdict.rules_version,
    )


def describe(session: DailySession) -> str:
    return "\n".join(
        f"{b.part} {b.exercise_id} L{b.level} {b.dose.minutes}min rpe{b.dose.target_rpe}"
        for b in session.blocks
    )


def assert_lighter(amber: DailySession, green: DailySession) -> None:
    note(f"green:\n{describe(green)}\namber:\n{describe(amber)}")
    assert bool(amber.blocks) == bool(green.blocks)
    if green.planned_load > 0:
        assert amber.planned_load < green.planned_load


# ---------- properties ----------
@PROPERTY_SETTINGS
@given(situations() | situations(calm=True))
def test_no_served_session_contains_an_excluded_or_unusable_exercise(situation: dict) -> None:
    session = plan_session(**situation)
    verdict, profile, catalog = situation["verdict"], situation["profile"], situation["catalog"]
    note(f"verdict: {verdict.status} {sorted(r.code for r in verdict.reasons)}")
    event(f"verdict {verdict.status}, {'rest' if not session.blocks else 'session'}")
    for block in session.blocks:
        exercise = catalog.exercises[block.exercise_id]
        assert verdict.allows(exercise), block.exercise_id
        if "pool" in exercise.equipment:
            assert profile.pool_access
        if "band" in exercise.equipment:
            assert block.dose.band in profile.bands_owned
    assert session == plan_session(**situation)  # reproducible


@PROPERTY_SETTINGS
@given(situations())
def test_a_red_verdict_never_yields_a_session_with_blocks(situation: dict) -> None:
    session = plan_session(**situation)
    if situation["verdict"].status == "red":
        assert session.blocks == ()
        assert "physio has been told" in session.explanation
    else:
        assert session.verdict == situation["verdict"].status


@PROPERTY_SETTINGS
@given(situations() | situations(calm=True))
def test_served_doses_respect_the_verdicts_caps(situation: dict) -> None:
    session = plan_session(**situation)
    verdict = situation["verdict"]
    if verdict.max_target_rpe is not None:
        assert all(b.dose.target_rpe <= verdict.max_target_rpe for b in session.blocks)
    if verdict.max_minutes is not None:
        assert sum(b.dose.minutes or 0 for b in session.blocks) <= verdict.max_minutes


@PROPERTY_SETTINGS
@given(situations(calm=True))
def test_every_amber_session_is_lighter_than_the_green_one_would_have_been(
    situation: dict,
) -> None:
    verdict = situation["verdict"]
    assume(verdict.status == "amber")  # the calm strategy makes amber the common case
    levels_before = dict(situation["levels"])
    amber = plan_session(**situation)
    assert situation["levels"] == levels_before  # a lighter day is not a regression
    assert_lighter(amber, plan_session(**{**situation, "verdict": plain_green(verdict)}))
    keeping_caps = replace(verdict, status="green", reasons=())
    assert_lighter(amber, plan_session(**{**situation, "verdict": keeping_caps}))


@PROPERTY_SETTINGS
@given(situations())
def test_amber_is_lighter_over_every_situation(situation: dict) -> None:
    verdict = situation["verdict"]
    if verdict.status == "amber":
        amber = plan_session(**situation)
        assert_lighter(amber, plan_session(**{**situation, "verdict": plain_green(verdict)}))
