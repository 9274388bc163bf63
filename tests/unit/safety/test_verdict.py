"""How reasons combine into one verdict; purity; describe()."""

import ast
from pathlib import Path

import yaml

import backend.domain.safety as safety_module
from backend.catalog.rules import DEFAULT_PATH
from backend.domain.records import (
    Baseline,
    CareTeamState,
    Dose,
    Exercise,
    Lesion,
    Level,
    PatientProfile,
    TreatmentCalendar,
    Verdict,
)
from backend.domain.safety import SafetyVerdict, describe
from backend.domain.vocabulary import LESION_SITES
from tests.unit.safety.helpers import check_in, codes, days_ago, judge, lab, patient


def exercise(tags: set[str], modality: str = "walking_aerobic") -> Exercise:
    return Exercise(
        id="ex",
        title="Exercise",
        modality=modality,
        position="standing",
        equipment=("none",),
        load_tags=frozenset(tags),
        instructions="Do it.",
        safety_cues=("Stop if it hurts.",),
        levels=(Level(1, Dose(target_rpe=2, minutes=10)),),
    )


def test_nothing_fires_green_with_go_advice(rules):
    verdict = judge(rules)
    assert isinstance(verdict, SafetyVerdict)
    assert isinstance(verdict, Verdict)
    assert verdict.status == "green"
    assert verdict.reasons == ()
    assert verdict.advice == rules.advice.green
    assert verdict.rules_version == rules.version
    assert (verdict.max_target_rpe, verdict.max_minutes) == (None, None)
    assert not (verdict.prefer_seated or verdict.supervised_only or verdict.emergency)


def test_status_is_the_worst_reason_and_reasons_sort_red_amber_green_then_code(rules):
    verdict = judge(
        rules,
        patient("lung", precautions=["ostomy"]),
        labs=[lab("haemoglobin", 7.5)],
        today_check_in=check_in(symptoms=["palpitations", "bone_pain"]),
    )
    assert verdict.status == "red"
    assert [(r.severity, r.code) for r in verdict.reasons] == [
        ("red", "red_flag_bone_pain"),
        ("red", "red_flag_palpitations"),
        ("amber", "haemoglobin_below_8"),
        ("green", "chen2025_lung"),
        ("green", "ostomy"),
        ("green", "ostomy_resistance_needs_permission"),
    ]


def test_exclusions_add_up_across_rules(rules):
    verdict = judge(rules, patient("humerus", precautions=["anticoagulants", "ostomy"]))
    assert {
        "impact",
        "trunk_load",
        "breath_holding_risk",
        "upper_limb_load",
    } <= verdict.excluded_tags


def test_verdict_allows_excludes_tagged_exercises(rules):
    verdict = judge(rules, patient("spine_lumbar"))
    assert not verdict.allows(exercise({"weight_bearing"}))
    assert not verdict.allows(exercise({"impact"}))
    assert not verdict.allows(exercise({"lower_limb_load"}, modality="resistance_band"))
    cleared = PatientProfile("breast", lesions=(Lesion("spine_lumbar", resistance_cleared=True),))
    assert judge(rules, cleared).allows(exercise({"lower_limb_load"}, modality="resistance_band"))


def test_reasons_carry_the_source_text(rules):
    verdict = judge(rules, patient("lung"))
    (reason,) = verdict.reasons
    assert "Chen X et al." in reason.source
    assert "World J Surg Oncol 2025;23:192" in reason.source
    lung_rule = next(r for r in rules.all_rules() if r.code == "chen2025_lung")
    assert (reason.source, reason.message) == (lung_rule.source, lung_rule.message)


def test_safety_module_is_pure():
    tree = ast.parse(Path(safety_module.__file__).read_text())
    imported = {
        (node.module or "") if isinstance(node, ast.ImportFrom) else alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    }
    roots = {name.split(".")[0] for name in imported}
    assert not roots & {"flask", "sqlalchemy", "marshmallow", "yaml", "flask_smorest"}
    assert not {
        n for n in imported if n.startswith("backend.") and not n.startswith("backend.domain")
    }


def _codes_in_file() -> set[str]:
    """Every `code:` in rules.yaml, found by walking the raw YAML (independent of the loader)."""
    found: set[str] = set()

    def walk(node: object) -> None:
        if isinstance(node, dict):
            if "code" in node and "source" in node:
                found.add(node["code"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(yaml.safe_load(DEFAULT_PATH.read_text(encoding="utf-8")))
    return found


def test_describe_covers_every_rule_in_the_file(rules):
    described = describe(rules)
    assert {d["code"] for d in described} == _codes_in_file()
    assert len(described) == len(_codes_in_file())
    for entry in described:
        assert entry["source"].strip(), entry["code"]
        assert entry["message"].strip(), entry["code"]
        assert entry["severity"] in {"green", "amber", "red"}


def test_every_rule_in_the_file_can_fire(rules):
    """No dead rule: each code appears in some verdict built from the scenarios below."""
    scenarios = [judge(rules, labs=[lab("platelets", v)]) for v in (40, 25, 10)] + [
        judge(rules, labs=[lab("haemoglobin", 7), lab("neutrophils", 1.0), lab("wbc", 1.0)]),
        judge(rules, labs=[lab("neutrophils", 0.1)]),
        judge(rules, labs=[lab("platelets", 10, age_days=rules.lab_staleness_days + 1)]),
    ]
    everything = PatientProfile(
        cancer_type="x",
        lesions=tuple(Lesion(site=s, mirels=12) for s in LESION_SITES),
        precautions=frozenset().union(*(p.precautions for p in rules.situations))
        | {"recent_surgery"},
    )
    scenarios.append(judge(rules, everything, baseline=Baseline(last_session_rpe_over_target=5)))
    scenarios.append(judge(rules, today_check_in=None))
    scenarios.append(judge(rules, labs=[lab("sodium", 120), lab("potassium", 6.0)]))
    scenarios.append(judge(rules, labs=[lab("sodium", 150), lab("potassium", 3.0)]))
    vitals = {"resting_hr": 130, "systolic_bp": 210, "diastolic_bp": 120, "spo2": 85, "glucose": 4}
    scenarios.append(judge(rules, today_check_in=check_in(**vitals)))
    scenarios.append(judge(rules, today_check_in=check_in(spo2=92)))
    scenarios.append(
        judge(rules, patient("spine_lumbar"), today_check_in=check_in(symptoms=["tingling"]))
    )
    scenarios.append(judge(rules, care=CareTeamState(held_since=days_ago(1))))
    scenarios.append(judge(rules, care=CareTeamState(resumed_lighter_on=days_ago(1))))
    scenarios.append(
        judge(
            rules,
            today_check_in=check_in(fatigue=5, pain=5),
            baseline=Baseline(pre_session_fatigue=1, pre_session_pain=1),
        )
    )
    scenarios.append(
        judge(
            rules,
            patient("pelvis"),
            today_check_in=check_in(pain=2),
            baseline=Baseline(pre_session_pain=1),
        )
    )
    for day in (0, 3, 10):
        scenarios.append(judge(rules, calendar=TreatmentCalendar(infusions=(days_ago(day),))))
    scenarios.append(judge(rules, calendar=TreatmentCalendar(high_dose_infusions=(days_ago(0),))))
    scenarios.append(
        judge(rules, calendar=TreatmentCalendar(radiotherapy=((days_ago(1), days_ago(-1)),)))
    )
    all_symptoms = [f.symptom for f in rules.red_flags]
    scenarios.append(
        judge(
            rules,
            today_check_in=check_in(symptoms=all_symptoms, temperature_c=39, pain_at_lesion=True),
        )
    )
    for fatigue, pain, base in [(9, 9, 2), (8, 5, 8), (7, 7, 4), (1, 3, 1)]:
        scenarios.append(
            judge(
                rules,
                today_check_in=check_in(fatigue=fatigue, pain=pain),
                baseline=Baseline(fatigue=base, pain=base),
            )
        )
    fired = set().union(*(codes(v) for v in scenarios))
    # The weekly load cap is the planner's (it needs last week's sessions, not today's inputs):
    # tests/unit/safety/test_second_reader_findings.py::test_progression_caps_* fire it.
    planner_rules = {rules.weekly_load_cap.rule.code} | {
        s.when.rule.code
        for s in rules.slow_progression  # the coach's: step interval
    }
    assert fired == {r.code for r in rules.all_rules()} - planner_rules
