"""Issue 16, item 2: every reason code the coach can record and every model feature has a
clinical phrase, so the physio never reads "Model step up above theta" or "Planned rel
tolerated (+16 pts)". The codes are read from the policy's source, not from phrases.py."""

from __future__ import annotations

import ast
import inspect

from ml import features, phrases, policy


def emitted_reason_codes() -> set[str]:
    """String literals the policy appends to `reasons`, puts in a Proposal's reasons tuple,
    or returns from a `*_reason` function."""
    tree = ast.parse(inspect.getsource(policy))
    codes: set[str] = set()
    # Module-level string constants (PROGRESSION = "...") count where their name is used.
    constants = {
        target.id: node.value.value
        for node in tree.body
        if isinstance(node, ast.Assign)
        and isinstance(node.value, ast.Constant)
        and isinstance(node.value.value, str)
        for target in node.targets
        if isinstance(target, ast.Name)
    }

    def literals(node: ast.AST) -> set[str]:
        found = set()
        for n in ast.walk(node):
            if isinstance(n, ast.Constant) and isinstance(n.value, str):
                found.add(n.value)
            elif isinstance(n, ast.Name) and n.id in constants:
                found.add(constants[n.id])
        return {code for code in found if code.islower()}

    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Attribute) and func.attr == "append":
                if isinstance(func.value, ast.Name) and func.value.id == "reasons":
                    codes |= literals(node.args[0])
            if isinstance(func, ast.Name) and func.id == "Proposal" and len(node.args) > 1:
                codes |= literals(node.args[1])
        if isinstance(node, ast.FunctionDef) and node.name.endswith("_reason"):
            for ret in ast.walk(node):
                if isinstance(ret, ast.Return) and ret.value is not None:
                    codes |= literals(ret.value)
    return codes


def test_the_reader_finds_the_policys_codes():
    codes = emitted_reason_codes()
    assert {"model_step_up_above_theta", "max_one_level_per_week", "step_down_applied"} <= codes
    assert policy.PROGRESSION in codes  # a code given by a constant's name is found too


def test_every_reason_code_has_a_clinical_phrase():
    missing = sorted(emitted_reason_codes() - set(phrases.REASONS))
    assert not missing, f"reason codes without a clinical phrase in ml/phrases.py: {missing}"


def test_every_feature_has_a_clinical_phrase_both_ways():
    missing = sorted(set(features.FEATURES) - set(phrases.FEATURES))
    assert not missing, f"features without a clinical phrase in ml/phrases.py: {missing}"


def test_the_physio_summary_has_no_internal_words():
    summary = phrases.physio_summary(
        ["model_step_up_above_theta"], [("planned_rel_tolerated", 0.16), ("fatigue_delta", -0.05)]
    )
    assert summary == (
        "Tolerated this dose well; the next level is predicted to be tolerated too. "
        "Weighed most: tolerated similar sessions before, fatigue above their usual."
    )
    for word in ("theta", "_", "rel ", "pts", "P("):
        assert word not in summary
