"""The strict loader: every kind of content mistake is reported, with its file, all at once."""

from __future__ import annotations

import json
import os

import pytest

from backend.catalog import (
    ContentError,
    content_version,
    exercise_to_dict,
    load_catalog,
    validate_content,
)
from backend.domain import records
from tests.unit.catalog.conftest import exercise, level, programme


def problems_for(library) -> list[str]:
    with pytest.raises(ContentError) as caught:
        load_catalog(library.root)
    return caught.value.problems


def assert_reported(problems: list[str], rel: str, *fragments: str) -> None:
    """One problem names the file and contains every fragment."""
    matching = [p for p in problems if p.startswith(f"{rel}:") and all(f in p for f in fragments)]
    assert matching, f"no problem for {rel} with {fragments}; got:\n" + "\n".join(problems)


# ---------- a valid library ----------
def test_valid_library_loads_into_frozen_records(library):
    catalog = load_catalog(library.root)

    assert len(catalog.exercises) == 18
    band = catalog.exercises["resistance-band-1"]
    assert isinstance(band, records.Exercise)
    assert band.load_tags == frozenset({"skin_friction", "upper_limb_load"})
    assert band.roles == frozenset({"main"})
    assert band.equipment == ("band", "chair")
    assert [lv.level for lv in band.levels] == [1, 2, 3]
    assert band.levels[2].dose == records.Dose(
        target_rpe=4.0, minutes=8.0, sets=2, reps=12, band="yellow"
    )
    standard = catalog.programmes["standard"]
    assert standard.modalities[1] == records.ModalityTemplate("resistance_band", 2, 3, True)
    assert standard.modalities[0].non_consecutive_days is False
    assert validate_content(library.root) == []


def test_exercise_to_dict_is_json_ready_with_sorted_tags(library):
    library.write(
        exercise(
            "mobility-1",
            load_tags=["spinal_rotation", "spinal_flexion"],
            roles=["main", "cool_down"],
        )
    )
    ex = load_catalog(library.root).exercises["mobility-1"]

    data = exercise_to_dict(ex)

    assert json.loads(json.dumps(data)) == data
    assert data["load_tags"] == ["spinal_flexion", "spinal_rotation"]
    assert data["roles"] == ["cool_down", "main"]
    assert data["levels"][2]["dose"]["minutes"] == 3.0
    assert data["levels"][2]["dose"]["nominal_load"] == 9.0


# ---------- one problem of each kind, each naming its file ----------
def test_unknown_field_is_reported(edit, library):
    rel = edit(colour="red")
    assert_reported(problems_for(library), rel, "colour", "Unknown field")


def test_unknown_field_inside_a_dose_is_reported(edit, library):
    rel = edit(levels=[level(1, 2, 2), level(2, 3, 2, weight_kg=2), level(3, 3, 3)])
    assert_reported(problems_for(library), rel, "levels[2].dose.weight_kg", "Unknown field")


def test_missing_minutes_is_reported(edit, library):
    bad = {"level": 2, "description": "x", "dose": {"target_rpe": 3}}
    rel = edit(levels=[level(1, 2, 2), bad, level(3, 3, 3)])
    assert_reported(problems_for(library), rel, "levels[2].dose.minutes", "required")


def test_duplicate_id_is_reported_with_both_files(library):
    first = library.path("mobility", "mobility-1").relative_to(library.root).as_posix()
    second = library.write(exercise("mobility-1", "balance"), modality="balance")

    problems = problems_for(library)

    # Files are read in path order, so the balance copy comes first.
    assert problems == [f"{first}: id: 'mobility-1' is already used by {second}"]


def test_id_must_equal_file_stem(library):
    rel = library.write(exercise("neck-turns"), stem="neck-turn")
    assert_reported(problems_for(library), rel, "id", "neck-turns", "neck-turn")


def test_modality_must_match_folder(library):
    rel = library.write(exercise("mobility-4", "mobility"), modality="balance")
    assert_reported(problems_for(library), rel, "modality", "exercises/balance/")


@pytest.mark.parametrize("field", ["regressions", "progressions"])
def test_dangling_reference_is_reported(edit, library, field):
    rel = edit(**{field: ["mobility-2", "no-such-exercise"]})
    assert_reported(problems_for(library), rel, field, "'no-such-exercise'")


def test_dangling_seated_variant_is_reported(edit, library):
    rel = edit(seated_variant="missing-seated")
    assert_reported(problems_for(library), rel, "seated_variant", "'missing-seated'")


def test_seated_variant_must_be_seated_and_same_modality(library):
    library.write(
        exercise(
            "standing-one",
            "balance",
            position="standing",
            load_tags=["weight_bearing", "balance_challenge"],
        )
    )
    rel = library.write(exercise("mobility-1", seated_variant="standing-one"))
    problems = problems_for(library)
    assert_reported(problems, rel, "seated_variant", "'standing-one'", "not seated or lying")
    assert_reported(problems, rel, "seated_variant", "balance, not mobility")


def test_reference_to_itself_is_reported(edit, library):
    rel = edit(progressions=["mobility-1"])
    assert_reported(problems_for(library), rel, "itself")


def test_gap_in_levels_is_reported(edit, library):
    rel = edit(levels=[level(1, 2, 2), level(2, 3, 2), level(4, 3, 3)])
    assert_reported(problems_for(library), rel, "levels", "no gaps", "[1, 2, 4]")


def test_levels_must_start_at_one(edit, library):
    rel = edit(levels=[level(2, 2, 2), level(3, 3, 2), level(4, 3, 3)])
    assert_reported(problems_for(library), rel, "levels", "[2, 3, 4]")


def test_too_few_levels_is_reported(edit, library):
    rel = edit(levels=[level(1, 2, 2), level(2, 3, 2)])
    assert_reported(problems_for(library), rel, "levels", "Length must be between 3 and 8")


def test_falling_nominal_load_is_reported(edit, library):
    # Level 3 has more reps but far fewer minutes: 2 x 3 = 6 < 3 x 3 = 9.
    rel = edit(levels=[level(1, 2, 2), level(2, 3, 3, reps=5), level(3, 3, 2, reps=8)])
    assert_reported(problems_for(library), rel, "level 2 -> 3", "drops from 9 to 6")


def test_step_where_nothing_gets_harder_is_reported(edit, library):
    rel = edit(levels=[level(1, 2, 2), level(2, 2, 2), level(3, 3, 3)])
    assert_reported(problems_for(library), rel, "level 1 -> 2", "nothing gets harder")


def test_lighter_band_is_reported(library):
    levels = [
        level(1, 3, 4, sets=1, reps=10, band="red"),
        level(2, 3, 6, sets=2, reps=10, band="yellow"),
        level(3, 4, 8, sets=2, reps=12, band="green"),
    ]
    rel = library.write(exercise("resistance-band-1", "resistance_band", levels=levels))
    assert_reported(problems_for(library), rel, "level 1 -> 2", "band gets lighter (red -> yellow)")


def test_unknown_load_tag_is_reported(edit, library):
    rel = edit(load_tags=["spinal_flexion", "spine_bending"])
    assert_reported(problems_for(library), rel, "load_tags[2]", "'spine_bending'", "load tag")


@pytest.mark.parametrize(
    ("field", "value", "what"),
    [
        ("position", "kneeling", "position"),
        ("equipment", ["chair", "dumbbell"], "equipment"),
        ("roles", ["main", "finisher"], "role"),
    ],
)
def test_unknown_vocabulary_code_is_reported(edit, library, field, value, what):
    rel = edit(**{field: value})
    assert_reported(problems_for(library), rel, field, f"not a known {what}")


def test_unknown_modality_is_reported(library):
    data = exercise("mobility-1")
    data["modality"] = "yoga"
    rel = library.write(data, modality="mobility")
    assert_reported(problems_for(library), rel, "modality", "'yoga' is not a known modality")


def test_bad_band_colour_is_reported(library):
    levels = [
        level(1, 3, 4, sets=1, reps=10, band="tan"),
        level(2, 3, 6, sets=2, reps=10, band="purple"),
        level(3, 4, 8, sets=2, reps=12, band="yellow"),
    ]
    rel = library.write(exercise("resistance-band-2", "resistance_band", levels=levels))
    assert_reported(problems_for(library), rel, "levels[2].dose.band", "'purple'", "band colour")


@pytest.mark.parametrize(
    ("dose_field", "value", "message"),
    [
        ("reps", 10.5, "Not a valid integer"),
        ("reps", True, "Not a valid integer"),
        ("sets", "2", "Not a valid integer"),
        ("minutes", "10", "Not a valid number"),
        ("target_rpe", 12, "less than or equal to 10"),
        ("minutes", 0, "greater than 0"),
    ],
)
def test_wrong_type_or_range_in_dose_is_reported(edit, library, dose_field, value, message):
    middle = level(2, 3, 3)
    middle["dose"][dose_field] = value
    rel = edit(levels=[level(1, 2, 2), middle, level(3, 3, 4)])
    assert_reported(problems_for(library), rel, f"levels[2].dose.{dose_field}", message)


def test_float_written_in_yaml_for_reps_is_reported(library):
    path = library.path("mobility", "mobility-1")
    rel = library.write_text(path, path.read_text().replace("level: 2", "level: 2.0"))
    assert_reported(problems_for(library), rel, "levels[2].level", "Not a valid integer")


def test_duplicate_yaml_key_is_reported(library):
    path = library.path("mobility", "mobility-1")
    rel = library.write_text(path, path.read_text() + "load_tags: []\n")
    assert_reported(problems_for(library), rel, "duplicate key 'load_tags'")


def test_invalid_yaml_is_reported(library):
    rel = library.write_text(library.path("mobility", "broken"), "id: broken\ntitle: [unclosed\n")
    assert_reported(problems_for(library), rel, "not valid YAML")


def test_yml_extension_is_reported_not_ignored(library):
    rel = library.write_text(library.root / "exercises" / "mobility" / "extra.yml", "id: extra\n")
    assert_reported(problems_for(library), rel, ".yaml")


# ---------- tag rules the safety engine relies on ----------
@pytest.mark.parametrize(
    ("overrides", "missing"),
    [
        ({"position": "standing"}, "weight_bearing"),
        ({"load_tags": ["shoulder_loading"]}, "upper_limb_load"),
        ({"load_tags": ["hip_loading"]}, "lower_limb_load"),
    ],
)
def test_missing_implied_tag_is_reported(edit, library, overrides, missing):
    rel = edit(**overrides)
    assert_reported(problems_for(library), rel, "load_tags", f"'{missing}'")


def test_aquatic_exercise_must_be_immersion_in_water_with_pool(library):
    rel = library.write(
        exercise(
            "aquatic-1",
            "aquatic",
            position="standing",
            equipment=["none"],
            load_tags=["weight_bearing"],
        )
    )
    problems = problems_for(library)
    assert_reported(problems, rel, "'immersion'")
    assert_reported(problems, rel, "position", "in_water")


def test_band_equipment_and_band_doses_must_agree(edit, library):
    rel = edit(equipment=["band", "chair"])
    assert_reported(problems_for(library), rel, "equipment", "band")


def test_each_modality_needs_three_main_exercises(library):
    library.write(exercise("balance-3", "balance", roles=["warm_up"]))
    assert_reported(problems_for(library), "exercises/balance/", "at least 3", "has 2")


# ---------- programmes ----------
def test_programme_problems_are_reported(library):
    bad = programme(
        modalities=[
            {"modality": "walking_aerobic", "sessions_per_week_min": 5, "sessions_per_week_max": 3},
            {"modality": "pilates", "sessions_per_week_min": 1, "sessions_per_week_max": 2},
            {
                "modality": "resistance_band",
                "sessions_per_week_min": 2,
                "sessions_per_week_max": 4,
                "non_consecutive_days": True,
            },
        ]
    )
    rel = library.write_programme(bad)
    problems = problems_for(library)
    assert_reported(problems, rel, "modalities[2].modality", "'pilates'")
    # Per-file schema problems stop the cross-checks for that file; fix the vocabulary first.
    bad["modalities"].pop(1)
    library.write_programme(bad)
    problems = problems_for(library)
    assert_reported(problems, rel, "modalities[1]", "min (5) is more than", "max (3)")
    assert_reported(problems, rel, "modalities[2]", "non-consecutive")


def test_programme_flag_must_be_a_real_boolean(library):
    bad = programme()
    bad["modalities"][1]["non_consecutive_days"] = "yes"
    rel = library.write_programme(bad)
    assert_reported(problems_for(library), rel, "non_consecutive_days", "Not a valid boolean")


# ---------- all problems at once ----------
def test_all_problems_across_files_are_reported_together(library):
    unknown = library.write(exercise("mobility-1", extra_field=1))
    dangling = library.write(exercise("mobility-2", regressions=["ghost"]))
    gap = library.write(
        exercise("mobility-3", levels=[level(1, 2, 2), level(3, 3, 3), level(4, 3, 4)])
    )
    tag = library.write(exercise("balance-1", "balance", load_tags=["wobbly"]))

    with pytest.raises(ContentError) as caught:
        load_catalog(library.root)

    problems = caught.value.problems
    assert_reported(problems, unknown, "extra_field")
    assert_reported(problems, dangling, "'ghost'")
    assert_reported(problems, gap, "no gaps")
    assert_reported(problems, tag, "'wobbly'")
    message = str(caught.value)
    assert all(p in message for p in problems)
    assert validate_content(library.root) == problems


def test_several_problems_in_one_file_are_all_reported(edit, library):
    rel = edit(
        position="upside_down",
        load_tags=["wobbly"],
        levels=[level(1, 2, 2, reps=1.5), level(2, 3, 2), level(3, 3, 3)],
    )
    problems = [p for p in problems_for(library) if p.startswith(rel)]
    assert len(problems) == 3


def test_missing_exercises_folder_is_reported(tmp_path):
    with pytest.raises(ContentError, match="no exercises/ folder"):
        load_catalog(tmp_path)


# ---------- content version ----------
def test_version_is_stable_when_nothing_changes(library):
    first = load_catalog(library.root).version
    path = library.path("mobility", "mobility-1")
    os.utime(path, (1, 1))  # touching a file is not an edit
    assert load_catalog(library.root).version == first
    assert content_version(library.root) == first
    assert len(first) == 16 and int(first, 16) >= 0


def test_version_changes_when_a_file_changes(library):
    before = load_catalog(library.root).version
    path = library.path("mobility", "mobility-1")
    # Same length on purpose: the hash must see the bytes, not just the size.
    path.write_text(path.read_text().replace("Sit tall", "Sit TALL"), encoding="utf-8")
    assert load_catalog(library.root).version != before


def test_version_changes_when_a_programme_changes_or_a_file_is_added(library):
    before = content_version(library.root)
    library.write_programme(programme(title="A new title"))
    after_programme = content_version(library.root)
    library.write(exercise("mobility-4"))
    assert len({before, after_programme, content_version(library.root)}) == 3


def test_version_changes_when_a_file_is_renamed(library):
    before = content_version(library.root)
    old = library.path("mobility", "mobility-3")
    old.rename(old.with_name("mobility-9.yaml"))
    assert content_version(library.root) != before


def test_version_ignores_files_outside_the_content_it_loads(library):
    before = content_version(library.root)
    (library.root / "README.md").write_text("Notes for physios.", encoding="utf-8")
    (library.root / "safety").mkdir()
    (library.root / "safety" / "rules.yaml").write_text("rules: []\n", encoding="utf-8")
    assert content_version(library.root) == before


def test_version_ignores_windows_line_endings(library):
    before = content_version(library.root)
    path = library.path("mobility", "mobility-1")
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    assert content_version(library.root) == before
