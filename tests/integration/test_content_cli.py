"""`flask content validate`: every problem listed, non-zero exit; the app refuses bad content."""

from __future__ import annotations

import shutil

import pytest

from backend import create_app
from backend.catalog import ContentError
from backend.config import ROOT
from tests.conftest import app_config


@pytest.fixture
def content_copy(tmp_path):
    folder = tmp_path / "content"
    shutil.copytree(ROOT / "content", folder)
    return folder


def run_validate(app, folder):
    return app.test_cli_runner().invoke(args=["content", "validate", "--root", str(folder)])


def test_validate_reports_ok_with_counts_and_versions(app, content_copy):
    result = run_validate(app, content_copy)
    assert result.exit_code == 0, result.output
    assert "Content OK:" in result.output and "rules version 2026" in result.output


def test_validate_lists_every_problem_and_fails(app, content_copy):
    exercise = next((content_copy / "exercises" / "balance").glob("*.yaml"))
    exercise.write_text(exercise.read_text().replace("modality: balance", "modality: flying"))
    rules = content_copy / "safety" / "rules.yaml"
    rules.write_text(rules.read_text() + "\nbogus_field: 1\n")
    result = run_validate(app, content_copy)
    assert result.exit_code == 1
    assert f"exercises/balance/{exercise.name}" in result.output and "'flying'" in result.output
    assert "safety/rules.yaml" in result.output and "bogus_field" in result.output


def test_the_app_refuses_to_start_on_invalid_content(content_copy):
    exercise = next((content_copy / "exercises" / "mobility").glob("*.yaml"))
    exercise.write_text(exercise.read_text() + "\nunexpected: true\n")
    with pytest.raises(ContentError, match="unexpected"):
        create_app(app_config("sqlite://", CONTENT_ROOT=content_copy))
