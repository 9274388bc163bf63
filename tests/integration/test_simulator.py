"""The simulator drives virtual patients through the real API and reports sane, repeatable measures."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text

from simulation.harness import format_result, run_simulation

TIMING = ("requests", "setup_seconds", "elapsed_seconds")


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """The same tiny cohort twice: once on a database the test can read, once on a scratch one."""
    url = f"sqlite:///{tmp_path_factory.mktemp('sim') / 'sim.db'}"
    first = run_simulation(patients=3, weeks=2, policy="rules", seed=3, database_url=url)
    second = run_simulation(patients=3, weeks=2, policy="rules", seed=3)
    return first, second, url


def _without_timing(result: dict) -> dict:
    return {k: v for k, v in result.items() if k not in TIMING}


def test_the_same_seed_gives_the_same_measures(runs):
    first, second, _ = runs
    assert _without_timing(first) == _without_timing(second)


def test_the_cohort_checked_in_and_logged_through_the_api(runs):
    first, _, url = runs
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            count = {
                table: conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()  # noqa: S608
                for table in ("patients", "check_ins", "exercise_sessions", "session_logs")
            }
    finally:
        engine.dispose()
    assert count["patients"] == 3
    assert count["check_ins"] == first["check_ins"] > 0
    assert count["session_logs"] == first["logged_sessions"] > 0
    assert count["exercise_sessions"] >= first["served_sessions"]


def test_the_measures_are_sane(runs):
    r = runs[0]
    assert r["policy"] == "rules" and r["patients"] == 3 and r["weeks"] == 2
    assert r["window_weeks"] == [1, 2]  # fewer than 12 weeks: the last 3 (here: all)
    assert 0 <= r["missed_sessions"] <= r["served_sessions"]
    assert r["logged_sessions"] + r["missed_sessions"] == r["served_sessions"]
    assert 0 <= r["flares"] <= r["logged_sessions"]
    assert 0.0 <= r["flares_per_100"] <= 100.0
    assert r["tolerated_load"] > 0
    assert r["proposals_to_review"] >= 0
    assert sum(r["verdicts"].values()) == r["check_ins"]
    assert 1 <= r["final_level_mean"] <= 8


def test_another_seed_gives_another_cohort(runs):
    other = run_simulation(patients=2, weeks=1, policy="fixed", seed=4)
    assert other["logged_sessions"] > 0
    assert _without_timing(other) != _without_timing(runs[0])


def test_the_result_prints_for_the_cli(runs):
    text_out = format_result(runs[0])
    assert "policy=rules" in text_out
    assert "tolerated load, weeks 1-2" in text_out
    assert "flares per 100 sessions" in text_out
    assert "missed sessions" in text_out
    assert "proposals sent to review" in text_out


def test_an_unknown_policy_is_refused():
    with pytest.raises(ValueError, match="unknown policy"):
        run_simulation(patients=1, weeks=1, policy="reckless", seed=1)


def test_the_model_policy_runs_with_the_nightly_retraining():
    # Through the real API with the day-one model, retraining every night as the scheduler
    # does (two weeks of three patients is too little data to replace the day-one model).
    r = run_simulation(patients=3, weeks=2, policy="model", seed=5)
    assert r["model_version"].endswith("-simulated") and r["retrained"] is True
    assert r["models_promoted"] == [] and r["logged_sessions"] > 0
    assert "retrained" in format_result(r)


def test_the_programme_measures_use_the_simulators_truth(runs):
    r = runs[0]
    assert r["family"] == "banister" and r["drop_outs"] == 0  # Banister patients never leave
    assert 0.0 <= r["true_flares_per_100"] <= 100.0
    assert r["label_recall"] is None or 0.0 <= r["label_recall"] <= 1.0
    assert 0 <= r["tolerating_patients"] <= r["patients"]
    assert r["progressed_share"] is None or 0.0 <= r["progressed_share"] <= 1.0
    assert 0.0 <= r["fitt_share"] <= 1.0
    assert "progressed >= 2 levels" in format_result(r)


def test_the_busso_family_runs_through_the_same_harness():
    r = run_simulation(patients=3, weeks=2, policy="rules", seed=3, family="busso")
    assert r["family"] == "busso" and r["logged_sessions"] > 0
    assert "family=busso" in format_result(r)
    with pytest.raises(ValueError, match="unknown family"):
        run_simulation(patients=1, weeks=1, policy="rules", seed=1, family="hill")


def test_the_command_line_runs_one_simulation(capsys):
    from simulation.__main__ import main

    assert main(["--policy", "fixed", "--family", "busso", "--patients", "1", "--weeks", "1"]) == 0
    assert "family=busso policy=fixed" in capsys.readouterr().out
