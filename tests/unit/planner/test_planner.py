"""The planner serves today's session: what a patient sees, given the week and the verdict."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest

from backend.domain.planner import WeekEntry, plan_session, session_ladders
from backend.domain.records import (
    Catalog,
    DailySession,
    Dose,
    Exercise,
    Level,
    ModalityRange,
    PatientProfile,
    Prescription,
    Reason,
    Verdict,
)
from backend.domain.safety import SafetyVerdict

MONDAY = date(2025, 3, 3)
WEDNESDAY = MONDAY + timedelta(days=2)
BANDS = ("yellow", "red", "green", "blue")


# ---------- a small catalog built from the dataclasses ----------
def ladder(steps: int = 4, *, band: bool = False, start_minutes: float = 5.0) -> tuple[Level, ...]:
    """Each step is longer and harder, so a lower level is a lighter session."""
    return tuple(
        Level(
            level=n,
            dose=Dose(
                target_rpe=1.0 + n,
                minutes=start_minutes + 2 * (n - 1),
                sets=2,
                reps=10,
                band=BANDS[n - 1] if band else None,
            ),
        )
        for n in range(1, steps + 1)
    )


def exercise(
    id: str,
    modality: str,
    *,
    roles: frozenset[str] = frozenset({"main"}),
    position: str = "standing",
    equipment: tuple[str, ...] = ("none",),
    tags: frozenset[str] = frozenset(),
    seated_variant: str | None = None,
    levels: tuple[Level, ...] | None = None,
) -> Exercise:
    band = "band" in equipment
    return Exercise(
        id=id,
        title=id.replace("-", " ").title(),
        modality=modality,
        position=position,
        equipment=equipment,
        load_tags=tags,
        instructions="Move slowly.",
        safety_cues=("Stop if it hurts.",),
        levels=levels or ladder(band=band),
        roles=roles,
        seated_variant=seated_variant,
    )


def build_catalog(*extra: Exercise) -> Catalog:
    items = [
        exercise("march-warm-up", "mobility", roles=frozenset({"warm_up"})),
        exercise("breathing-cool-down", "mobility", roles=frozenset({"cool_down"})),
        *(
            exercise(f"walk-{n}", "walking_aerobic", tags=frozenset({"weight_bearing"}))
            for n in "abc"
        ),
        *(
            exercise(
                f"band-{n}",
                "resistance_band",
                equipment=("band",),
                tags=frozenset({"upper_limb_load"}),
                seated_variant=f"band-{n}-seated",
            )
            for n in "abc"
        ),
        *(
            exercise(
                f"band-{n}-seated",
                "resistance_band",
                roles=frozenset(),
                position="seated",
                equipment=("band", "chair"),
                tags=frozenset({"upper_limb_load"}),
            )
            for n in "abc"
        ),
        *(
            exercise(
                f"balance-{n}",
                "balance",
                tags=frozenset({"balance_challenge", "weight_bearing"}),
                seated_variant=f"balance-{n}-seated",
            )
            for n in "abc"
        ),
        *(
            exercise(f"balance-{n}-seated", "balance", roles=frozenset(), position="seated")
            for n in "abc"
        ),
        *(
            exercise(
                f"pool-{n}",
                "aquatic",
                position="in_water",
                equipment=("pool",),
                tags=frozenset({"immersion"}),
            )
            for n in "abc"
        ),
        *extra,
    ]
    return Catalog(exercises={e.id: e for e in items}, programmes={}, version="test")


CATALOG = build_catalog()
PROFILE = PatientProfile(cancer_type="breast", bands_owned=BANDS, pool_access=True)
GREEN = Verdict(status="green")


def rx(*ranges: ModalityRange, rest: frozenset[int] = frozenset()) -> Prescription:
    return Prescription(modalities=ranges, rest_weekdays=rest)


WALK = ModalityRange("walking_aerobic", 1, 4, sessions_per_week=3)
BAND = ModalityRange("resistance_band", 1, 4, sessions_per_week=2)
BALANCE = ModalityRange("balance", 1, 4, sessions_per_week=2)
POOL = ModalityRange("aquatic", 1, 4, sessions_per_week=1)
DEFAULT_RX = rx(WALK, BAND)
LEVELS = {"walking_aerobic": 3, "resistance_band": 3, "balance": 3, "aquatic": 3}


def plan(**overrides: object) -> DailySession:
    """plan_session with sensible defaults; a test names only what it is about."""
    args: dict[str, object] = {
        "on": WEDNESDAY,
        "prescription": DEFAULT_RX,
        "verdict": GREEN,
        "levels": LEVELS,
        "week": (),
        "catalog": CATALOG,
        "profile": PROFILE,
    }
    args.update(overrides)
    return plan_session(**args)  # type: ignore[arg-type]


def mains(session: DailySession) -> list:
    return [b for b in session.blocks if b.part == "main"]


def served_ids(session: DailySession) -> set[str]:
    return {b.exercise_id for b in session.blocks}


FATIGUE_AMBER = Verdict(
    status="amber",
    reasons=(Reason("fatigue_high", "Fatigue is 7 out of 10 today", "domain §9", "amber"),),
)


# ---------- red ----------
def test_red_verdict_serves_no_exercise_and_says_the_physio_knows() -> None:
    red = Verdict(
        status="red",
        reasons=(Reason("fever", "Your temperature is 38.4 °C", "domain §4.1", "red"),),
        advice="Rest and call your oncology team's hotline.",
    )
    session = plan(verdict=red)
    assert session.blocks == ()
    assert session.verdict == "red"
    assert session.planned_load == 0
    assert "Rest and call your oncology team's hotline." in session.explanation
    assert "38.4" in session.explanation
    assert "physio has been told" in session.explanation


def test_red_verdict_without_advice_still_says_rest() -> None:
    session = plan(verdict=Verdict(status="red"))
    assert session.blocks == ()
    assert "rest" in session.explanation.lower()


def test_unknown_verdict_status_is_refused() -> None:
    with pytest.raises(ValueError, match="purple"):
        plan(verdict=Verdict(status="purple"))


# ---------- rest days ----------
def test_prescribed_rest_weekday_is_a_rest_day() -> None:
    session = plan(prescription=rx(WALK, BAND, rest=frozenset({WEDNESDAY.weekday()})))
    assert session.rest_day
    assert session.blocks == ()
    assert session.explanation.startswith("Rest day")


def test_rest_day_once_every_modality_has_its_sessions() -> None:
    week = [
        WeekEntry(MONDAY, ("walking_aerobic", "resistance_band"), completed=True),
        WeekEntry(MONDAY + timedelta(days=1), ("walking_aerobic",), completed=True),
        WeekEntry(MONDAY + timedelta(days=1), ("walking_aerobic",), completed=True),
    ]
    session = plan(prescription=rx(WALK, replace(BAND, sessions_per_week=1)), week=week)
    assert session.rest_day and session.blocks == ()
    assert "all 4 sessions" in session.explanation


def test_sessions_not_completed_do_not_count_towards_the_week() -> None:
    week = [WeekEntry(MONDAY, ("walking_aerobic",), completed=False)] * 3
    session = plan(prescription=rx(WALK), week=week)
    assert session.modalities == ("walking_aerobic",)


def test_last_weeks_sessions_do_not_count_towards_this_week() -> None:
    last_week = [
        WeekEntry(MONDAY - timedelta(days=d), ("walking_aerobic",), True) for d in (1, 2, 3)
    ]
    session = plan(prescription=rx(WALK), week=last_week)
    assert session.modalities == ("walking_aerobic",)
    assert not session.rest_day


# ---------- choosing modalities ----------
def test_at_most_two_modalities_largest_deficit_first() -> None:
    walk4 = replace(WALK, sessions_per_week=4)
    session = plan(prescription=rx(BALANCE, BAND, walk4))
    # Walking is 4 short, the others 2 each: tie broken by the fixed modality order.
    assert session.modalities == ("walking_aerobic", "resistance_band")


def test_a_modality_with_its_sessions_done_is_not_served_again() -> None:
    week = [
        WeekEntry(MONDAY, ("resistance_band",), completed=True),
        WeekEntry(MONDAY, ("resistance_band",), completed=True),
    ]
    session = plan(prescription=rx(BAND, BALANCE), week=week)
    assert "resistance_band" not in session.modalities
    assert not any(b.modality == "resistance_band" for b in session.blocks)


def test_resistance_bands_never_on_consecutive_days() -> None:
    yesterday = WEDNESDAY - timedelta(days=1)
    week = [WeekEntry(yesterday, ("resistance_band",), completed=True)]
    session = plan(prescription=rx(BAND, BALANCE), week=week)
    assert session.modalities == ("balance",)
    assert not any(b.modality == "resistance_band" for b in session.blocks)


def test_bands_yesterday_even_if_unfinished_still_need_a_day_off() -> None:
    week = [WeekEntry(WEDNESDAY - timedelta(days=1), ("resistance_band",), completed=False)]
    session = plan(prescription=rx(BAND), week=week)
    assert session.rest_day and session.blocks == ()
    assert "band" in session.explanation


def test_resistance_non_consecutive_days_across_the_week_boundary() -> None:
    # Band work on Sunday, then Monday is a new ISO week: still two days in a row (§2.1).
    sunday = MONDAY - timedelta(days=1)
    week = [WeekEntry(sunday, ("resistance_band",), completed=True)]
    session = plan(on=MONDAY, prescription=rx(BAND, BALANCE), week=week)
    assert not any(b.modality == "resistance_band" for b in session.blocks)
    # ... and Sunday's session does not count towards Monday's week.
    tuesday = plan(on=MONDAY + timedelta(days=1), prescription=rx(BAND), week=week)
    assert "resistance_band" in tuesday.modalities
    assert "0 of your 2" in tuesday.explanation or "1 of your 2" in tuesday.explanation


def test_bands_two_days_ago_are_fine_today() -> None:
    week = [WeekEntry(WEDNESDAY - timedelta(days=2), ("resistance_band",), completed=True)]
    assert "resistance_band" in plan(prescription=rx(BAND), week=week).modalities


def test_a_whole_week_meets_the_prescription_without_back_to_back_bands() -> None:
    prescription = rx(WALK, BAND, BALANCE, rest=frozenset({6}))
    week: list[WeekEntry] = []
    for offset in range(7):
        day = MONDAY + timedelta(days=offset)
        session = plan(on=day, prescription=prescription, week=tuple(week))
        week.append(WeekEntry(day, session.modalities, completed=True))
        assert len(session.modalities) <= 2
    served = {
        m.modality: sum(m.modality in e.modalities for e in week) for m in prescription.modalities
    }
    assert served == {"walking_aerobic": 3, "resistance_band": 2, "balance": 2}
    band_days = [e.on for e in week if "resistance_band" in e.modalities]
    assert all((b - a).days > 1 for a, b in zip(band_days, band_days[1:], strict=False))
    assert week[6].modalities == ()  # Sunday is the prescribed rest day


# ---------- session shape ----------
def test_session_has_warm_up_mains_and_cool_down_in_order() -> None:
    session = plan()
    parts = [b.part for b in session.blocks]
    assert parts == ["warm_up", "main", "main", "main", "main", "cool_down"]
    assert {b.modality for b in mains(session)} == {"walking_aerobic", "resistance_band"}
    assert len(served_ids(session)) == len(session.blocks)  # no exercise twice


def test_one_modality_day_gets_three_main_exercises() -> None:
    session = plan(prescription=rx(WALK))
    assert len(mains(session)) == 3
    assert len({b.exercise_id for b in mains(session)}) == 3


def test_explanation_names_the_modalities_and_the_week_count() -> None:
    week = [WeekEntry(MONDAY, ("walking_aerobic",), completed=True)]
    session = plan(week=week)
    # Both are 2 short, so the fixed modality order puts bands first.
    assert "Resistance bands and walking today: 3 of your 5 sessions this week." in (
        session.explanation
    )


# ---------- levels ----------
def test_current_level_is_used_within_the_range() -> None:
    session = plan(prescription=rx(WALK), levels={"walking_aerobic": 2})
    assert {b.level for b in mains(session)} == {2}
    assert {b.dose for b in mains(session)} == {ladder()[1].dose}


def test_level_above_the_range_is_clipped_to_its_top() -> None:
    session = plan(prescription=rx(replace(WALK, max_level=2)), levels={"walking_aerobic": 4})
    assert {b.level for b in mains(session)} == {2}


def test_level_below_the_range_is_clipped_to_its_bottom() -> None:
    session = plan(prescription=rx(replace(WALK, min_level=3)), levels={"walking_aerobic": 1})
    assert {b.level for b in mains(session)} == {3}


def test_missing_level_starts_at_the_bottom_of_the_range() -> None:
    session = plan(prescription=rx(replace(WALK, min_level=2)), levels={})
    assert {b.level for b in mains(session)} == {2}


def test_locked_level_wins_over_the_current_level() -> None:
    session = plan(prescription=rx(replace(WALK, locked_level=1)), levels={"walking_aerobic": 4})
    assert {b.level for b in mains(session)} == {1}


def test_warm_up_and_cool_down_are_gentle_first_steps() -> None:
    session = plan(levels={"walking_aerobic": 4, "resistance_band": 4})
    assert session.blocks[0].level == 1 and session.blocks[-1].level == 1


# ---------- equipment ----------
def test_no_pool_access_means_no_water_exercise() -> None:
    session = plan(prescription=rx(POOL, WALK), profile=replace(PROFILE, pool_access=False))
    assert session.modalities == ("walking_aerobic",)
    assert not any(b.exercise_id.startswith("pool") for b in session.blocks)
    assert "Water exercise is paused today" in session.explanation


def test_pool_access_serves_water_exercise() -> None:
    session = plan(prescription=rx(POOL))
    assert session.modalities == ("aquatic",)
    assert all(b.exercise_id.startswith("pool") for b in mains(session))


def test_no_band_owned_means_no_band_exercise() -> None:
    session = plan(prescription=rx(BAND, WALK), profile=replace(PROFILE, bands_owned=()))
    assert session.modalities == ("walking_aerobic",)
    assert not any(b.modality == "resistance_band" for b in session.blocks)


def test_band_is_the_heaviest_owned_not_heavier_than_prescribed() -> None:
    # Level 3 prescribes green; the patient owns yellow and blue, so yellow it is.
    profile = replace(PROFILE, bands_owned=("blue", "yellow"))
    session = plan(prescription=rx(BAND), levels={"resistance_band": 3}, profile=profile)
    assert {b.dose.band for b in mains(session)} == {"yellow"}


def test_band_is_the_prescribed_colour_when_owned() -> None:
    session = plan(prescription=rx(BAND), levels={"resistance_band": 3})
    assert {b.dose.band for b in mains(session)} == {"green"}


def test_band_exercise_skipped_when_every_owned_band_is_too_heavy() -> None:
    # The ladder starts at yellow; owning only black would mean a heavier band than prescribed.
    profile = replace(PROFILE, bands_owned=("black",))
    session = plan(prescription=rx(BAND, WALK), profile=profile)
    assert "resistance_band" not in session.modalities


# ---------- verdict exclusions ----------
def test_excluded_tags_and_modalities_are_never_served() -> None:
    verdict = Verdict(
        status="green",
        excluded_tags=frozenset({"weight_bearing"}),
        excluded_exercises=frozenset({"band-a"}),
    )
    session = plan(prescription=rx(WALK, BAND, BALANCE), verdict=verdict)
    assert session.blocks
    for block in session.blocks:
        assert verdict.allows(CATALOG.exercises[block.exercise_id])
    assert "Walking and balance are paused today" in session.explanation


def test_excluded_modality_is_skipped_and_another_takes_its_place() -> None:
    verdict = Verdict(status="green", excluded_modalities=frozenset({"walking_aerobic"}))
    session = plan(
        prescription=rx(replace(WALK, sessions_per_week=4), BAND, BALANCE), verdict=verdict
    )
    assert session.modalities == ("resistance_band", "balance")
    assert "Walking is paused today" in session.explanation


def test_seated_variant_that_the_verdict_excludes_is_not_swapped_in() -> None:
    verdict = replace(
        FATIGUE_AMBER, excluded_exercises=frozenset({"band-a-seated", "band-b-seated"})
    )
    session = plan(prescription=rx(BAND), verdict=verdict)
    assert not {"band-a-seated", "band-b-seated"} & served_ids(session)


def test_nothing_eligible_is_a_rest_day_that_says_why() -> None:
    verdict = Verdict(status="green", excluded_modalities=frozenset({"walking_aerobic"}))
    session = plan(prescription=rx(WALK), verdict=verdict)
    assert session.rest_day and session.blocks == ()
    assert "Walking is paused today" in session.explanation


# ---------- amber ----------
def test_amber_is_lighter_than_green_and_leaves_levels_alone() -> None:
    levels = {"walking_aerobic": 3, "resistance_band": 3}
    green = plan(levels=levels)
    amber = plan(levels=levels, verdict=FATIGUE_AMBER)
    assert amber.planned_load < green.planned_load
    assert levels == {"walking_aerobic": 3, "resistance_band": 3}
    assert {b.level for b in mains(amber)} == {2}
    assert amber.verdict == "amber"


def test_amber_swaps_in_seated_variants_and_records_them() -> None:
    session = plan(prescription=rx(BAND), verdict=FATIGUE_AMBER)
    swapped = [b for b in mains(session) if b.substituted_for]
    assert swapped and all(b.exercise_id == f"{b.substituted_for}-seated" for b in swapped)
    assert session.substitutions == tuple((b.substituted_for, b.exercise_id) for b in swapped)
    assert all(CATALOG.exercises[b.exercise_id].position == "seated" for b in swapped)


def test_green_day_makes_no_substitutions() -> None:
    session = plan(prescription=rx(BAND))
    assert session.substitutions == ()
    assert not any(b.substituted_for for b in session.blocks)


def test_amber_at_level_one_cuts_minutes_by_30_to_50_percent() -> None:
    levels = {"walking_aerobic": 1}
    green = plan(prescription=rx(WALK), levels=levels)
    amber = plan(prescription=rx(WALK), levels=levels, verdict=FATIGUE_AMBER)
    assert amber.planned_load < green.planned_load
    for g, a in zip(mains(green), mains(amber), strict=True):
        assert a.level == g.level == 1
        assert 0.5 * g.dose.minutes <= a.dose.minutes <= 0.7 * g.dose.minutes
    # Warming up and cooling down are not where a tired patient should save minutes.
    assert amber.blocks[0].dose == green.blocks[0].dose
    assert amber.blocks[-1].dose == green.blocks[-1].dose


def test_amber_explanation_gives_the_fatigue_number() -> None:
    session = plan(verdict=FATIGUE_AMBER, check_in_summary="fatigue 7/10 this morning")
    assert session.explanation.startswith("Lighter today: Fatigue 7/10 this morning.")
    assert "7 out of 10" in session.explanation


def test_amber_explanation_uses_the_reason_when_no_summary_is_given() -> None:
    session = plan(verdict=FATIGUE_AMBER)
    assert session.explanation.startswith("Lighter today: Fatigue is 7 out of 10 today.")


def test_amber_with_a_seated_variant_heavier_than_the_original_is_still_lighter() -> None:
    heavy_seated = exercise(
        "walk-a-seated",
        "walking_aerobic",
        roles=frozenset(),
        position="seated",
        levels=ladder(start_minutes=30),
    )
    walk_a = exercise("walk-a", "walking_aerobic", seated_variant="walk-a-seated")
    catalog = build_catalog(heavy_seated, walk_a)
    args = {"prescription": rx(WALK), "catalog": catalog, "levels": {"walking_aerobic": 2}}
    green = plan(**args)
    amber = plan(**args, verdict=FATIGUE_AMBER)
    assert ("walk-a", "walk-a-seated") in amber.substitutions
    assert amber.planned_load < green.planned_load


# ---------- caps from a SafetyVerdict ----------
def test_rpe_cap_lowers_the_level_until_the_dose_fits() -> None:
    verdict = SafetyVerdict(status="green", max_target_rpe=3.0)
    session = plan(prescription=rx(WALK), levels={"walking_aerobic": 4}, verdict=verdict)
    assert {b.level for b in mains(session)} == {2}
    assert all(b.dose.target_rpe <= 3.0 for b in session.blocks)


def test_rpe_cap_below_level_one_lowers_the_target_itself() -> None:
    verdict = SafetyVerdict(status="green", max_target_rpe=1.0)
    session = plan(prescription=rx(WALK), verdict=verdict)
    assert all(b.level == 1 and b.dose.target_rpe == 1.0 for b in session.blocks)


def test_minutes_cap_keeps_the_whole_session_short() -> None:
    verdict = SafetyVerdict(status="green", max_minutes=20)
    session = plan(prescription=rx(WALK), levels={"walking_aerobic": 4}, verdict=verdict)
    assert sum(b.dose.minutes for b in session.blocks) <= 20
    # Levels come down before minutes are cut.
    assert any(b.level < 4 for b in mains(session))


def test_minutes_cap_below_level_one_shortens_the_blocks() -> None:
    verdict = SafetyVerdict(status="green", max_minutes=10)
    session = plan(prescription=rx(WALK), verdict=verdict)
    assert session.blocks
    assert all(b.level == 1 for b in session.blocks)
    assert 0 < sum(b.dose.minutes for b in session.blocks) <= 10


def test_a_ten_minute_cap_serves_fewer_exercises_not_one_minute_scraps() -> None:
    verdict = SafetyVerdict(status="amber", max_minutes=10, max_target_rpe=3.0)
    session = plan(verdict=verdict)
    assert [b.part for b in session.blocks] == ["warm_up", "main", "main", "cool_down"]
    assert {b.modality for b in mains(session)} == {"walking_aerobic", "resistance_band"}
    assert sum(b.dose.minutes for b in session.blocks) <= 10


def test_prefer_seated_swaps_in_variants_on_a_green_day() -> None:
    verdict = SafetyVerdict(status="green", prefer_seated=True)
    session = plan(prescription=rx(BALANCE), verdict=verdict)
    assert session.substitutions
    assert all(CATALOG.exercises[b.exercise_id].position == "seated" for b in mains(session))
    # A seated swap on a green day is not a lighter day: same level as without it.
    assert {b.level for b in mains(session)} == {3}


def test_amber_with_caps_is_lighter_than_green_with_or_without_them() -> None:
    caps = {"max_target_rpe": 4.0, "max_minutes": 30.0, "prefer_seated": True}
    levels = {"walking_aerobic": 4, "balance": 4}
    args = {"prescription": rx(WALK, BALANCE), "levels": levels}
    amber = plan(**args, verdict=SafetyVerdict(status="amber", **caps))
    assert amber.planned_load < plan(**args).planned_load
    assert (
        amber.planned_load
        < plan(**args, verdict=SafetyVerdict(status="green", **caps)).planned_load
    )
    assert sum(b.dose.minutes for b in amber.blocks) <= 30


def test_an_emergency_leads_with_the_emergency_advice() -> None:
    verdict = SafetyVerdict(
        status="red",
        reasons=(Reason("red_flag_chest_pain", "Chest pain needs urgent help", "§5", "red"),),
        advice="Stop now and call your emergency number.",
        emergency=True,
    )
    session = plan(verdict=verdict)
    assert session.blocks == ()
    assert session.explanation.startswith("Chest pain needs urgent help.")
    assert "emergency number" in session.explanation


def test_supervised_only_is_said_plainly() -> None:
    verdict = SafetyVerdict(status="green", supervised_only=True)
    assert "physio" in plan(verdict=verdict).explanation


# ---------- determinism ----------
def test_same_inputs_give_the_same_session() -> None:
    args = {"verdict": FATIGUE_AMBER, "check_in_summary": "fatigue 7/10 this morning"}
    assert plan(**args) == plan(**args)


def test_exercises_vary_from_day_to_day() -> None:
    days = [MONDAY + timedelta(days=n) for n in range(3)]
    choices = {tuple(b.exercise_id for b in mains(plan(on=d, prescription=rx(WALK)))) for d in days}
    assert len(choices) > 1


def test_week_order_does_not_change_the_session() -> None:
    week = [
        WeekEntry(MONDAY, ("walking_aerobic",), completed=True),
        WeekEntry(MONDAY + timedelta(days=1), ("resistance_band",), completed=True),
    ]
    assert plan(week=week) == plan(week=list(reversed(week)))


def test_session_ladders_are_the_sessions_a_patient_would_be_served() -> None:
    # The coach scores a candidate level at this dose: the patient's own green-day session.
    walk = session_ladders(CATALOG, PROFILE, ("walking_aerobic",))["walking_aerobic"]
    every_day = rx(ModalityRange("walking_aerobic", 1, 4, sessions_per_week=7))
    served = plan(prescription=every_day, levels={"walking_aerobic": 2})
    minutes, load, target = walk[2]
    assert load == pytest.approx(served.planned_load)
    assert minutes == pytest.approx(sum(b.dose.minutes or 0 for b in served.blocks))
    assert target == pytest.approx(sum(b.dose.target_rpe for b in mains(served)) / 3)
    loads = [walk[level][1] for level in sorted(walk)]
    assert loads == sorted(loads) and loads[0] < loads[3]
    assert session_ladders(CATALOG, replace(PROFILE, pool_access=False), ("aquatic",)) == {}


def test_a_lighter_session_shortens_that_modalitys_main_work_at_the_same_level() -> None:
    usual = plan(prescription=rx(WALK, BALANCE), levels=LEVELS)
    eased = plan(prescription=rx(WALK, BALANCE), levels=LEVELS, lighter=frozenset({"balance"}))
    assert [b.exercise_id for b in eased.blocks] == [b.exercise_id for b in usual.blocks]
    for before, after in zip(usual.blocks, eased.blocks, strict=True):
        assert after.level == before.level
        if before.part == "main" and before.modality == "balance":
            # domain §9's amber cut (30-50 %), to the half minute
            assert 0 < after.dose.nominal_load <= 0.65 * before.dose.nominal_load
        else:
            assert after.dose == before.dose
    amber = plan(verdict=FATIGUE_AMBER, levels=LEVELS)
    assert plan(verdict=FATIGUE_AMBER, levels=LEVELS, lighter=frozenset({"walking_aerobic"})) == amber


@pytest.mark.parametrize("level", [1, 2, 3, 4])
@pytest.mark.parametrize("modalities", [(WALK,), (BAND,), (WALK, BAND), (BALANCE, POOL)])
def test_amber_cut_keeps_at_most_70_percent_of_the_green_load(level, modalities) -> None:
    """§9 amber: "Cut volume 30-50% or drop one intensity level", measured on load."""
    levels = {m.modality: level for m in modalities}
    green = plan(prescription=rx(*modalities), levels=levels)
    amber = plan(prescription=rx(*modalities), levels=levels, verdict=FATIGUE_AMBER)
    assert green.planned_load > 0
    assert amber.planned_load <= 0.7 * green.planned_load + 1e-9
