"""The real library in content/: it loads, covers every modality, and is tagged conservatively.

The safety rules exclude exercises by tag, so these tests pin the tags that decide who may
do what (domain sections 4.2, 6, 12).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from functools import cache

import pytest

from backend.catalog import DEFAULT_CONTENT_ROOT, exercise_to_dict, load_catalog, validate_content
from backend.domain.records import Catalog
from backend.domain.vocabulary import BAND_COLOURS, MODALITIES

BADUANJIN = [
    "baduanjin-holding-up-the-sky",
    "baduanjin-drawing-the-bow",
    "baduanjin-separating-heaven-and-earth",
    "baduanjin-wise-owl-gazes-back",
    "baduanjin-swaying-head-and-tail",
    "baduanjin-touching-the-feet",
    "baduanjin-clenching-fists",
    "baduanjin-bouncing-on-the-toes",
]


@cache
def catalog() -> Catalog:
    return load_catalog(DEFAULT_CONTENT_ROOT)


def exercises():
    return list(catalog().exercises.values())


def tags(ex_id: str) -> frozenset[str]:
    return catalog().exercises[ex_id].load_tags


def test_real_library_has_no_problems():
    assert validate_content(DEFAULT_CONTENT_ROOT) == []


def test_library_is_large_enough_in_every_modality():
    counts = Counter(ex.modality for ex in exercises())
    mains = Counter(ex.modality for ex in exercises() if "main" in ex.roles)
    assert len(exercises()) >= 66
    assert {m: counts[m] >= 8 for m in MODALITIES} == dict.fromkeys(MODALITIES, True)
    assert {m: mains[m] >= 3 for m in MODALITIES} == dict.fromkeys(MODALITIES, True)


def test_every_exercise_is_serialisable_for_the_api():
    for ex in exercises():
        data = exercise_to_dict(ex)
        assert json.loads(json.dumps(data)) == data
        assert data["id"] == ex.id


def test_doses_stay_modest_and_state_minutes():
    for ex in exercises():
        for lv in ex.levels:
            assert 2 <= lv.dose.target_rpe <= 6, (ex.id, lv.level)
            assert lv.dose.minutes and lv.dose.minutes > 0, (ex.id, lv.level)


def test_every_exercise_is_written_for_patients():
    for ex in exercises():
        assert ex.sources and ex.safety_cues, ex.id
        assert all(m.startswith("media/") for m in ex.media), ex.id
        assert len(ex.instructions) < 800, ex.id  # short enough to read when tired


# ---------- tai chi / qigong ----------
def test_all_eight_baduanjin_movements_are_separate_exercises():
    assert all(catalog().exercises[i].modality == "tai_chi_qigong" for i in BADUANJIN)


def test_several_tai_chi_exercises_have_a_seated_variant():
    with_variant = [
        ex for ex in exercises() if ex.modality == "tai_chi_qigong" and ex.seated_variant
    ]
    assert len(with_variant) >= 5
    for ex in with_variant:
        variant = catalog().exercises[ex.seated_variant]
        assert variant.position in ("seated", "lying") and variant.modality == ex.modality


def test_yang_form_is_broken_into_movements_and_has_breathing_work():
    yang = [ex for ex in exercises() if ex.id.startswith("yang-")]
    assert len(yang) >= 6
    assert "seated-tai-chi-breathing" in catalog().exercises
    assert "tai-chi-standing-meditation" in catalog().exercises


def test_baduanjin_forward_bend_and_horse_stance_are_tagged():
    assert {"spinal_flexion", "spinal_extension"} <= tags("baduanjin-touching-the-feet")
    for horse_stance in ("baduanjin-drawing-the-bow", "baduanjin-clenching-fists"):
        assert {"hip_loading", "lower_limb_load"} <= tags(horse_stance)


# ---------- resistance bands ----------
@pytest.mark.parametrize(
    ("ex_id", "present", "absent"),
    [
        ("band-biceps-curl", {"upper_limb_load"}, {"shoulder_loading"}),
        ("band-triceps-press", {"upper_limb_load"}, {"shoulder_loading"}),
        ("seated-band-row", {"upper_limb_load", "shoulder_loading"}, set()),
        ("band-lateral-raise", {"upper_limb_load", "shoulder_loading"}, set()),
        ("band-chest-press", {"upper_limb_load", "shoulder_loading"}, set()),
        ("seated-knee-extension-band", {"lower_limb_load"}, {"hip_loading"}),
        ("band-leg-press", {"lower_limb_load", "hip_loading"}, set()),
        (
            "standing-hip-abduction-band",
            {"hip_loading", "weight_bearing", "balance_challenge"},
            set(),
        ),
        ("band-pallof-press", {"trunk_load", "spinal_rotation", "breath_holding_risk"}, set()),
        ("band-woodchop", {"trunk_load", "spinal_rotation"}, set()),
    ],
)
def test_band_exercises_carry_the_tags_that_decide_who_may_do_them(ex_id, present, absent):
    assert present <= tags(ex_id)
    assert not absent & tags(ex_id)


def test_band_ladders_climb_the_colour_ladder():
    for ex in exercises():
        if ex.modality != "resistance_band":
            continue
        ranks = [BAND_COLOURS.index(lv.dose.band) for lv in ex.levels]
        assert ranks == sorted(ranks) and ranks[-1] > ranks[0], ex.id


# ---------- aquatic ----------
def test_all_aquatic_work_is_immersion_in_a_pool():
    aquatic = [ex for ex in exercises() if ex.modality == "aquatic"]
    assert len(aquatic) >= 8
    for ex in aquatic:
        assert "immersion" in ex.load_tags and ex.position == "in_water", ex.id
        assert "pool" in ex.equipment, ex.id
    assert "flotation_belt" in catalog().exercises["deep-water-running"].equipment
    assert "weight_bearing" not in tags("deep-water-running")


# ---------- balance ----------
def test_balance_ladder_follows_static_to_dynamic_order():
    chain = [
        "balance-feet-together",
        "balance-semi-tandem",
        "balance-tandem-stand",
        "balance-single-leg-stand",
    ]
    for easier, harder in zip(chain, chain[1:], strict=False):
        assert harder in catalog().exercises[easier].progressions
    for ex_id in (
        "heel-raises",
        "toe-raises",
        "step-ups",
        "walking-different-directions",
        "dual-task-walking",
    ):
        assert {"weight_bearing", "balance_challenge"} <= tags(ex_id)
    assert {"hip_loading", "lower_limb_load"} <= tags("step-ups")
    seated = [ex for ex in exercises() if ex.modality == "balance" and ex.position == "seated"]
    assert len(seated) >= 2


# ---------- walking / aerobic ----------
def test_walking_bouts_build_from_four_by_five_to_thirty_continuous():
    levels = catalog().exercises["walking-bouts"].levels
    first, last = levels[0].dose, levels[-1].dose
    assert (first.sets, first.minutes) == (4, 20.0)
    assert (last.sets, last.minutes) == (1, 30.0)


def test_stationary_bike_is_seated_and_not_weight_bearing():
    bike = catalog().exercises["stationary-bike"]
    assert bike.position == "seated" and "stationary_bike" in bike.equipment
    assert "weight_bearing" not in bike.load_tags
    assert catalog().exercises["walking-bouts"].seated_variant == "stationary-bike"


# ---------- mobility ----------
def test_mobility_spine_movements_are_tagged():
    assert "spinal_rotation" in tags("seated-spinal-twist")
    assert {"spinal_flexion", "spinal_extension"} <= tags("seated-cat-cow")
    assert "spinal_flexion" in tags("seated-hamstring-stretch")
    assert "spinal_rotation" in tags("neck-turns")


# ---------- the tag rules, across the whole library ----------
def test_standing_and_walking_exercises_are_weight_bearing():
    for ex in exercises():
        if ex.position == "standing":
            assert "weight_bearing" in ex.load_tags, ex.id


def test_words_for_jumping_or_jogging_on_land_come_with_impact():
    for ex in exercises():
        if ex.position != "in_water" and re.search(r"\b(jump|hop|jog|skip)", ex.instructions, re.I):
            assert "impact" in ex.load_tags, ex.id


def test_words_for_twisting_or_arching_come_with_spine_tags():
    for ex in exercises():
        text = ex.instructions.lower()
        if re.search(r"\bturn (your|the) (waist|upper body|chest)|twist", text):
            assert "spinal_rotation" in ex.load_tags, ex.id
        if (
            re.search(r"\barch\b(?! your back)|\barch gently|back arch", text)
            and "without arching" not in text
        ):
            assert "spinal_extension" in ex.load_tags, ex.id


def test_resisted_shoulder_and_hip_work_implies_limb_load():
    for ex in exercises():
        if "shoulder_loading" in ex.load_tags:
            assert "upper_limb_load" in ex.load_tags, ex.id
        if "hip_loading" in ex.load_tags:
            assert "lower_limb_load" in ex.load_tags, ex.id


# ---------- programmes ----------
def weekly(programme_id: str) -> dict:
    programme = catalog().programmes[programme_id]
    return {m.modality: m for m in programme.modalities}


def test_standard_programme_has_the_weekly_structure():
    week = weekly("standard")
    assert (
        week["walking_aerobic"].sessions_per_week_min,
        week["walking_aerobic"].sessions_per_week_max,
    ) == (3, 5)
    resistance = week["resistance_band"]
    assert (resistance.sessions_per_week_min, resistance.sessions_per_week_max) == (2, 3)
    assert resistance.non_consecutive_days
    assert week["balance"].sessions_per_week_min == 2
    assert week["tai_chi_qigong"].sessions_per_week_min == 2
    assert week["mobility"].sessions_per_week_min == 7


def test_deconditioned_programme_matches_the_gentle_template():
    week = weekly("deconditioned")
    assert week["walking_aerobic"].sessions_per_week_max == 6
    assert week["resistance_band"].sessions_per_week_max == 2
    assert week["resistance_band"].non_consecutive_days


def test_bone_metastases_programme_exists_with_non_consecutive_resistance():
    week = weekly("bone-metastases")
    assert week["resistance_band"].non_consecutive_days
    assert "low impact" in catalog().programmes["bone-metastases"].title.lower()
