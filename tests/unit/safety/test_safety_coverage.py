"""The source-coverage table (docs/safety-coverage.md) stays true.

Fails when a source row has no rule (MISSING or empty), names a rule code the rule set does
not have (or a planner constant that does not exist), names a test that does not exist, or
when a rule of content/safety/rules.yaml appears in no row.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest

from backend.catalog.rules import load_rules
from backend.domain import planner

ROOT = Path(__file__).resolve().parents[3]
TABLE = ROOT / "docs" / "safety-coverage.md"
COLUMNS = ["Row", "Source says", "Rule codes", "Test", "Decision"]


def _cells(line: str) -> list[str]:
    inner = line.strip()[1:-1]
    return [c.strip().replace("\\|", "|") for c in re.split(r"(?<!\\)\|", inner)]


@cache
def rows() -> tuple[dict[str, str], ...]:
    text = TABLE.read_text(encoding="utf-8")
    body = text.split("<!-- coverage:start -->", 1)[1].split("<!-- coverage:end -->", 1)[0]
    lines = [ln for ln in body.splitlines() if ln.strip().startswith("|")]
    assert _cells(lines[0]) == COLUMNS, _cells(lines[0])
    out = []
    for line in lines[2:]:
        cells = _cells(line)
        assert len(cells) == len(COLUMNS), line
        out.append(dict(zip(COLUMNS, cells, strict=True)))
    return tuple(out)


@cache
def known_codes() -> frozenset[str]:
    return frozenset(r.code for r in load_rules().all_rules())


def _codes(row: dict[str, str]) -> list[str]:
    return [c.strip() for c in row["Rule codes"].split(",") if c.strip()]


def _ids() -> list[str]:
    return [r["Row"] for r in rows()]


def test_table_has_rows_with_unique_ids() -> None:
    ids = _ids()
    assert ids and len(ids) == len(set(ids))


@pytest.mark.parametrize("row", rows(), ids=_ids())
def test_every_source_row_is_encoded_by_a_rule(row: dict[str, str]) -> None:
    codes = _codes(row)
    assert codes and "MISSING" not in codes, f"{row['Row']}: no rule encodes {row['Source says']!r}"


@pytest.mark.parametrize("row", rows(), ids=_ids())
def test_every_listed_rule_code_exists(row: dict[str, str]) -> None:
    known = known_codes()
    for code in _codes(row):
        if code == "MISSING":
            continue
        if code.startswith("planner:"):
            assert hasattr(planner, code.removeprefix("planner:")), code
        else:
            assert code in known, f"{row['Row']}: unknown rule code {code}"


@pytest.mark.parametrize("row", rows(), ids=_ids())
def test_every_listed_test_exists(row: dict[str, str]) -> None:
    node = row["Test"]
    if _codes(row) == ["MISSING"] and not node:
        pytest.skip("no rule, so no test")
    assert "::" in node, f"{row['Row']}: no test node"
    path, name = node.split("::", 1)
    file = ROOT / path
    assert file.is_file(), f"{row['Row']}: {path} does not exist"
    assert re.search(
        rf"^\s*(async\s+)?def {re.escape(name)}\(", file.read_text(encoding="utf-8"), re.M
    ), f"{row['Row']}: {path} has no def {name}"


def test_every_rule_in_the_file_appears_in_a_row() -> None:
    listed = {c for row in rows() for c in _codes(row)}
    unlisted = sorted(known_codes() - listed)
    assert not unlisted, f"rules in no coverage row: {unlisted}"
