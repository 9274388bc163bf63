"""The tags the safety audit found missing, and the loader's check that text matches tags.

The safety rules read only `load_tags`, `position`, `modality` and `equipment`, never the
text. Each test in the first half names the rule it protects and pins a tag on a shipped
exercise whose text describes that movement (domain sections 4.2, 6, 7 and 10). The second
half builds small bad libraries and checks that `flask content validate` refuses text that
names a tagged movement without its tag.
"""

from __future__ import annotations

from functools import cache

import pytest

from backend.catalog import DEFAULT_CONTENT_ROOT, load_catalog, validate_content
from backend.catalog.exercises import TAG_KEYWORDS, TEXT_TAG_KEYWORDS, keyword_mentions
from backend.domain.records import Catalog
from backend.domain.vocabulary import LOAD_TAGS
from tests.unit.catalog.conftest import exercise, level
from tests.unit.catalog.test_content_library import BADUANJIN
from tests.unit.catalog.test_loader import problems_for

WHY = "(the safety rules read only the tags)"


@cache
def catalog() -> Catalog:
    return load_catalog(DEFAULT_CONTENT_ROOT)


def tags(ex_id: str) -> frozenset[str]:
    return catalog().exercises[ex_id].load_tags


def assert_tagged(ex_ids, *wanted: str) -> None:
    missing = {i: set(wanted) - tags(i) for i in ex_ids if set(wanted) - tags(i)}
    assert not missing, missing


# ---------- the audit's findings, by the rule each tag protects ----------
def test_spinal_flexion_tags_pool_hip_hinge_stretch():
    # "sit back to stretch the back of that leg" is a hip hinge (bone disease: no forward bend)
    assert "spinal_flexion" in tags("aqua-cool-down-stretch")


def test_spinal_flexion_tags_band_leg_press_knee_to_chest():
    assert "spinal_flexion" in tags("band-leg-press")


def test_spinal_flexion_tags_tai_chi_hand_sweeping_past_the_knee():
    assert_tagged(["yang-brush-knee-and-push", "yang-short-form"], "spinal_flexion")


def test_trunk_load_tags_seated_band_row():
    assert "trunk_load" in tags("seated-band-row")


def test_trunk_load_and_breath_holding_risk_tag_pool_noodle_push_down():
    assert_tagged(["noodle-push-down"], "trunk_load", "breath_holding_risk")


def test_hip_loading_tags_tai_chi_bow_stance_forms():
    bow_stance = ["yang-brush-knee-and-push", "yang-part-the-wild-horses-mane", "yang-short-form"]
    assert_tagged(bow_stance, "hip_loading", "lower_limb_load")


def test_hip_loading_tags_tai_chi_forms_on_bent_legs():
    on_bent_legs = [
        "yang-repulse-the-monkey",
        "yang-white-crane-spreads-its-wings",
        "yang-wave-hands-like-clouds",
        "yang-commencement",
    ]
    assert_tagged(on_bent_legs, "hip_loading", "lower_limb_load")


def test_arm_weight_bearing_tags_sit_to_stand_with_hands():
    assert "arm_weight_bearing" in tags("sit-to-stand")


def test_arm_weight_bearing_tags_getting_up_from_lying():
    assert_tagged(["lying-knee-rolls", "lying-relaxation-breathing"], "arm_weight_bearing")


def test_arm_weight_bearing_tags_leaning_on_the_wall_or_thighs():
    assert_tagged(["calf-stretch-at-wall", "baduanjin-swaying-head-and-tail"], "arm_weight_bearing")


def test_brisk_pace_tags_brisk_and_faster_walking():
    # Domain §10: no brisk-walking programmes for people at high fall risk.
    assert_tagged(["brisk-walking", "walking-with-pace-changes"], "brisk_pace")


def test_brisk_pace_is_only_on_walking_that_speeds_up():
    brisk = {ex.id for ex in catalog().exercises.values() if "brisk_pace" in ex.load_tags}
    assert brisk == {"brisk-walking", "walking-with-pace-changes"}


def test_floor_transfer_tags_lying_on_a_mat():
    assert_tagged(["lying-knee-rolls", "lying-relaxation-breathing"], "floor_transfer")
    for ex in catalog().exercises.values():
        assert ("mat" in ex.equipment) == ("floor_transfer" in ex.load_tags), ex.id


def test_overhead_reach_tags_arms_above_the_shoulders():
    overhead = [
        "baduanjin-holding-up-the-sky",
        "seated-holding-up-the-sky",
        "baduanjin-separating-heaven-and-earth",
        "seated-separating-heaven-and-earth",
        "seated-arm-raises",
        "yang-white-crane-spreads-its-wings",
        "yang-wave-hands-like-clouds",
        "seated-wave-hands-like-clouds",
        "yang-part-the-wild-horses-mane",
        "yang-repulse-the-monkey",
    ]
    assert_tagged(overhead, "overhead_reach")
    # "up to shoulder height at most" stays open to humerus restrictions.
    assert "overhead_reach" not in tags("band-lateral-raise")


def test_hands_behind_head_tags_chest_opener():
    assert "hands_behind_head" in tags("chest-opener")


def test_skin_friction_tags_every_band_noodle_and_belt_exercise():
    for ex in catalog().exercises.values():
        gear = {"band", "pool_noodle", "flotation_belt"} & set(ex.equipment)
        if gear or ex.modality == "resistance_band":
            assert "skin_friction" in ex.load_tags, ex.id


def test_end_range_stretch_tags_held_stretches():
    held = [
        "aqua-cool-down-stretch",
        "calf-stretch-at-wall",
        "chest-opener",
        "seated-hamstring-stretch",
        "seated-spinal-twist",
    ]
    assert_tagged(held, "end_range_stretch")


def test_breath_holding_risk_tags_clenching_fists():
    assert "breath_holding_risk" in tags("baduanjin-clenching-fists")


@pytest.mark.parametrize(
    ("sequence", "parts"),
    [
        ("baduanjin-sequence", BADUANJIN),
        (
            "seated-baduanjin-sequence",
            [
                "seated-holding-up-the-sky",
                "seated-drawing-the-bow",
                "seated-separating-heaven-and-earth",
                "seated-wise-owl-gazes-back",
                "seated-heel-lifts",
            ],
        ),
        (
            "yang-short-form",
            [
                "yang-commencement",
                "yang-part-the-wild-horses-mane",
                "yang-white-crane-spreads-its-wings",
                "yang-brush-knee-and-push",
                "yang-repulse-the-monkey",
                "yang-wave-hands-like-clouds",
                "yang-closing-form",
            ],
        ),
    ],
)
def test_sequences_carry_the_tags_of_every_movement_in_them(sequence, parts):
    assert set().union(*(tags(p) for p in parts)) <= tags(sequence)


def test_shipped_library_passes_the_text_keyword_check():
    assert validate_content(DEFAULT_CONTENT_ROOT) == []
    for ex in catalog().exercises.values():
        texts = [ex.title, ex.instructions, *(lv.description for lv in ex.levels)]
        for text in [*texts, *ex.safety_cues]:
            for keyword, tag in keyword_mentions(text, in_water=ex.position == "in_water"):
                assert tag in ex.load_tags, (ex.id, keyword, tag)


# ---------- the loader refuses text that names a movement without its tag ----------
def expected(rel: str, where: str, keyword: str, tag: str) -> str:
    return f"{rel}: {where}: mentions '{keyword}', so load_tags must include '{tag}' {WHY}"


@pytest.mark.parametrize(
    ("text", "keyword", "tag"),
    [
        # hip_loading
        ("Step forwards into a lunge.", "lunge", "hip_loading"),
        ("Squat a little.", "squat", "hip_loading"),
        ("Step up onto the bottom stair.", "step up", "hip_loading"),
        ("Sink into a bow stance.", "bow stance", "hip_loading"),
        # spinal_flexion
        ("Bend forward slowly.", "bend forward", "spinal_flexion"),
        ("Do a gentle toe touch.", "toe touch", "spinal_flexion"),
        ("Round your back gently.", "round your back", "spinal_flexion"),
        ("Sweep your hand past your knee.", "past your knee", "spinal_flexion"),
        ("Hinge at the hips.", "hinge", "spinal_flexion"),
        ("Lift one knee towards your chest.", "knee towards your chest", "spinal_flexion"),
        # spinal_rotation
        ("Twist to the left.", "twist", "spinal_rotation"),
        ("Turn your head slowly.", "turn your head", "spinal_rotation"),
        # spinal_extension
        ("Arch your back gently.", "arch", "spinal_extension"),
        ("Lean back a little.", "lean back", "spinal_extension"),
        # arm_weight_bearing
        ("Push up with your hands to stand.", "push up with your hands", "arm_weight_bearing"),
        ("Push through your arms.", "push through your arms", "arm_weight_bearing"),
        ("Put your hands on the chair arms.", "hands on the chair arms", "arm_weight_bearing"),
        # overhead_reach
        ("Reach overhead.", "overhead", "overhead_reach"),
        ("Lift your hands above your head.", "above your head", "overhead_reach"),
        # floor_transfer
        ("Sit on the floor.", "sit on the floor", "floor_transfer"),
        ("Start on the floor.", "on the floor", "floor_transfer"),
        ("Get down to the floor slowly.", "get down to the floor", "floor_transfer"),
        ("Lie on a mat.", "lie on a mat", "floor_transfer"),
        # hands_behind_head
        ("Lace your fingers behind your head.", "behind your head", "hands_behind_head"),
        ("Rest your hands behind your neck.", "behind your neck", "hands_behind_head"),
        # brisk_pace
        ("Walk at a brisk pace.", "brisk", "brisk_pace"),
        ("Walk at a fast pace.", "fast pace", "brisk_pace"),
        ("Jog gently on the spot.", "jog", "brisk_pace"),
        # impact
        ("Jump gently.", "jump", "impact"),
        ("Hop on one foot.", "hop", "impact"),
        ("Jog gently on the spot.", "jog", "impact"),
        # breath_holding_risk
        ("Hold your breath at the top.", "hold your breath", "breath_holding_risk"),
        ("Push down hard on the seat.", "push down hard", "breath_holding_risk"),
        # trunk_load
        ("Finish with a woodchop.", "woodchop", "trunk_load"),
        # skin_friction
        ("Wrap a strap round your foot.", "strap", "skin_friction"),
        ("Tuck a noodle under your arms.", "noodle", "skin_friction"),
        # end_range_stretch
        ("Lean until you feel a stretch.", "feel a stretch", "end_range_stretch"),
    ],
)
def test_text_naming_a_movement_needs_its_tag(edit, library, text, keyword, tag):
    rel = edit(instructions=text)
    assert expected(rel, "instructions", keyword, tag) in problems_for(library)


def test_the_problem_names_the_field_where_the_word_first_appears(edit, library):
    levels = [level(1, 2, 2), level(2, 3, 2), level(3, 3, 3)]
    levels[1]["description"] = "Now twist a little further."
    rel = edit(title="Jumping jacks", levels=levels, safety_cues=["Brace your core."])
    problems = problems_for(library)
    assert expected(rel, "title", "jumping", "impact") in problems
    assert expected(rel, "levels[2].description", "twist", "spinal_rotation") in problems
    assert expected(rel, "safety_cues[1]", "brace your core", "trunk_load") in problems


def test_each_missing_tag_is_reported_once(edit, library):
    rel = edit(instructions="Twist left.\nTwist right.", safety_cues=["Twist gently."])
    twist = [p for p in problems_for(library) if p.startswith(rel) and "spinal_rotation" in p]
    assert twist == [expected(rel, "instructions", "twist", "spinal_rotation")]


def test_the_word_is_matched_whole_and_in_any_capitals(edit, library):
    rel = edit(instructions="LUNGE forwards.")
    assert expected(rel, "instructions", "lunge", "hip_loading") in problems_for(library)
    edit(instructions="Sit near the archway, with the hopper out of reach.")
    assert validate_content(library.root) == []


def test_text_with_its_tags_passes(edit, library):
    edit(
        instructions="Lie on a mat, then push up with your arms and jog briskly.",
        position="standing",
        equipment=["mat"],
        load_tags=[
            "floor_transfer",
            "arm_weight_bearing",
            "brisk_pace",
            "impact",
            "weight_bearing",
        ],
    )
    assert validate_content(library.root) == []


@pytest.mark.parametrize(
    "cue",
    [
        "Keep breathing. Don't hold your breath.",
        "Do not twist.",
        "Never lift above shoulder height.",
        "Keep your back still: only your arms move, without arching.",
        "Don't lean back or tip your head back.",
        "Lean only a little. Don't reach for your toes or round your back.",
        "Avoid jumping.",
        "No bouncing.",
        "You never need to touch your feet.",
        "Sit with your feet flat on the floor.",
        "Keep the heel resting on the floor.",
    ],
)
def test_cues_that_forbid_a_movement_do_not_need_its_tag(edit, library, cue):
    edit(safety_cues=[cue])
    assert validate_content(library.root) == []


def test_a_negation_in_another_sentence_does_not_hide_a_movement(edit, library):
    rel = edit(instructions="Don't rush. Twist to each side; never hurry.")
    assert expected(rel, "instructions", "twist", "spinal_rotation") in problems_for(library)


def test_a_negation_far_before_the_word_does_not_hide_it(edit, library):
    rel = edit(
        instructions="Sit on a chair without wheels, feet apart, and then slowly turn your head"
    )
    assert expected(rel, "instructions", "turn your head", "spinal_rotation") in problems_for(
        library
    )


def test_a_warning_that_admits_the_risk_still_needs_the_tag(edit, library):
    rel = edit(safety_cues=["Squeezing hard can make you hold your breath."])
    problems = problems_for(library)
    assert expected(rel, "safety_cues[1]", "squeezing hard", "breath_holding_risk") in problems


def test_in_water_running_needs_no_impact_but_jogging_is_still_brisk(library):
    easy = exercise("aquatic-1", "aquatic", instructions="Deep-water running, slowly.")
    library.write(easy)
    assert validate_content(library.root) == []
    brisk = exercise("aquatic-2", "aquatic", instructions="Jog across the pool.")
    rel = library.write(brisk)
    problems = problems_for(library)
    assert expected(rel, "instructions", "jog", "brisk_pace") in problems
    assert not [p for p in problems if "'impact'" in p]


@pytest.mark.parametrize(
    ("equipment", "tag"),
    [
        (["band", "chair"], "skin_friction"),
        (["mat"], "floor_transfer"),
    ],
)
def test_equipment_implies_its_tag(edit, library, equipment, tag):
    levels = [level(1, 2, 2), level(2, 3, 2), level(3, 3, 3)]
    if "band" in equipment:
        levels = [level(n, 2 + n, 4, band="tan") for n in (1, 2, 3)]
    rel = edit(equipment=equipment, levels=levels, instructions="Move slowly.")
    problems = [p for p in problems_for(library) if p.startswith(f"{rel}:") and tag in p]
    assert len(problems) == 1 and problems[0].startswith(f"{rel}: load_tags: must include")


# ---------- the keyword table itself ----------
def test_keyword_table_uses_only_known_tags_and_every_keyword_requires_a_tag():
    assert set(TAG_KEYWORDS) <= set(LOAD_TAGS)
    assert all(TEXT_TAG_KEYWORDS.values())
    assert TEXT_TAG_KEYWORDS["jog"] == ("brisk_pace", "impact")


def test_readme_checklist_lists_every_keyword():
    readme = (DEFAULT_CONTENT_ROOT / "README.md").read_text(encoding="utf-8")
    checklist = readme[readme.index("## A second reader's checklist") :]
    for tag, phrases in TAG_KEYWORDS.items():
        line = next(ln for ln in checklist.splitlines() if ln.startswith(f"- `{tag}`:"))
        assert all(f"`{p}`" in line for p in phrases), tag
    assert all(f"| `{tag}` |" in readme for tag in LOAD_TAGS)
