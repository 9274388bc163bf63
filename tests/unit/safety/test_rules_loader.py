"""The rules.yaml loader: strict validation, every problem listed, versioned by content."""

import copy
import re
from pathlib import Path

import pytest
import yaml

from backend.catalog.rules import DEFAULT_PATH, RulesError, load_rules


@pytest.fixture(scope="module")
def document() -> dict:
    return yaml.safe_load(DEFAULT_PATH.read_text(encoding="utf-8"))


def write(tmp_path: Path, data: dict) -> Path:
    path = tmp_path / "rules.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def problems_for(tmp_path: Path, data: dict) -> list[str]:
    with pytest.raises(RulesError) as caught:
        load_rules(write(tmp_path, data))
    return caught.value.problems


def test_the_shipped_file_loads_with_a_content_versioned_name(rules, document):
    assert re.fullmatch(re.escape(document["version"]) + r"\+[0-9a-f]{12}", rules.version)


def test_version_changes_when_the_content_changes(tmp_path, document):
    first = load_rules(write(tmp_path, document)).version
    edited = copy.deepcopy(document)
    edited["settings"]["lab_staleness_days"] += 1
    second = load_rules(write(tmp_path, edited)).version
    assert first != second
    assert first.split("+")[0] == second.split("+")[0]


def test_loader_lists_every_problem_at_once(tmp_path, document):
    broken = copy.deepcopy(document)
    broken["situations"][0]["exclude_tags"].append("cartwheels")  # unknown tag
    broken["lesion_sites"][0]["colour"] = "red"  # unknown field
    del broken["check_in"]["scores"][0]["source"]  # missing source
    problems = problems_for(tmp_path, broken)
    text = "\n".join(problems)
    assert len(problems) == 3, text
    assert "situations.0.exclude_tags" in text and "cartwheels" in text
    assert "lesion_sites.0.colour: Unknown field." in text
    assert "check_in.scores.0.source: Missing data for required field." in text


@pytest.mark.parametrize(
    ("where", "value", "expected"),
    [
        (("lab_gates", "bands", 0, "lab"), "ferritin", "unknown lab 'ferritin'"),
        (("situations", 0, "precaution"), "bad_knees", "unknown precaution 'bad_knees'"),
        (("lesion_sites", 1, "sites"), ["kidney"], "unknown lesion site 'kidney'"),
        (("situations", 0, "exclude_modalities"), ["zumba"], "unknown modality 'zumba'"),
        (("lab_gates", "fever", "at_or_above_c"), "38.0", "Not a valid number."),
        (("recent_surgery", "within_days"), 42.5, "Not a valid integer."),
        (("situations", 0, "prefer_seated"), "yes", "Not a valid boolean."),
        (("situations", 0, "severity"), "purple", "Must be one of"),
        (("situations", 0, "code"), "Central Line", "String does not match"),
    ],
)
def test_loader_rejects_bad_values(tmp_path, document, where, value, expected):
    broken = copy.deepcopy(document)
    node = broken
    for key in where[:-1]:
        node = node[key]
    node[where[-1]] = value
    assert any(expected in p for p in problems_for(tmp_path, broken))


def test_loader_rejects_duplicate_codes(tmp_path, document):
    broken = copy.deepcopy(document)
    broken["situations"][1]["code"] = broken["situations"][0]["code"]
    assert any("duplicate code 'central_line'" in p for p in problems_for(tmp_path, broken))


def test_loader_rejects_cross_section_mistakes_all_at_once(tmp_path, document):
    broken = copy.deepcopy(document)
    broken["lab_gates"]["bands"][0]["below"] = 50  # now has both below and at_or_below
    del broken["lesion_modules"]["fracture_risk"]["region_tags"]["humerus"]
    broken["red_flags"]["symptoms"][0]["tier"] = "whenever"
    broken["calendar"]["infusion_windows"][0]["from_day"] = 9
    text = "\n".join(problems_for(tmp_path, broken))
    assert "exactly one of below / at_or_below" in text
    assert "no row for humerus" in text
    assert "unknown tier 'whenever'" in text
    assert "from_day is after to_day" in text


def test_loader_rejects_a_site_in_two_modules(tmp_path, document):
    broken = copy.deepcopy(document)
    broken["lesion_modules"]["modules"][1]["sites"].append("pelvis")
    assert any("'pelvis' is already in" in p for p in problems_for(tmp_path, broken))


def test_loader_reports_unreadable_and_invalid_yaml(tmp_path):
    with pytest.raises(RulesError, match="cannot read"):
        load_rules(tmp_path / "missing.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("version: [unclosed\n", encoding="utf-8")
    with pytest.raises(RulesError, match="not valid YAML"):
        load_rules(bad)
