"""§6 lesion-site modules and fracture-risk gate; §7 Chen 2025 metastatic sites."""

import pytest

from backend.domain.records import Lesion, PatientProfile
from tests.unit.safety.helpers import CLEARED, codes, judge, patient

SPINAL_MOVEMENT = {"spinal_flexion", "spinal_extension", "spinal_rotation"}


# ---------- §6 Galvão lesion-site modules ----------
def test_lesion_module_pelvis_knee_only_no_weight_bearing_aerobic(rules):
    verdict = judge(rules, patient("pelvis"))
    assert "lesion_module_pelvis" in codes(verdict)
    assert {"hip_loading", "weight_bearing"} <= verdict.excluded_tags
    # Upper-body and trunk resistance stay ("yes" in the table); knee work stays.
    assert not {"shoulder_loading", "trunk_load", "lower_limb_load"} & verdict.excluded_tags


def test_lesion_module_pelvis_physio_may_allow_walking(rules):
    verdict = judge(rules, patient("pelvis", allow_walking_with_pelvic_lesion=True))
    assert "weight_bearing" not in verdict.excluded_tags
    assert "hip_loading" in verdict.excluded_tags


def test_walking_setting_does_not_lift_the_femur_module(rules):
    verdict = judge(rules, patient("proximal_femur", allow_walking_with_pelvic_lesion=True))
    assert "weight_bearing" in verdict.excluded_tags


def test_lesion_module_proximal_femur(rules):
    verdict = judge(rules, patient("proximal_femur"))
    assert "lesion_module_proximal_femur" in codes(verdict)
    assert {"hip_loading", "weight_bearing"} <= verdict.excluded_tags
    assert not {"shoulder_loading", "trunk_load"} & verdict.excluded_tags


def test_lesion_module_lumbar_spine_no_trunk_no_spinal_movement(rules):
    verdict = judge(rules, patient("spine_lumbar"))
    assert "lesion_module_lumbar_spine" in codes(verdict)
    assert {"trunk_load", "weight_bearing"} | SPINAL_MOVEMENT <= verdict.excluded_tags
    assert not {"shoulder_loading", "hip_loading"} & verdict.excluded_tags


@pytest.mark.parametrize(
    ("site", "code"),
    [
        ("spine_cervical", "lesion_module_cervical_spine"),
        ("spine_sacral", "lesion_module_sacral_spine"),
    ],
)
def test_lesion_module_cervical_and_sacral_spine_treated_like_lumbar(rules, site, code):
    verdict = judge(rules, patient(site))
    lumbar = judge(rules, patient("spine_lumbar"))
    assert code in codes(verdict)
    extra = {"hands_behind_head"} if site == "spine_cervical" else set()
    assert verdict.excluded_tags == lumbar.excluded_tags | extra
    source = next(r.source for r in verdict.reasons if r.code == code)
    assert "[derived]" in source


@pytest.mark.parametrize("site", ["spine_thoracic", "ribs"])
def test_lesion_module_thoracic_spine_ribs_elbow_only_no_trunk(rules, site):
    verdict = judge(rules, patient(site))
    assert "lesion_module_thoracic_spine_ribs" in codes(verdict)
    assert {"shoulder_loading", "trunk_load"} | SPINAL_MOVEMENT <= verdict.excluded_tags
    # Elbow-only arm work and weight-bearing aerobic stay allowed.
    assert not {"upper_limb_load", "weight_bearing", "hip_loading"} & verdict.excluded_tags


def test_lesion_module_proximal_humerus(rules):
    verdict = judge(rules, patient("humerus"))
    assert "lesion_module_proximal_humerus" in codes(verdict)
    assert {"shoulder_loading", "upper_limb_load"} <= verdict.excluded_tags
    assert not {"trunk_load", "weight_bearing", "hip_loading"} & verdict.excluded_tags


def test_lesion_module_multiple_regions(rules):
    verdict = judge(rules, patient("humerus", "proximal_femur"))
    assert "lesion_module_multiple_regions" in codes(verdict)
    expected = {"shoulder_loading", "trunk_load", "hip_loading", "weight_bearing"}
    assert expected | SPINAL_MOVEMENT <= verdict.excluded_tags


def test_lesions_in_one_region_are_not_multiple_regions(rules):
    verdict = judge(rules, patient("spine_thoracic", "ribs"))
    assert "lesion_module_multiple_regions" not in codes(verdict)


def test_multiple_regions_ignores_the_pelvic_walking_setting(rules):
    profile = patient("pelvis", "humerus", allow_walking_with_pelvic_lesion=True)
    assert "weight_bearing" in judge(rules, profile).excluded_tags


def test_lesion_modules_are_information_not_amber(rules):
    # Bone metastases are a standing condition: they adapt the plan, not the day's status.
    assert judge(rules, patient("pelvis", "spine_lumbar")).status == "green"


def test_two_lesions_at_one_site_give_one_reason(rules):
    verdict = judge(rules, patient("pelvis", "pelvis"))
    assert [r.code for r in verdict.reasons].count("lesion_module_pelvis") == 1


# ---------- §6 fracture-risk gate ----------
def _scored(site: str, **scores: object) -> PatientProfile:
    """A patient with one lesion carrying fracture-risk scores."""
    lesions = (Lesion(site=site, **scores),)  # type: ignore[arg-type]
    return PatientProfile(cancer_type="prostate", lesions=lesions, clearances=CLEARED)


def test_fracture_risk_mirels_7_no_gate(rules):
    verdict = judge(rules, _scored("proximal_femur", mirels=7))
    assert "fracture_risk_high" not in codes(verdict)
    assert not verdict.supervised_only


def test_fracture_risk_mirels_8_supervised_only_no_loading_of_region(rules):
    verdict = judge(rules, _scored("proximal_femur", mirels=8))
    # "supervised sessions only until cleared": no home session at all (second reader).
    assert verdict.status == "red" and not verdict.new_red_flag
    assert "fracture_risk_high" in codes(verdict)
    assert verdict.supervised_only
    assert {"hip_loading", "lower_limb_load", "weight_bearing", "impact"} <= verdict.excluded_tags
    reason = next(r for r in verdict.reasons if r.code == "fracture_risk_high")
    assert "supervised" in reason.message
    assert reason.source.startswith("[derived]")


def test_fracture_risk_sins_6_no_gate(rules):
    assert "fracture_risk_high" not in codes(judge(rules, _scored("spine_thoracic", sins=6)))


def test_fracture_risk_sins_7_supervised_only(rules):
    verdict = judge(rules, _scored("spine_thoracic", sins=7))
    assert verdict.status == "red"
    assert verdict.supervised_only
    assert {"trunk_load", "shoulder_loading"} | SPINAL_MOVEMENT <= verdict.excluded_tags


def test_fracture_risk_humerus_gate_loads_only_the_arm(rules):
    verdict = judge(rules, _scored("humerus", mirels=9))
    assert "upper_limb_load" in verdict.excluded_tags
    assert "weight_bearing" not in verdict.excluded_tags


def test_fracture_risk_cleared_by_clinician_lifts_the_gate(rules):
    verdict = judge(rules, _scored("proximal_femur", mirels=10, cleared_by_clinician=True))
    assert "fracture_risk_high" not in codes(verdict)
    assert not verdict.supervised_only
    assert "lower_limb_load" not in verdict.excluded_tags
    # The lesion-site module itself still applies.
    assert "lesion_module_proximal_femur" in codes(verdict)


# ---------- §7 Chen 2025 metastatic sites ----------
def test_chen2025_bone_low_impact(rules):
    verdict = judge(rules, patient("spine_thoracic"))
    assert "chen2025_bone" in codes(verdict)
    assert "impact" in verdict.excluded_tags
    # bone_disease (Macmillan) excludes impact too; each rule must stand on its own.
    (chen,) = [r for r in rules.site_rules if r.rule.code == "chen2025_bone"]
    assert "impact" in chen.rule.effects.excluded_tags


def test_chen2025_lung_caps_intensity_to_low(rules):
    verdict = judge(rules, patient("lung"))
    assert codes(verdict) == {"chen2025_lung"}
    assert verdict.max_target_rpe == 2  # "low-intensity" (§1: CR-10 3 is moderate)
    assert verdict.excluded_tags == {"brisk_pace"}


def test_chen2025_liver_short_low_intensity_sessions(rules):
    verdict = judge(rules, patient("liver"))
    assert codes(verdict) == {"chen2025_liver"}
    assert verdict.max_target_rpe == 2  # "low-intensity, brief-duration"
    assert verdict.max_minutes == 20


def test_chen2025_brain_no_solo_swimming_no_impact_balance_kept(rules):
    verdict = judge(rules, patient("brain"))
    assert codes(verdict) == {"chen2025_brain"}
    # Fall precautions: no brisk walking, no floor transfers, supported first.
    assert {"immersion", "impact", "brisk_pace", "floor_transfer"} <= verdict.excluded_tags
    assert verdict.prefer_seated
    assert verdict.max_target_rpe == 2  # "light cardiovascular workouts"
    assert "aquatic" in verdict.excluded_modalities
    assert "balance_challenge" not in verdict.excluded_tags
    assert "balance" not in verdict.excluded_modalities


def test_chen2025_lymph_nodes_moderate_resistance(rules):
    verdict = judge(rules, patient("lymph_nodes"))
    assert codes(verdict) == {"chen2025_lymph_nodes"}
    assert verdict.max_target_rpe == 4
    assert "resistance_band" not in verdict.excluded_modalities


def test_chen2025_skin_low_friction_no_pool(rules):
    verdict = judge(rules, patient("skin"))
    assert codes(verdict) == {"chen2025_skin"}
    # "minimize friction or excessive stretching"
    assert {"immersion", "skin_friction", "end_range_stretch"} <= verdict.excluded_tags
    assert verdict.max_target_rpe is None


def test_chen2025_gi_low_to_moderate(rules):
    verdict = judge(rules, patient("gi"))
    assert codes(verdict) == {"chen2025_gi"}
    assert verdict.max_target_rpe == 4


def test_caps_combine_to_the_strictest(rules):
    verdict = judge(rules, patient("gi", "liver"))
    assert verdict.max_target_rpe == 2
    assert verdict.max_minutes == 20
