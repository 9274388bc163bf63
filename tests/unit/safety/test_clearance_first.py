"""§3 NCCN high tier, §4.1 absolute contraindications and §4.2 HSCT, read from the brief.

Brief §3: "High tier: lung/abdominal surgery, ostomy, cardiopulmonary disease, ataxia,
extreme fatigue, severe malnutrition, worsening condition, bone metastases → physician
clearance first". §4.1: "Toolkit absolute contraindications: unstable angina, arrhythmia,
hypertension or heart failure; acute embolism or infarct; acute systemic infection with
fever; dissecting aneurysm; acute myocarditis or pericarditis." §4.2: "Stem-cell transplant
(HSCT): Avoid over-training".
"""

import pytest

from backend.domain.vocabulary import BONE_SITES
from tests.unit.safety.helpers import CLEARED, check_in, codes, judge, patient
from tests.unit.safety.test_rules_from_source_properties import (
    ABSOLUTE_CONTRAINDICATIONS,
    HIGH_TIER_PRECAUTIONS,
)

NOT_CLEARED = frozenset()
# The lists as the brief words them (the second reader's, not the rule file's).
HIGH_TIER = sorted(HIGH_TIER_PRECAUTIONS)
ABSOLUTE = sorted(ABSOLUTE_CONTRAINDICATIONS)


@pytest.mark.parametrize("precaution", HIGH_TIER)
def test_medical_clearance_first_for_every_high_tier_condition(rules, precaution):
    verdict = judge(rules, patient(precautions=[precaution], clearances=NOT_CLEARED))
    assert verdict.status == "red"
    assert "medical_clearance_first" in codes(verdict)
    assert not verdict.new_red_flag  # waiting for a clearance is not an alert every day
    cleared = judge(rules, patient(precautions=[precaution], clearances=CLEARED))
    assert "medical_clearance_first" not in codes(cleared)


@pytest.mark.parametrize("site", BONE_SITES)
def test_medical_clearance_first_for_bone_metastases(rules, site):
    assert judge(rules, patient(site, clearances=NOT_CLEARED)).status == "red"
    assert "medical_clearance_first" not in codes(judge(rules, patient(site)))


def test_medical_clearance_first_not_for_visceral_lesions_or_moderate_tier(rules):
    """Moderate tier (neuropathy, lymphoedema, ...) is a modified plan, not a clearance."""
    for profile in (
        patient("liver", clearances=NOT_CLEARED),
        patient(precautions=["peripheral_neuropathy", "lymphoedema"], clearances=NOT_CLEARED),
    ):
        assert "medical_clearance_first" not in codes(judge(rules, profile))


@pytest.mark.parametrize("condition", ABSOLUTE)
def test_absolute_contraindication_holds_whatever_is_cleared(rules, condition):
    everything = frozenset({"medical_clearance", "training_after_surgery"})
    verdict = judge(rules, patient(precautions=[condition], clearances=everything))
    assert verdict.status == "red"
    assert "absolute_contraindication" in codes(verdict)
    assert not verdict.new_red_flag


def test_a_red_flag_symptom_is_still_a_new_alert_beside_a_standing_state(rules):
    verdict = judge(
        rules,
        patient(precautions=["unstable_angina"]),
        today_check_in=check_in(symptoms=["chest_pain"]),
    )
    assert verdict.new_red_flag and verdict.emergency


def test_hsct_avoid_over_training_caps_effort_at_moderate(rules):
    verdict = judge(rules, patient(precautions=["hsct"]))
    assert verdict.max_target_rpe is not None and verdict.max_target_rpe <= 4
