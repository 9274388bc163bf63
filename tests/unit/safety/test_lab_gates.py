"""§4.1 lab gates, lab staleness and fever."""

import pytest

from tests.unit.safety.helpers import check_in, codes, judge, lab


def test_platelets_above_50_pass_the_gate(rules):
    verdict = judge(rules, labs=[lab("platelets", 51)])
    assert verdict.status == "green"
    assert verdict.reasons == ()


@pytest.mark.parametrize("value", [50, 40, 30.1])
def test_platelets_30_to_50_moderate_exercise_no_resistance(rules, value):
    verdict = judge(rules, labs=[lab("platelets", value)])
    assert verdict.status == "amber"
    assert codes(verdict) == {"platelets_30_to_50"}
    assert "resistance_band" in verdict.excluded_modalities
    assert "impact" in verdict.excluded_tags
    assert verdict.max_target_rpe == 4


@pytest.mark.parametrize("value", [30, 25, 20.1])
def test_platelets_20_to_30_light_exercise_with_fall_plan(rules, value):
    verdict = judge(rules, labs=[lab("platelets", value)])
    assert verdict.status == "amber"
    assert codes(verdict) == {"platelets_20_to_30"}
    assert {"impact", "balance_challenge", "floor_transfer"} <= verdict.excluded_tags
    assert verdict.max_target_rpe == 2  # "light exercise" (§1: CR-10 3 is moderate)
    assert verdict.prefer_seated


def test_platelets_below_20_exactly_20_is_not_above_20(rules):
    # Maltser: ">20: light exercise"; exactly 20 is not above it.
    assert codes(judge(rules, labs=[lab("platelets", 20)])) == {"platelets_below_20"}


def test_neutrophils_below_0_5_exactly_0_5_is_not_above_0_5(rules):
    # Gilchrist: "ANC >500/mm³"; exactly 0.5 x10^9/L does not pass.
    verdict = judge(rules, labs=[lab("neutrophils", 0.5)])
    assert verdict.status == "red"
    assert "neutrophils_below_0_5" in codes(verdict)
    assert judge(rules, labs=[lab("neutrophils", 0.51)]).status == "amber"


@pytest.mark.parametrize(
    ("name", "value", "code"),
    [
        ("sodium", 134.9, "sodium_below_135"),
        ("sodium", 145.1, "sodium_above_145"),
        ("potassium", 3.4, "potassium_below_3_5"),
        ("potassium", 5.1, "potassium_above_5_0"),
    ],
)
def test_electrolytes_out_of_range_no_session(rules, name, value, code):
    verdict = judge(rules, labs=[lab(name, value)])
    assert verdict.status == "red"
    assert codes(verdict) == {code}


@pytest.mark.parametrize(("name", "value"), [("sodium", 135), ("sodium", 145), ("potassium", 3.5), ("potassium", 5.0)])
def test_electrolytes_at_the_range_ends_pass(rules, name, value):
    assert judge(rules, labs=[lab(name, value)]).status == "green"


@pytest.mark.parametrize("value", [19.9, 5])
def test_platelets_below_20_no_session(rules, value):
    verdict = judge(rules, labs=[lab("platelets", value)])
    assert verdict.status == "red"
    # Only the tightest band speaks: no contradictory "moderate exercise" message.
    assert codes(verdict) == {"platelets_below_20"}


def test_haemoglobin_below_8_short_light_sessions(rules):
    verdict = judge(rules, labs=[lab("haemoglobin", 7.9)])
    assert verdict.status == "amber"
    assert codes(verdict) == {"haemoglobin_below_8"}
    assert verdict.max_minutes == 20
    assert verdict.max_target_rpe == 3


def test_haemoglobin_at_8_passes(rules):
    assert judge(rules, labs=[lab("haemoglobin", 8.0)]).status == "green"


def test_neutrophils_below_1_5_no_pool_or_group(rules):
    verdict = judge(rules, labs=[lab("neutrophils", 1.4)])
    assert verdict.status == "amber"
    assert codes(verdict) == {"neutrophils_below_1_5"}
    assert "immersion" in verdict.excluded_tags
    assert "aquatic" in verdict.excluded_modalities
    assert verdict.max_target_rpe == 4


def test_neutrophils_at_1_5_pass(rules):
    assert judge(rules, labs=[lab("neutrophils", 1.5)]).status == "green"


def test_neutrophils_below_0_5_severe_neutropenia_is_red(rules):
    verdict = judge(rules, labs=[lab("neutrophils", 0.4)])
    assert verdict.status == "red"
    assert codes(verdict) == {"neutrophils_below_0_5"}
    assert "immersion" in verdict.excluded_tags


def test_wbc_below_2_0_no_pool_or_group(rules):
    verdict = judge(rules, labs=[lab("wbc", 1.9)])
    assert verdict.status == "amber"
    assert codes(verdict) == {"wbc_below_2_0"}
    assert "aquatic" in verdict.excluded_modalities
    assert judge(rules, labs=[lab("wbc", 2.0)]).status == "green"


def test_only_the_latest_lab_result_counts(rules):
    recovered = [lab("platelets", 15, age_days=8), lab("platelets", 120, age_days=2)]
    assert judge(rules, labs=recovered).status == "green"
    dropped = [lab("platelets", 120, age_days=8), lab("platelets", 15, age_days=2)]
    assert judge(rules, labs=dropped).status == "red"


def test_two_results_on_one_day_the_lower_counts(rules):
    same_day = [lab("platelets", 15, age_days=1), lab("platelets", 120, age_days=1)]
    assert codes(judge(rules, labs=same_day)) == {"platelets_below_20"}


def test_labs_older_than_14_days_are_stale(rules):
    assert codes(judge(rules, labs=[lab("platelets", 15, age_days=14)])) == {"platelets_below_20"}
    assert codes(judge(rules, labs=[lab("platelets", 15, age_days=15)])) == {
        "platelets_below_20",
        "labs_out_of_date",
    }


def test_lab_at_the_staleness_limit_still_counts(rules):
    age = rules.lab_staleness_days
    assert judge(rules, labs=[lab("platelets", 15, age_days=age)]).status == "red"


def test_labs_out_of_date_keeps_the_stale_abnormal_results_limits(rules):
    # The audit's case: platelets 12 drawn 15 days ago -> still no resisted band work.
    old = lab("platelets", 12, age_days=rules.lab_staleness_days + 1)
    verdict = judge(rules, labs=[old])
    assert verdict.status == "red"
    assert codes(verdict) == {"platelets_below_20", "labs_out_of_date"}
    moderate = judge(rules, labs=[lab("platelets", 45, age_days=30)])
    assert "resistance_band" in moderate.excluded_modalities
    assert "labs_out_of_date" in codes(moderate)


def test_labs_out_of_date_a_newer_result_replaces_the_stale_one(rules):
    labs = [lab("platelets", 12, age_days=30), lab("platelets", 180, age_days=2)]
    assert judge(rules, labs=labs).reasons == ()


def test_stale_normal_lab_is_ignored_silently(rules):
    old = lab("platelets", 200, age_days=rules.lab_staleness_days + 1)
    verdict = judge(rules, labs=[old])
    assert verdict.status == "green"
    assert verdict.reasons == ()


def test_lab_dated_after_today_is_not_yet_valid(rules):
    assert judge(rules, labs=[lab("platelets", 15, age_days=-1)]).status == "green"


def test_fever_temperature_37_9_is_green(rules):
    verdict = judge(rules, today_check_in=check_in(temperature_c=37.9))
    assert verdict.status == "green"


def test_fever_temperature_38_0_is_red(rules):
    verdict = judge(rules, today_check_in=check_in(temperature_c=38.0))
    assert verdict.status == "red"
    assert codes(verdict) == {"fever_temperature"}
    assert verdict.advice == rules.advice.red


def test_fever_symptom_is_red(rules):
    verdict = judge(rules, today_check_in=check_in(symptoms=["fever"]))
    assert verdict.status == "red"
    assert codes(verdict) == {"red_flag_fever"}


def test_potassium_above_5_0_two_results_on_one_day_the_high_one_counts_too(rules):
    # Found by the second reader's property test: "keep the lower" hid a high potassium.
    same_day = [lab("potassium", 4.2, age_days=1), lab("potassium", 5.6, age_days=1)]
    assert codes(judge(rules, labs=same_day)) == {"potassium_above_5_0"}
