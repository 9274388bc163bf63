"""§11 timing around chemotherapy and radiotherapy."""

import pytest

from backend.domain.records import TreatmentCalendar
from tests.unit.safety.helpers import codes, days_ago, judge, lab, patient


def infusion(days: int) -> TreatmentCalendar:
    return TreatmentCalendar(infusions=(days_ago(days),))


@pytest.mark.parametrize("day", [0, 1])
def test_infusion_days_0_1_optional_light_session(rules, day):
    verdict = judge(rules, calendar=infusion(day))
    assert verdict.status == "amber"
    assert codes(verdict) == {"infusion_days_0_1", "pool_cytotoxic_window"}
    # "light" is below the brief's CR-10 3 ~ moderate anchor (§1).
    assert verdict.max_target_rpe == 2


@pytest.mark.parametrize("day", [0, 1])
def test_high_dose_infusion_no_exercise_24h(rules, day):
    # §11 "advise no exercise within 24 h of high-dose IV chemotherapy (secondary)".
    high = TreatmentCalendar(infusions=(days_ago(day),), high_dose_infusions=(days_ago(day),))
    verdict = judge(rules, calendar=high)
    assert verdict.status == "red"
    assert "high_dose_infusion_no_exercise_24h" in codes(verdict)
    assert not verdict.new_red_flag  # a treatment day the team recorded, not an event


def test_high_dose_infusion_rule_ends_after_day_1_and_ignores_other_infusions(rules):
    high = TreatmentCalendar(infusions=(days_ago(2),), high_dose_infusions=(days_ago(2),))
    assert judge(rules, calendar=high).status == "amber"  # days 2-5 as any infusion
    assert "high_dose_infusion_no_exercise_24h" not in codes(judge(rules, calendar=infusion(0)))


@pytest.mark.parametrize("day", [2, 3, 5])
def test_infusion_days_2_5_amber(rules, day):
    verdict = judge(rules, calendar=infusion(day))
    assert verdict.status == "amber"
    assert codes(verdict) == {"infusion_days_2_5", "pool_cytotoxic_window"}


def test_infusion_day_6_green_but_no_pool_in_the_cytotoxic_window(rules):
    verdict = judge(rules, calendar=infusion(6))
    assert verdict.status == "green"
    assert codes(verdict) == {"pool_cytotoxic_window"}
    assert "aquatic" in verdict.excluded_modalities


@pytest.mark.parametrize("day", [0, 3, 7])
def test_pool_cytotoxic_window_keeps_the_pool_out_until_the_team_decides(rules, day):
    assert "aquatic" in judge(rules, calendar=infusion(day)).excluded_modalities
    cleared = patient(clearances=frozenset({"pool_after_infusion"}))
    verdict = judge(rules, cleared, calendar=infusion(day))
    assert "pool_cytotoxic_window" not in codes(verdict)


def test_pool_cytotoxic_window_ends_after_day_7(rules):
    assert "pool_cytotoxic_window" not in codes(judge(rules, calendar=infusion(8)))


def test_nadir_days_7_19_day_10_excludes_immersion(rules):
    verdict = judge(rules, calendar=infusion(10))
    assert codes(verdict) == {"nadir_days_7_19"}
    assert "immersion" in verdict.excluded_tags
    assert "aquatic" in verdict.excluded_modalities


def test_nadir_days_7_19_lifted_when_neutrophils_known_fine(rules):
    verdict = judge(rules, calendar=infusion(10), labs=[lab("neutrophils", 2.0, age_days=1)])
    assert "nadir_days_7_19" not in codes(verdict)
    assert "immersion" not in verdict.excluded_tags


def test_nadir_lift_needs_neutrophils_at_least_1_5(rules):
    fine = judge(rules, calendar=infusion(10), labs=[lab("neutrophils", 1.5)])
    low = judge(rules, calendar=infusion(10), labs=[lab("neutrophils", 1.45)])
    assert "nadir_days_7_19" not in codes(fine)
    assert "nadir_days_7_19" in codes(low)


def test_nadir_not_lifted_by_a_stale_neutrophil_count(rules):
    old = lab("neutrophils", 2.0, age_days=rules.lab_staleness_days + 1)
    assert "immersion" in judge(rules, calendar=infusion(10), labs=[old]).excluded_tags


def test_nadir_days_7_19_not_lifted_by_a_count_drawn_before_the_infusion(rules):
    # The audit's case: infusion 8 days ago, ANC 4.0 drawn 2 days before it.
    before = lab("neutrophils", 4.0, age_days=10)
    verdict = judge(rules, calendar=infusion(8), labs=[before])
    assert "nadir_days_7_19" in codes(verdict)
    assert "aquatic" in verdict.excluded_modalities


def test_nadir_days_7_19_not_lifted_by_a_count_drawn_before_the_window_opens(rules):
    # Day 3 after the infusion is before the nadir (day 7): it says nothing about it.
    early = lab("neutrophils", 4.0, age_days=7)
    assert "nadir_days_7_19" in codes(judge(rules, calendar=infusion(10), labs=[early]))
    inside = lab("neutrophils", 4.0, age_days=3)
    assert "nadir_days_7_19" not in codes(judge(rules, calendar=infusion(10), labs=[inside]))


def test_nadir_ends_after_day_19(rules):
    assert judge(rules, calendar=infusion(20)).reasons == ()


def test_future_infusion_is_ignored(rules):
    assert judge(rules, calendar=infusion(-1)).reasons == ()


def test_every_infusion_is_checked(rules):
    calendar = TreatmentCalendar(infusions=(days_ago(10), days_ago(3)))
    assert codes(judge(rules, calendar=calendar)) == {
        "infusion_days_2_5",
        "nadir_days_7_19",
        "pool_cytotoxic_window",
    }


@pytest.mark.parametrize("offset", [0, 5, 10])
def test_radiotherapy_window_no_immersion(rules, offset):
    window = TreatmentCalendar(radiotherapy=((days_ago(offset), days_ago(offset - 10)),))
    verdict = judge(rules, calendar=window)
    assert codes(verdict) == {"radiotherapy_window"}
    assert "immersion" in verdict.excluded_tags
    assert "aquatic" in verdict.excluded_modalities


def test_radiotherapy_window_over_two_weeks_after_the_last_treatment(rules):
    ended = TreatmentCalendar(radiotherapy=((days_ago(45), days_ago(15)),))
    assert judge(rules, calendar=ended).reasons == ()
    skin_still_sensitive = TreatmentCalendar(radiotherapy=((days_ago(44), days_ago(14)),))
    assert "radiotherapy_window" in codes(judge(rules, calendar=skin_still_sensitive))
