"""§4.2 situations: precautions, recent surgery and bone disease."""

import pytest

from tests.unit.safety.helpers import CLEARED, TODAY, codes, days_ago, judge, patient

HEALED = CLEARED | {"training_after_surgery"}


@pytest.mark.parametrize("line", ["central_line", "picc"])
def test_central_line_and_picc_no_immersion_no_arm_loading(rules, line):
    verdict = judge(rules, patient(precautions=[line]))
    assert codes(verdict) == {line}
    assert {"immersion", "upper_limb_load", "shoulder_loading"} <= verdict.excluded_tags
    assert "aquatic" in verdict.excluded_modalities
    # A lifelong device must not hold the patient at amber (no progression) for ever.
    assert verdict.status == "green"


def test_port_caution_only(rules):
    verdict = judge(rules, patient(precautions=["port"]))
    assert codes(verdict) == {"port"}
    assert verdict.excluded_tags == frozenset()
    assert verdict.excluded_modalities == frozenset()


@pytest.mark.parametrize(
    ("precaution", "excluded"),
    [
        ("peripheral_neuropathy", {"impact"}),
        # §10: "no brisk-walking programmes for people at high fall risk"
        ("falls", {"impact", "brisk_pace", "floor_transfer"}),
        ("ataxia", {"impact", "brisk_pace", "floor_transfer"}),
    ],
)
def test_neuropathy_and_falls_no_impact_balance_kept_seated_first(rules, precaution, excluded):
    verdict = judge(rules, patient(precautions=[precaution]))
    assert codes(verdict) == {precaution}
    assert verdict.excluded_tags == excluded
    assert "balance_challenge" not in verdict.excluded_tags
    assert verdict.prefer_seated


def test_lymphoedema_allowed_progress_slowly(rules):
    verdict = judge(rules, patient(precautions=["lymphoedema"]))
    assert verdict.status == "green"
    assert codes(verdict) == {"lymphoedema"}
    assert verdict.excluded_tags == frozenset()
    assert "slowly" in verdict.reasons[0].message


def test_ostomy_no_breath_holding_no_trunk_load(rules):
    verdict = judge(rules, patient(precautions=["ostomy"]))
    assert verdict.excluded_tags == {"breath_holding_risk", "trunk_load"}


def test_anticoagulants_no_impact(rules):
    verdict = judge(rules, patient(precautions=["anticoagulants"]))
    assert verdict.excluded_tags == {"impact"}


def test_hsct_no_public_pool(rules):
    verdict = judge(rules, patient(precautions=["hsct"]))
    assert "immersion" in verdict.excluded_tags
    assert "aquatic" in verdict.excluded_modalities


def test_cardiopulmonary_toxicity_once_cleared_tells_what_to_report(rules):
    verdict = judge(rules, patient(precautions=["cardiopulmonary_toxicity"]))
    assert verdict.status == "green"
    assert codes(verdict) == {"cardiopulmonary_toxicity"}
    assert "swollen ankles" in verdict.reasons[0].message


def test_bone_disease_no_impact_no_forward_bending(rules):
    verdict = judge(rules, patient("ribs"))
    assert "bone_disease" in codes(verdict)
    assert {"impact", "spinal_flexion"} <= verdict.excluded_tags


def test_visceral_lesion_is_not_bone_disease(rules):
    assert "bone_disease" not in codes(judge(rules, patient("lung")))


def test_recent_surgery_within_window_amber_no_trunk_load(rules):
    window = rules.recent_surgery.within_days
    verdict = judge(rules, patient(surgery_date=days_ago(window), clearances=HEALED))
    assert verdict.status == "amber"
    assert codes(verdict) == {"recent_surgery"}
    assert {"trunk_load", "breath_holding_risk", "immersion"} <= verdict.excluded_tags
    assert "aquatic" in verdict.excluded_modalities


def test_recent_surgery_wound_healing_blocks_training_until_the_surgical_team_clears(rules):
    """Source: "Recent surgery: Early wound healing blocks training"."""
    verdict = judge(rules, patient(surgery_date=days_ago(3)))
    assert verdict.status == "red"
    assert codes(verdict) == {"recent_surgery", "recent_surgery_wound_healing"}
    assert not verdict.new_red_flag  # a recorded state, not an event: no daily alert
    cleared = judge(rules, patient(surgery_date=days_ago(3), clearances=HEALED))
    assert cleared.status == "amber"


def test_recent_surgery_after_window_is_green_once_the_team_has_cleared_training(rules):
    window = rules.recent_surgery.within_days
    profile = patient(
        precautions=["recent_surgery"], surgery_date=days_ago(window + 1), clearances=HEALED
    )
    assert judge(rules, profile).status == "green"


def test_recent_surgery_window_is_42_days(rules):
    assert judge(rules, patient(surgery_date=days_ago(42), clearances=HEALED)).status == "amber"
    assert judge(rules, patient(surgery_date=days_ago(43), clearances=HEALED)).status == "green"


def test_recent_surgery_wound_healing_does_not_lapse_with_the_window(rules):
    """Second reader: the window cannot know the wound has healed; only the team's go-ahead."""
    verdict = judge(rules, patient(surgery_date=days_ago(43)))
    assert codes(verdict) == {"recent_surgery_wound_healing"}


def test_recent_surgery_flag_without_date_counts_as_recent(rules):
    verdict = judge(rules, patient(precautions=["recent_surgery"]))
    assert codes(verdict) == {"recent_surgery", "recent_surgery_wound_healing"}


def test_planned_surgery_is_not_recent(rules):
    assert judge(rules, patient(surgery_date=TODAY.replace(year=TODAY.year + 1))).reasons == ()


def test_pool_general_contraindication_keeps_the_pool_out(rules):
    verdict = judge(rules, patient(precautions=["no_pool_condition"]))
    assert codes(verdict) == {"pool_general_contraindication"}
    assert "aquatic" in verdict.excluded_modalities and "immersion" in verdict.excluded_tags
