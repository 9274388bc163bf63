"""Second reader (2026-12-03): where the code is weaker than its SOURCE, one test per finding.

Each test asserts what shared/domain/exercise-oncology.md (or the Chen 2025 review) says, with
the source's sentence beside it, and is marked xfail(strict=True): it fails today for the
reason given, so the suite stays green and the lead sees exactly which findings are open.
When a fix lands the test passes, strict xfail turns that into a failure, and the marker is
removed. The findings table is docs/second-reader-2026-12-03.md.
"""

from __future__ import annotations

import statistics
from dataclasses import replace
from datetime import date, timedelta
from itertools import pairwise

import pytest

from backend import clock
from backend.domain.planner import (
    CompletedSession,
    WeekEntry,
    main_loads,
    plan_session,
    session_ladders,
    weekly_load_ceilings,
)
from backend.domain.records import (
    Baseline,
    CheckIn,
    Lesion,
    ModalityRange,
    PatientProfile,
    Prescription,
    TreatmentCalendar,
)
from backend.domain.safety import SafetyVerdict, evaluate
from backend.domain.vocabulary import BAND_COLOURS, PRECAUTIONS
from ml.policy import DecisionInput, LevelRange, ModalityState, SessionOutcome, decide
from tests.factories import activate, bearer, clinic_with_staff, enrol, login
from tests.unit.safety.test_rules_from_source_properties import real_catalog as catalog
from tests.unit.safety.test_rules_from_source_properties import real_rules as rules

TODAY = date(2026, 11, 26)  # a Thursday


def finding(text: str):
    """xfail(strict): the test must fail, and for an assertion (not a crash in the test)."""
    return pytest.mark.xfail(strict=True, raises=AssertionError, reason=f"second reader: {text}")


def profile(*lesions: Lesion, **kwargs) -> PatientProfile:
    # A clinic records the physician's clearance before a high-tier patient starts.
    kwargs.setdefault("clearances", frozenset({"medical_clearance"}))
    return PatientProfile(
        "breast", lesions=lesions, bands_owned=BAND_COLOURS, pool_access=True, **kwargs
    )


def verdict(
    who: PatientProfile,
    check_in: CheckIn | None = None,
    baseline: Baseline | None = None,
    calendar: TreatmentCalendar | None = None,
    on: date = TODAY,
) -> SafetyVerdict:
    return evaluate(
        who,
        (),
        calendar or TreatmentCalendar(),
        check_in or CheckIn(on=on, fatigue=2, pain=1),
        on,
        baseline or Baseline(),
        rules(),
    )


def serve(who: PatientProfile, judged: SafetyVerdict, modality: str, level: int = 3, on=TODAY):
    return plan_session(
        on=on,
        prescription=Prescription((ModalityRange(modality, 1, 8, None, 7),)),
        verdict=judged,
        levels={modality: level},
        week=(),
        catalog=catalog(),
        profile=who,
    )


# ---------------------------------------------------------------- §6 fracture-risk gate
# Fixed 2026-12-03 (was xfail): fracture_risk_high: 'supervised sessions only until cleared' is
# read as 'only the  region-loading work is supervised'; the app still serves unsupervised home
# sessions
def test_fracture_risk_high_serves_no_unsupervised_home_session() -> None:
    # §6 "[derived] Gate: Mirels ≥8 or SINS ≥7 → no loading of that region, AND supervised
    # sessions only until cleared." Mirels ≥9: ">33%, fixation indicated". A home session is
    # not supervised, so none is served until the team clears the lesion.
    who = profile(Lesion("proximal_femur", mirels=10, resistance_cleared=True))
    judged = verdict(who)
    for modality in ("mobility", "tai_chi_qigong", "resistance_band"):
        session = serve(who, judged, modality)
        assert session.blocks == (), f"{modality}: {[b.exercise_id for b in session.blocks]}"


# ---------------------------------------------------------------- §9 amber actions
# Fixed 2026-12-03 (was xfail): §9 amber 'switch to seated, non-weight-bearing or mobility work'
# is applied only where  an exercise has a seated_variant; standing weight-bearing main work is
# still served
def test_amber_action_switches_to_seated_non_weight_bearing_or_mobility_work() -> None:
    # §9 AMBER (pain 4-6) → "Cut volume 30–50% or drop one intensity level; switch to seated,
    # non-weight-bearing or mobility work; no progression this week".
    who = profile()
    judged = verdict(who, CheckIn(on=TODAY, fatigue=2, pain=5))
    assert judged.status == "amber"
    served = []
    for modality in ("balance", "walking_aerobic", "tai_chi_qigong"):
        for day in range(7):
            session = serve(who, judged, modality, on=TODAY + timedelta(days=day))
            served += [b for b in session.blocks if b.part == "main"]
    standing = [
        b.exercise_id
        for b in served
        if "weight_bearing" in catalog().exercises[b.exercise_id].load_tags
        and b.modality != "mobility"
    ]
    assert not standing, f"weight-bearing main work on an amber day: {sorted(set(standing))}"


# Fixed 2026-12-03 (was xfail): §9 GREEN needs 'last session on target'; a session 1 CR-10 point
# over target is  neither amber (≥2) nor on target, and the code calls the day green
def test_srpe_above_target_a_session_1_point_over_target_is_not_green() -> None:
    # §9 GREEN: "... last session on target with 2–3 reps in reserve"; AMBER: "last sRPE ≥2
    # CR-10 points above target". +1 falls in neither colour: the conservative reading (as
    # rules.yaml already chose for pain 7–8) is "not green".
    judged = verdict(profile(), baseline=Baseline(last_session_rpe_over_target=1.0))
    assert judged.status != "green"


# ---------------------------------------------------------------- §10 progression caps
# Fixed 2026-12-04 (was xfail): §10 '[derived] Caps: week-on-week rise in sRPE load ≤10%' was
# not enforced: one auto-applied level step raised the planned load 11-78%
SOURCE_MAX_WEEKLY_RISE = 0.10  # §10 "Keep the week-on-week rise in sRPE load to ≤10%"


def _weeks(modality: str, levels: list[int]):
    """Three sessions a week (Mon, Wed, Fri), all completed, green days, at ``levels[w]`` in
    week w, served with the ceilings the daily service passes. Each week's session loads."""
    who = profile()
    monday = date(2026, 11, 2)
    prescription = Prescription((ModalityRange(modality, 1, 8, None, 3),))
    done: list[CompletedSession] = []
    weeks: list[list[float]] = []
    for w, level in enumerate(levels):
        loads, entries = [], []
        for day in (0, 2, 4):
            on = monday + timedelta(days=7 * w + day)
            session = plan_session(
                on=on,
                prescription=prescription,
                verdict=verdict(who, on=on),
                levels={modality: level},
                week=entries,
                catalog=catalog(),
                profile=who,
                load_ceilings=weekly_load_ceilings(on, done, rules().weekly_load_cap.max_rise),
            )
            loads.append(session.planned_load)  # the whole session, warm-up to cool-down
            entries.append(WeekEntry(on, session.modalities, completed=True))
            done.append(CompletedSession(on, main_loads(session.blocks)))  # as services do
        weeks.append(loads)
    return weeks


@pytest.mark.parametrize(
    "modality", ["tai_chi_qigong", "walking_aerobic", "resistance_band", "balance", "aquatic"]
)
def test_progression_caps_week_on_week_rise_in_srpe_load_at_most_10_percent(modality) -> None:
    # §10 "[derived] Caps | Keep the week-on-week rise in sRPE load to ≤10%". content/README.md
    # promises the same ("at most about 10% more per week"). Worst case: a step up every week.
    weeks = _weeks(modality, [2, 3, 4, 5, 6])
    for before, after in pairwise(weeks):
        assert sum(after) <= (1 + SOURCE_MAX_WEEKLY_RISE) * sum(before) + 0.5, (before, after)
        assert max(after) <= (1 + SOURCE_MAX_WEEKLY_RISE) * max(before) + 0.5, (before, after)


def test_progression_caps_no_step_up_while_the_cap_still_trims_the_level() -> None:
    # §10 "change only one FITT variable per week": a second step while the first is still
    # being built up would move the level ahead of what is served, and a later step down
    # would then cut nothing. The coach holds instead.
    loads = session_ladders(catalog(), modalities=("tai_chi_qigong",))["tai_chi_qigong"]
    tolerated = (
        SessionOutcome(TODAY - timedelta(days=5), 3, True, True),
        SessionOutcome(TODAY - timedelta(days=3), 3, True, True),
        SessionOutcome(TODAY - timedelta(days=1), 3, True, True),
    )
    state = ModalityState(
        modality="tai_chi_qigong",
        current=3,
        range=LevelRange(1, 8),
        level_loads={lv: load for lv, (_, load, _) in loads.items()},
        recent=tolerated,
    )
    free = decide(DecisionInput(today=TODAY, verdict="green", state=state), "rules")
    assert free.chosen == 4  # the patient's own evidence asks for a step
    held = decide(
        DecisionInput(today=TODAY, verdict="green", state=replace(state, building_up=True)),
        "rules",
    )
    assert held.chosen == 3 and "building_up_to_level" in held.reason_codes


def test_progression_caps_still_reach_the_new_level_dose() -> None:
    # The cap slows a step, it does not cancel it: tai chi 2 -> 3 (+25 %) rises in the first
    # week after the step and is served in full by the fifth.
    full = statistics.mean(_weeks("tai_chi_qigong", [3])[0])
    weeks = [statistics.mean(w) for w in _weeks("tai_chi_qigong", [2, 3, 3, 3, 3])]
    assert full > 1.2 * weeks[0]  # a step larger than the cap
    assert weeks[0] < weeks[1] <= 1.1 * weeks[0] + 0.1  # main work +10 %, warm-up the same
    assert weeks[4] == pytest.approx(full, rel=0.01)


# ---------------------------------------------------------------- §6 EFFECT "start low, go slow"
# Fixed 2026-12-03 (was xfail): EFFECT 'lower the load if pain ... has risen since the last
# session': with a bone  lesion a 1-point rise is green; only a rise of 2 lightens the day
def test_start_low_go_slow_pain_risen_since_last_session_lowers_the_load() -> None:
    # §6 "Start low, go slow (EFFECT): ... Lower the load if pain appears during the exercise,
    # or if pain or analgesic use has risen since the last session."
    who = profile(Lesion("pelvis", resistance_cleared=True))
    judged = verdict(
        who,
        CheckIn(on=TODAY, fatigue=2, pain=3),
        baseline=Baseline(fatigue=2, pain=2, pre_session_pain=2),
    )
    assert judged.status != "green", [r.code for r in judged.reasons]


# ---------------------------------------------------------------- §6 Galvão humerus row
# Fixed 2026-12-03 (was xfail): lesion_module_proximal_humerus: flexibility 'restricted' is not
# encoded; chest-opener  (hands behind the head, elbows drawn back to end range) is served
def test_lesion_module_proximal_humerus_restricts_shoulder_flexibility() -> None:
    # §6 Galvão: "Proximal humerus | restricted (versions differ) | yes | yes | yes | yes |
    # restricted" (the last column is flexibility). Hands on the back of the head put the arm
    # above shoulder height (content/README.md: "a hand to ... head height" is overhead_reach)
    # and the stretch is held at the end of the shoulder's range.
    judged = verdict(profile(Lesion("humerus")))
    assert not judged.allows(catalog().exercises["chest-opener"])


# ---------------------------------------------------------------- §4.2 bone disease, tags
# Fixed 2026-12-03 (was xfail): band-ankle-press: looping the band round the ball of a
# straightened leg's foot is a  forward reach to the foot, untagged spinal_flexion (the library
# tags the same posture  in seated-hamstring-stretch)
def test_bone_disease_no_forward_bending_band_ankle_press_is_tagged() -> None:
    # §4.2 "Bone disease: No high impact; no forward bending at the waist (toe-touches,
    # sit-ups)"; §6 spinal rows: "no spinal flexion". The rules read only the tags.
    exercise = catalog().exercises["band-ankle-press"]
    assert "spinal_flexion" in exercise.load_tags


# ---------------------------------------------------------------- §4.2 recent surgery
# Fixed 2026-12-03 (was xfail): recent_surgery_wound_healing lapses on day 43 by the calendar
# alone, without the  surgical team's go-ahead
def test_recent_surgery_wound_healing_does_not_lapse_without_the_teams_clearance() -> None:
    # §4.2 "Recent surgery: Early wound healing blocks training ... [unverified]
    # return-to-exercise timelines". The block ends when the wound has healed, which the
    # 42-day window cannot know; rules.yaml itself lifts it with training_after_surgery.
    judged = verdict(profile(surgery_date=TODAY - timedelta(days=43)))
    assert judged.status == "red", [r.code for r in judged.reasons]


# ---------------------------------------------------------------- §11 nadir
# Fixed 2026-12-03 (was xfail): nadir_days_7_19: the CDC sentence it quotes ('starts 7–12 days
# after a dose and lasts  5–7 days') reaches day 19; days 15-19 allow the pool with no count
def test_nadir_window_covers_the_cdc_nadir_to_day_19() -> None:
    # §11 "Neutrophil nadir: it usually starts 7–12 days after a dose and lasts 5–7 days
    # (CDC)"; "Days 7–14: ... No public pool, gym or group unless counts are known to be fine".
    for day in (15, 17, 19):
        judged = verdict(profile(), calendar=TreatmentCalendar(infusions=(TODAY - timedelta(day),)))
        assert "aquatic" in judged.excluded_modalities, f"day {day} after the infusion"


# Fixed 2026-12-03 (was xfail): radiotherapy_window: 'keep irradiated skin out of chlorinated
# water' ends on the last  treatment day (days_after_end 0); the skin stays irradiated, and
# reacts, after it
def test_radiotherapy_window_keeps_irradiated_skin_out_of_the_pool_after_the_last_day() -> None:
    # §4.2 "Radiotherapy | Keep irradiated skin out of chlorinated water"; §11 "no chlorinated
    # pools on treated skin (ACS)". Neither limits it to the days of treatment.
    ended = TreatmentCalendar(radiotherapy=((TODAY - timedelta(days=30), TODAY - timedelta(3)),))
    judged = verdict(profile(), calendar=ended)
    assert "aquatic" in judged.excluded_modalities


# ---------------------------------------------------------------- §2.1 resistance frequency
# Fixed 2026-12-03 (was xfail): §2.1 'Resistance: 2–3×/wk': the planner serves band work 4 times
# a week when the  prescription asks (the API accepts 0-7)
def test_resistance_frequency_at_most_three_sessions_a_week() -> None:
    # §2.1 "Resistance | 2–3×/wk on non-consecutive days"; Chen 2025: "Resistance exercise is
    # recommended 2 to 3 times per week, with rest days interspersed between sessions".
    who = profile()
    monday = date(2026, 11, 23)
    prescription = Prescription((ModalityRange("resistance_band", 1, 8, None, 4),))
    week: list[WeekEntry] = []
    for day in range(7):
        on = monday + timedelta(days=day)
        judged = verdict(who, CheckIn(on=on, fatigue=2, pain=1), on=on)
        session = plan_session(
            on=on,
            prescription=prescription,
            verdict=judged,
            levels={"resistance_band": 3},
            week=week,
            catalog=catalog(),
            profile=who,
        )
        if session.blocks:
            week.append(WeekEntry(on, session.modalities, completed=True))
    band_days = [e.on for e in week if "resistance_band" in e.modalities]
    assert len(band_days) <= 3, f"band work on {len(band_days)} days: {band_days}"


# ---------------------------------------------------------------- §3 triage vocabulary
# Fixed 2026-12-03 (was xfail): NCCN moderate tier / §2.2: osteopenia or osteoporosis (high
# fracture risk without  metastases) cannot be recorded, so impact work is served
def test_nccn_moderate_tier_osteoporosis_excludes_impact() -> None:
    # §3 "Moderate tier: neuropathy, arthritis/MSK problems, osteopenia/osteoporosis,
    # lymphoedema → medical evaluation advised, modified plan"; §2.2 "[derived] Exclude impact
    # work for anyone with bone metastases or high fracture risk".
    assert "osteoporosis" in PRECAUTIONS, "no precaution code for osteopenia/osteoporosis"
    judged = verdict(profile(precautions=frozenset({"osteoporosis"})))
    assert "impact" in judged.excluded_tags


# Fixed 2026-12-03 (was xfail): NCCN high tier 'extreme fatigue → physician clearance first' is
# only a one-day red on a  check-in of 9+; it cannot be recorded at screening as a state needing
# clearance
def test_medical_clearance_first_for_extreme_fatigue_recorded_at_screening() -> None:
    # §3 "High tier: lung/abdominal surgery, ostomy, cardiopulmonary disease, ataxia, extreme
    # fatigue, severe malnutrition, worsening condition, bone metastases → physician clearance
    # first".
    assert "extreme_fatigue" in PRECAUTIONS, "no precaution code for extreme fatigue"
    judged = verdict(profile(precautions=frozenset({"extreme_fatigue"}), clearances=frozenset()))
    assert judged.status == "red"


# ---------------------------------------------------------------- through the API
def _walker(client) -> dict:
    physio = login(client, clinic_with_staff()["physio"])
    item = {
        "modality": "walking_aerobic",
        "min_level": 1,
        "max_level": 6,
        "start_level": 2,
        "sessions_per_week": 6,
    }
    created = enrol(client, physio, clinical={}, prescription={"modalities": [item]})
    return {"headers": bearer(activate(client, created["invite_code"]))}


def _check_in(client, patient, **body) -> dict:
    response = client.post(
        "/api/v1/me/check-ins",
        json={"fatigue": 2, "pain": 1, "symptoms": [], **body},
        headers=patient["headers"],
    )
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def _today(client, patient) -> dict:
    return client.get("/api/v1/me/sessions/today", headers=patient["headers"]).get_json()


def _log_on_target(client, patient, session: dict) -> None:
    main = [b["dose"]["target_rpe"] for b in session["blocks"] if b["part"] == "main"]
    response = client.post(
        f"/api/v1/me/sessions/{session['id']}/log",
        json={
            "completed": True,
            "minutes": 20,
            "session_rpe": statistics.mean(main),
            "rpe_scale": "cr10",
        },
        headers={**patient["headers"], "Idempotency-Key": f"k-{session['id']}"},
    )
    assert response.status_code == 201, response.get_json()


# Fixed 2026-12-03 (was xfail): §9 amber 'no progression this week' holds only on the amber
# day's own check-in; the  log that evening is judged green and the next day of the same week
# steps up
def test_amber_no_progression_for_the_rest_of_the_week(client) -> None:
    # §9 AMBER → "...; no progression this week".
    patient = _walker(client)
    for _ in range(2):  # Thursday and Friday: green, logged on target
        _check_in(client, patient)
        _log_on_target(client, patient, _today(client, patient))
        clock._clock.advance(days=1)
    saturday = _check_in(client, patient, symptoms=["nausea"])  # §5 pause tier: amber
    assert saturday["status"] == "amber"
    session = _today(client, patient)
    assert session["levels"]["walking_aerobic"] == 2
    _log_on_target(client, patient, session)
    clock._clock.advance(days=1)
    _check_in(client, patient)  # Sunday, the same ISO week as Saturday's amber day
    assert _today(client, patient)["levels"]["walking_aerobic"] == 2


# Fixed 2026-12-03 (was xfail): §9 RED 'No session': a second check-in the same day with lower
# scores replaces a  non-holding red (fatigue ≥9) and today's session is served
def test_fatigue_9_or_more_a_later_check_in_does_not_lift_todays_red(client) -> None:
    # §9 RED: "fatigue or pain ≥9, or ≥7 with a jump of ≥3 from baseline → No session;
    # notify the physio".
    patient = _walker(client)
    assert _check_in(client, patient, fatigue=9)["status"] == "red"
    _check_in(client, patient, fatigue=3)  # ten minutes later
    assert _today(client, patient)["blocks"] == []


# ---------------------------------------------------------------- §4.2 / §6 progress slowly
# Fixed 2026-12-04 (B4): lymphoedema "progress slowly", HSCT "avoid over-training" and bone
# metastases "start low, go slow" had the same +1 level every 7 days as everyone.
@pytest.mark.parametrize(
    "who",
    [
        profile(precautions=frozenset({"lymphoedema"})),
        profile(precautions=frozenset({"hsct"})),
        profile(Lesion("pelvis", resistance_cleared=True)),
    ],
    ids=["lymphoedema", "hsct", "bone lesion"],
)
def test_progress_slowly_no_second_step_within_14_days(who) -> None:
    # §4.2 "Lymphoedema | ... progress slowly"; "HSCT | Avoid over-training"; §6 EFFECT
    # "Start low, go slow". Ten days after a step is more than the usual 7: still no step.
    slow = rules().slow_progression_for(who)
    assert slow is not None and slow.raise_every_days >= 14
    tolerated = tuple(
        SessionOutcome(TODAY - timedelta(days=d), 3, True, True) for d in (6, 4, 2)
    )
    state = ModalityState(
        modality="walking_aerobic",
        current=3,
        range=LevelRange(1, 8),
        last_raise=TODAY - timedelta(days=10),
        recent=tolerated,
        raise_every_days=slow.raise_every_days,
    )
    decision = decide(DecisionInput(today=TODAY, verdict="green", state=state), "rules")
    assert decision.chosen == 3 and "slow_progression_interval" in decision.reason_codes
    usual = decide(
        DecisionInput(today=TODAY, verdict="green", state=replace(state, raise_every_days=None)),
        "rules",
    )
    assert usual.chosen == 4


def test_progress_slowly_does_not_apply_without_the_condition() -> None:
    assert rules().slow_progression_for(profile()) is None
