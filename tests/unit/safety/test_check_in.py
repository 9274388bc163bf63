"""§5 red flags and §9 go / caution / stop on today's check-in."""

import pytest

from backend.domain.records import Baseline
from backend.domain.safety import red_flag_codes
from tests.unit.safety.helpers import (
    NO_CHECK_IN,
    TODAY,
    check_in,
    codes,
    days_ago,
    judge,
    patient,
)

EMERGENCY = [
    "chest_pain",
    "severe_breathlessness",
    "fainting",
    "cyanosis_or_pallor",
    "stroke_signs",
    "bladder_bowel_or_saddle",
    "swollen_limb",
]
SAME_DAY = [
    "fever",
    "bone_pain",
    "pain_on_weight_bearing",
    "spinal_pain",
    "unsteadiness_or_leg_weakness",
    "bleeding_or_bruising",
    "palpitations",
    "dizziness",
    "blurred_vision",
]
PAUSE = [
    "unusual_muscle_or_joint_pain",
    "nausea",
    "persistent_headache",
    "unusual_fatigue",
    "tingling",
    "more_pain_medication",
    "pain_during_exercise",
]
TODAY_ONLY = ["vomiting"]


def test_red_flag_codes_are_the_closed_list(rules):
    assert red_flag_codes(rules) == frozenset(EMERGENCY + SAME_DAY + PAUSE + TODAY_ONLY)


@pytest.mark.parametrize("symptom", EMERGENCY)
def test_red_flag_emergency_tier_red_with_emergency_advice(rules, symptom):
    verdict = judge(rules, today_check_in=check_in(symptoms=[symptom]))
    assert verdict.status == "red"
    assert verdict.emergency
    assert verdict.advice == rules.advice.emergency
    assert "emergency" in verdict.advice
    assert codes(verdict) == {f"red_flag_{symptom}"}


@pytest.mark.parametrize("symptom", SAME_DAY)
def test_red_flag_same_day_tier_red_contact_team_today(rules, symptom):
    verdict = judge(rules, today_check_in=check_in(symptoms=[symptom]))
    assert verdict.status == "red"
    assert not verdict.emergency
    assert verdict.advice == rules.advice.red
    assert "today" in verdict.advice


@pytest.mark.parametrize("symptom", PAUSE)
def test_red_flag_pause_tier_amber_lighter_option(rules, symptom):
    verdict = judge(rules, today_check_in=check_in(symptoms=[symptom]))
    assert verdict.status == "amber"
    assert verdict.max_target_rpe == 2  # a light option (§1: CR-10 3 is moderate)
    assert verdict.advice == rules.advice.amber


@pytest.mark.parametrize("symptom", EMERGENCY + SAME_DAY)
def test_red_flags_of_the_stop_tiers_hold_until_the_care_team_clears(rules, symptom):
    verdict = judge(rules, today_check_in=check_in(symptoms=[symptom]))
    assert {r.code for r in rules.all_rules() if r.holds_until_cleared} >= codes(verdict)


def test_vomiting_within_24h_is_red_for_the_day(rules):
    verdict = judge(rules, today_check_in=check_in(symptoms=["vomiting"]))
    assert verdict.status == "red"
    assert codes(verdict) == {"vomiting_within_24h"}


@pytest.mark.parametrize("today", [True, False], ids=["clean check-in", "no check-in"])
def test_vomiting_within_24h_reaches_past_midnight(rules, today):
    # §4.1 Gilchrist "no vomiting within 24 h": sick at 22:00, this morning at 08:00 is 10 h.
    last_night = Baseline(recent_symptoms=((10.0, frozenset({"vomiting"})),))
    verdict = judge(rules, today_check_in=check_in() if today else NO_CHECK_IN, baseline=last_night)
    assert verdict.status == "red"
    assert "vomiting_within_24h" in codes(verdict)
    assert not verdict.new_red_flag  # the team heard of it when it was reported


def test_vomiting_within_24h_lapses_after_24_hours(rules):
    two_days = Baseline(recent_symptoms=((25.0, frozenset({"vomiting"})),))
    verdict = judge(rules, today_check_in=check_in(), baseline=two_days)
    assert "vomiting_within_24h" not in codes(verdict)


def test_analgesic_use_rising_is_amber(rules):
    verdict = judge(rules, today_check_in=check_in(symptoms=["more_pain_medication"]))
    assert verdict.status == "amber"
    assert codes(verdict) == {"analgesic_use_rising"}


@pytest.mark.parametrize(
    "site", ["spine_cervical", "spine_thoracic", "spine_lumbar", "spine_sacral"]
)
@pytest.mark.parametrize("symptom", ["tingling", "unsteadiness_or_leg_weakness"])
def test_cord_compression_signs_red_with_a_spinal_lesion(rules, site, symptom):
    verdict = judge(rules, patient(site), today_check_in=check_in(symptoms=[symptom]))
    assert verdict.status == "red"
    assert "cord_compression_signs" in codes(verdict)


def test_tingling_without_a_spinal_lesion_is_amber(rules):
    verdict = judge(rules, patient("liver"), today_check_in=check_in(symptoms=["tingling"]))
    assert verdict.status == "amber"
    assert "cord_compression_signs" not in codes(verdict)


def test_emergency_advice_wins_over_other_red_reasons(rules):
    verdict = judge(rules, today_check_in=check_in(symptoms=["chest_pain", "dizziness"]))
    assert verdict.advice == rules.advice.emergency


def test_unknown_symptom_is_refused_not_ignored(rules):
    with pytest.raises(ValueError, match="chest_ache"):
        judge(rules, today_check_in=check_in(symptoms=["chest_ache"]))


# ---------- §9 traffic light ----------
@pytest.mark.parametrize(
    ("fatigue", "status"), [(6, "green"), (7, "amber"), (8, "amber"), (9, "red")]
)
def test_fatigue_bands(rules, fatigue, status):
    assert judge(rules, today_check_in=check_in(fatigue=fatigue)).status == status


def test_fatigue_7_to_8_swaps_for_ten_light_minutes(rules):
    verdict = judge(rules, today_check_in=check_in(fatigue=7))
    assert codes(verdict) == {"fatigue_7_to_8"}
    assert verdict.max_minutes == 10
    assert verdict.max_target_rpe == 2  # "light activity"


@pytest.mark.parametrize("fatigue", [9, 10])
def test_fatigue_9_or_more_red(rules, fatigue):
    verdict = judge(rules, today_check_in=check_in(fatigue=fatigue))
    assert codes(verdict) == {"fatigue_9_or_more"}


def test_fatigue_7_with_jump_3_from_baseline_red(rules):
    verdict = judge(rules, today_check_in=check_in(fatigue=7), baseline=Baseline(fatigue=4))
    assert verdict.status == "red"
    assert "fatigue_7_with_jump_3" in codes(verdict)


def test_fatigue_7_with_jump_of_only_2_stays_amber(rules):
    verdict = judge(rules, today_check_in=check_in(fatigue=7), baseline=Baseline(fatigue=5))
    assert verdict.status == "amber"


def test_fatigue_jump_needs_a_baseline(rules):
    assert judge(rules, today_check_in=check_in(fatigue=8)).status == "amber"


@pytest.mark.parametrize(
    ("pain", "status"), [(3, "green"), (4, "amber"), (6, "amber"), (8, "amber"), (9, "red")]
)
def test_pain_bands(rules, pain, status):
    assert judge(rules, today_check_in=check_in(pain=pain)).status == status


def test_pain_4_to_8_amber(rules):
    assert codes(judge(rules, today_check_in=check_in(pain=5))) == {"pain_4_to_8"}


@pytest.mark.parametrize("pain", [9, 10])
def test_pain_9_or_more_red(rules, pain):
    assert codes(judge(rules, today_check_in=check_in(pain=pain))) == {"pain_9_or_more"}


def test_pain_7_with_jump_3_from_baseline_red(rules):
    verdict = judge(rules, today_check_in=check_in(pain=7), baseline=Baseline(pain=4))
    assert verdict.status == "red"
    assert "pain_7_with_jump_3" in codes(verdict)


def test_pain_2_above_baseline_amber(rules):
    verdict = judge(rules, today_check_in=check_in(pain=3), baseline=Baseline(pain=1))
    assert verdict.status == "amber"
    assert codes(verdict) == {"pain_2_above_baseline"}


def test_fatigue_2_above_baseline_is_not_stable_so_amber(rules):
    """Brief §9 GREEN: "Stable fatigue ≤6"; a rise of 2 from the usual is not stable."""
    verdict = judge(rules, today_check_in=check_in(fatigue=5), baseline=Baseline(fatigue=3))
    assert verdict.status == "amber"
    assert codes(verdict) == {"fatigue_2_above_baseline"}
    steady = judge(rules, today_check_in=check_in(fatigue=4), baseline=Baseline(fatigue=3))
    assert steady.status == "green"


def test_pain_1_above_baseline_green(rules):
    verdict = judge(rules, today_check_in=check_in(pain=2), baseline=Baseline(pain=1))
    assert verdict.status == "green"


def test_pain_at_known_lesion_red(rules):
    verdict = judge(rules, today_check_in=check_in(pain=2, pain_at_lesion=True))
    assert verdict.status == "red"
    assert codes(verdict) == {"pain_at_known_lesion"}


def test_srpe_above_target_amber(rules):
    verdict = judge(rules, baseline=Baseline(last_session_rpe_over_target=2))
    assert verdict.status == "amber"
    assert codes(verdict) == {"srpe_above_target"}


def test_srpe_less_than_1_above_target_green(rules):
    """GREEN needs "last session on target": +1 is not (second reader); +0.5 still is."""
    assert judge(rules, baseline=Baseline(last_session_rpe_over_target=0.5)).status == "green"
    assert judge(rules, baseline=Baseline(last_session_rpe_over_target=1.0)).status == "amber"


def test_check_in_missing_is_amber_and_says_a_check_in_unlocks_the_full_session(rules):
    verdict = judge(rules, today_check_in=NO_CHECK_IN, baseline=Baseline(fatigue=9, pain=9))
    assert verdict.status == "amber"
    assert codes(verdict) == {"check_in_missing"}
    assert verdict.check_in_missing
    assert "check in" in verdict.reasons[0].message.lower()


def test_check_in_from_another_day_counts_as_none(rules):
    yesterday = check_in(symptoms=["dizziness"], on=days_ago(1))
    assert codes(judge(rules, today_check_in=yesterday)) == {"check_in_missing"}
    assert judge(rules, today_check_in=check_in(symptoms=["dizziness"], on=TODAY)).status == "red"


@pytest.mark.parametrize(("fatigue", "pain"), [(7, 0), (8, 0), (0, 7), (0, 8)])
def test_first_ever_check_in_with_fatigue_or_pain_7_to_8_is_not_green(rules, fatigue, pain):
    verdict = judge(rules, today_check_in=check_in(fatigue=fatigue, pain=pain), baseline=Baseline())
    assert verdict.status == "amber"


@pytest.mark.parametrize("score", ["fatigue", "pain"])
def test_next_day_score_2_above_pre_session_is_amber(rules, score):
    before = Baseline(pre_session_fatigue=2, pre_session_pain=1)
    rise = {"fatigue": 2, "pain": 1, score: (2 if score == "fatigue" else 1) + 2}
    verdict = judge(rules, today_check_in=check_in(**rise), baseline=before)
    assert verdict.status == "amber"
    assert f"{score}_next_day_2_above_pre_session" in codes(verdict)
    small = {"fatigue": 2, "pain": 1, score: (2 if score == "fatigue" else 1) + 1}
    assert judge(rules, today_check_in=check_in(**small), baseline=before).status == "green"


def test_pain_during_loaded_exercise_lightens_the_next_session(rules):
    verdict = judge(rules, today_check_in=check_in(symptoms=["pain_during_exercise"]))
    assert verdict.status == "amber"
    assert codes(verdict) == {"pain_during_loaded_exercise"}
    assert verdict.max_target_rpe == 2
