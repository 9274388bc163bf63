"""Settings come from ONWARD_* variables; development secrets are refused outside development."""

from __future__ import annotations

import pytest

from backend import config


def test_development_runs_with_defaults(monkeypatch):
    monkeypatch.delenv("ONWARD_SECRET_KEY", raising=False)
    cfg = config.load({"ENV": "development", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert cfg["SECRET_KEY"] == config.DEV_SECRET


def test_production_refuses_a_missing_secret(monkeypatch):
    monkeypatch.delenv("ONWARD_SECRET_KEY", raising=False)
    monkeypatch.delenv("ONWARD_JWT_SECRET_KEY", raising=False)
    with pytest.raises(config.ConfigError, match="ONWARD_SECRET_KEY"):
        config.load({"ENV": "production", "SQLALCHEMY_DATABASE_URI": "sqlite://"})


def test_production_refuses_the_development_secret(monkeypatch):
    monkeypatch.setenv("ONWARD_SECRET_KEY", config.DEV_SECRET)
    with pytest.raises(config.ConfigError):
        config.load({"ENV": "production", "SQLALCHEMY_DATABASE_URI": "sqlite://"})


def test_production_refuses_per_process_rate_limits(monkeypatch):
    monkeypatch.setenv("ONWARD_SECRET_KEY", "s" * 40)
    with pytest.raises(config.ConfigError, match="RATELIMIT_STORAGE_URI"):
        config.load({"ENV": "production", "SQLALCHEMY_DATABASE_URI": "sqlite://"})


def test_production_runs_when_configured(monkeypatch):
    monkeypatch.setenv("ONWARD_SECRET_KEY", "s" * 40)
    monkeypatch.setenv("ONWARD_RATELIMIT_STORAGE_URI", "redis://127.0.0.1:6379/0")
    monkeypatch.setenv("ONWARD_DATABASE_URL", "postgresql+psycopg://u@db/onward")
    cfg = config.load({"ENV": "production"})
    assert cfg["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@db/onward"


def test_clock_is_frozen_in_tests_and_moves_on_demand():
    from datetime import timedelta

    from backend import clock

    start = clock.now()
    clock._clock.advance(hours=2)
    assert clock.now() - start == timedelta(hours=2)


@pytest.mark.parametrize(
    "name,value",
    [
        ("ONWARD_ADAPTATION_POLICY", "yolo"),
        ("ONWARD_ADAPTATION_THETA", "1.5"),
        ("ONWARD_ADAPTATION_THETA_FLOOR", "0.9"),  # above theta
        ("ONWARD_ADAPTATION_MAX_EXCESS_RISK", "0.5"),
        ("ONWARD_ADAPTATION_MAX_EXCESS_RISK_HOLD", "0.01"),  # under the step's own allowance
    ],
)
def test_the_coach_settings_are_checked(monkeypatch, name, value):
    monkeypatch.setenv(name, value)
    with pytest.raises(config.ConfigError, match=name.removeprefix("ONWARD_")):
        config.load({"ENV": "development", "SQLALCHEMY_DATABASE_URI": "sqlite://"})


@pytest.mark.parametrize("value", ["1", "100000", "ninety"])
def test_the_observation_retention_is_checked(monkeypatch, value):
    monkeypatch.setenv("ONWARD_OBSERVATION_RETENTION_DAYS", value)
    with pytest.raises(config.ConfigError, match="OBSERVATION_RETENTION_DAYS"):
        config.load({"ENV": "development", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
