"""Settings from environment variables with the ONWARD_ prefix.

Development and test get safe defaults; anything else must be configured explicitly and
refuses to start with a development secret.
"""

from __future__ import annotations

import os
from pathlib import Path

PREFIX = "ONWARD_"
ROOT = Path(__file__).resolve().parent.parent
DEV_SECRET = "dev-only-secret-change-me-0123456789abcdef"  # noqa: S105 - refused outside dev/test
NON_PRODUCTION = ("development", "test")


class ConfigError(RuntimeError):
    """The environment does not describe a safe, runnable configuration."""


def _env(name: str, default: str | None = None) -> str | None:
    return os.environ.get(PREFIX + name, default)


def _int(name: str, default: str) -> int:
    raw = _env(name, default)
    try:
        return int(raw)
    except ValueError:
        raise ConfigError(f"{PREFIX}{name} must be a whole number, not {raw!r}") from None


def _sqlite_url(instance: Path, name: str) -> str:
    instance.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{instance / name}"


def load(overrides: dict | None = None) -> dict:
    """Build the Flask config mapping from the environment plus explicit overrides."""
    overrides = dict(overrides or {})
    env = overrides.get("ENV") or _env("ENV", "development")
    instance = Path(_env("INSTANCE_DIR", str(ROOT / "instance")))
    database_url = (
        _env("DATABASE_URL")
        or os.environ.get("DATABASE_URL")
        or _sqlite_url(instance, "onward-test.db" if env == "test" else "onward.db")
    )
    secret = _env("SECRET_KEY") or (DEV_SECRET if env in NON_PRODUCTION else None)
    cfg = {
        "ENV": env,
        "SECRET_KEY": secret,
        "JWT_SECRET_KEY": _env("JWT_SECRET_KEY") or secret,
        "SQLALCHEMY_DATABASE_URI": database_url,
        # hide_parameters: an error's text never carries bound values (e-mails, names, hashes).
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True, "hide_parameters": True},
        "MAX_CONTENT_LENGTH": int(_env("MAX_BODY_BYTES", str(256 * 1024))),
        "ACCESS_TOKEN_MINUTES": int(_env("ACCESS_TOKEN_MINUTES", "15")),
        "REFRESH_TOKEN_DAYS": int(_env("REFRESH_TOKEN_DAYS", "30")),
        # A refresh retried within this many seconds (its answer lost on a flaky network) gets
        # the same new refresh token instead of revoking the sign-in.
        "REFRESH_GRACE_SECONDS": int(_env("REFRESH_GRACE_SECONDS", "30")),
        "INVITE_DAYS": int(_env("INVITE_DAYS", "14")),
        # Failed sign-ins per (account, address) pair and, softer, per account; every attempt
        # per address. API and dashboard share the counters (backend/sign_in_limits.py).
        "LOGIN_LIMIT_PER_ACCOUNT_ADDRESS": _env("LOGIN_LIMIT_PER_ACCOUNT_ADDRESS", "5/minute"),
        "LOGIN_LIMIT_PER_ACCOUNT": _env("LOGIN_LIMIT_PER_ACCOUNT", "30/hour"),
        "LOGIN_LIMIT_PER_ADDRESS": _env("LOGIN_LIMIT_PER_ADDRESS", "20/minute"),
        "RATELIMIT_STORAGE_URI": _env("RATELIMIT_STORAGE_URI", "memory://"),
        "RATELIMIT_HEADERS_ENABLED": True,
        "RATELIMIT_ENABLED": _env("RATELIMIT_ENABLED", "1") == "1",
        "CONTENT_ROOT": Path(_env("CONTENT_ROOT", str(ROOT / "content"))),
        # Exercise media: a local folder served at /media/, or a CDN / object store the URLs
        # point at instead (docs/api.md "Media").
        "MEDIA_ROOT": _env("MEDIA_ROOT"),
        "MEDIA_BASE_URL": _env("MEDIA_BASE_URL"),
        "MEDIA_MAX_AGE": int(_env("MEDIA_MAX_AGE", str(365 * 24 * 3600))),
        # A log or check-in for a day older than this is refused (docs/api.md "Offline sync").
        "OFFLINE_WINDOW_DAYS": int(_env("OFFLINE_WINDOW_DAYS", "7")),
        # Raw wearable points older than this are pruned nightly; day and session summaries
        # stay. An upload may reach back this far less two days (docs/architecture.md, item 44).
        "OBSERVATION_RETENTION_DAYS": _int("OBSERVATION_RETENTION_DAYS", "90"),
        # A batch of 5 000 FHIR Observations is about 2.5 MB: this endpoint alone may take more.
        "OBSERVATION_MAX_BODY_BYTES": _int("OBSERVATION_MAX_BODY_BYTES", str(4 * 1024 * 1024)),
        "MODEL_DIR": Path(_env("MODEL_DIR", str(instance / "models"))),
        # "module:function" giving the simulated population's logs (the day-one model's data
        # and the nightly prior); empty: none. A setting, so backend never imports simulation.
        "POPULATION_PRIOR": _env("POPULATION_PRIOR", "simulation.population:simulate_logs"),
        # INFO: one access line per request and the jobs' summaries; tests keep WARNING.
        "LOG_LEVEL": _env("LOG_LEVEL", "WARNING" if env == "test" else "INFO").upper(),
        "METRICS_TOKEN": _env("METRICS_TOKEN"),  # unset: /metrics is off (404)
        # Proxy hops in front of the app whose X-Forwarded-* headers are believed (ProxyFix);
        # 0 believes none. Set it to the number of load balancers/proxies, never more.
        "TRUSTED_PROXIES": _int("TRUSTED_PROXIES", "0"),
        # The coach (TOLERANCE_MODEL.md "Policy", docs/architecture.md): which policy decides;
        # the P(tolerated) at which a step up is always acceptable; under it, the floor for a
        # step up, the flare risk a step up may add, and the flare risk the current level may
        # add to the one below before it steps down (docs/architecture.md, item 19).
        "ADAPTATION_POLICY": _env("ADAPTATION_POLICY", "auto"),
        "ADAPTATION_THETA": float(_env("ADAPTATION_THETA", "0.8")),
        "ADAPTATION_THETA_FLOOR": float(_env("ADAPTATION_THETA_FLOOR", "0.6")),
        "ADAPTATION_MAX_EXCESS_RISK": float(_env("ADAPTATION_MAX_EXCESS_RISK", "0.05")),
        "ADAPTATION_MAX_EXCESS_RISK_HOLD": float(_env("ADAPTATION_MAX_EXCESS_RISK_HOLD", "0.12")),
        # P(flare) at the chosen level from which a green day may be served lighter (item 25).
        "ADAPTATION_LIGHTER_RISK": float(_env("ADAPTATION_LIGHTER_RISK", "0.3")),
        # Tolerated sessions at the level (2 weeks, no flare) after which a step up is expected,
        # and the calibrated flare risk that step may add (item 26).
        "ADAPTATION_PROGRESS_AFTER": int(_env("ADAPTATION_PROGRESS_AFTER", "3")),
        "ADAPTATION_MAX_STEP_RISK": float(_env("ADAPTATION_MAX_STEP_RISK", "0.10")),
        # Recalibrate the model's P(flare) to the clinic and each patient (item 50); "0": off.
        "ONLINE_RECALIBRATION": _env("ONLINE_RECALIBRATION", "1") == "1",
        "WEB_IDLE_MINUTES": int(_env("WEB_IDLE_MINUTES", "30")),  # dashboard idle sign-out
        "WEB_SESSION_HOURS": int(_env("WEB_SESSION_HOURS", "12")),  # dashboard hard session cap
        "API_TITLE": "Onward API",
        "API_VERSION": "v1",
        "OPENAPI_VERSION": "3.0.3",
        "OPENAPI_URL_PREFIX": "/api/v1",
        "OPENAPI_JSON_PATH": "openapi.json",
        "JSON_SORT_KEYS": False,
    }
    cfg.update(overrides)
    check(cfg)
    return cfg


def check(cfg: dict) -> None:
    """Refuse configurations that would be unsafe outside development."""
    if cfg["LOG_LEVEL"] not in ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"):
        raise ConfigError(f"{PREFIX}LOG_LEVEL must be DEBUG, INFO, WARNING, ERROR or CRITICAL")
    if cfg["ADAPTATION_POLICY"] not in ("auto", "fixed", "rules", "model"):
        raise ConfigError(f"{PREFIX}ADAPTATION_POLICY must be auto, fixed, rules or model")
    if not 0.5 <= cfg["ADAPTATION_THETA"] < 1:
        raise ConfigError(f"{PREFIX}ADAPTATION_THETA must lie in [0.5, 1)")
    if not 0.5 <= cfg["ADAPTATION_THETA_FLOOR"] <= cfg["ADAPTATION_THETA"]:
        raise ConfigError(f"{PREFIX}ADAPTATION_THETA_FLOOR must lie in [0.5, THETA]")
    if not 0 <= cfg["ADAPTATION_MAX_EXCESS_RISK"] <= 0.2:
        raise ConfigError(f"{PREFIX}ADAPTATION_MAX_EXCESS_RISK must lie in [0, 0.2]")
    if not cfg["ADAPTATION_MAX_EXCESS_RISK"] <= cfg["ADAPTATION_MAX_EXCESS_RISK_HOLD"] <= 0.3:
        raise ConfigError(
            f"{PREFIX}ADAPTATION_MAX_EXCESS_RISK_HOLD must lie in [MAX_EXCESS_RISK, 0.3]"
        )
    if not 0 <= cfg["TRUSTED_PROXIES"] <= 5:
        raise ConfigError(f"{PREFIX}TRUSTED_PROXIES must be a hop count from 0 to 5")
    base = cfg.get("MEDIA_BASE_URL")
    if base and not base.startswith(("https://", "http://")):
        raise ConfigError(f"{PREFIX}MEDIA_BASE_URL must be an http(s) URL")
    if not 0 <= cfg["OFFLINE_WINDOW_DAYS"] <= 60:
        raise ConfigError(f"{PREFIX}OFFLINE_WINDOW_DAYS must lie in [0, 60]")
    if not 0 <= cfg["ADAPTATION_LIGHTER_RISK"] <= 1:
        raise ConfigError(f"{PREFIX}ADAPTATION_LIGHTER_RISK must lie in [0, 1]")
    if not 1 <= cfg["ADAPTATION_PROGRESS_AFTER"] <= 20:
        raise ConfigError(f"{PREFIX}ADAPTATION_PROGRESS_AFTER must lie in [1, 20]")
    if not 0 <= cfg["ADAPTATION_MAX_STEP_RISK"] <= 0.3:
        raise ConfigError(f"{PREFIX}ADAPTATION_MAX_STEP_RISK must lie in [0, 0.3]")
    if not 3 <= cfg["OBSERVATION_RETENTION_DAYS"] <= 3660:
        raise ConfigError(f"{PREFIX}OBSERVATION_RETENTION_DAYS must lie in [3, 3660]")
    if cfg["ENV"] in NON_PRODUCTION:
        return
    for key in ("SECRET_KEY", "JWT_SECRET_KEY"):
        value = cfg.get(key)
        if not value or value == DEV_SECRET or len(value) < 32:
            raise ConfigError(
                f"{PREFIX}{key} must be set to a random value of at least 32 characters "
                f"when {PREFIX}ENV={cfg['ENV']}"
            )
    if cfg["RATELIMIT_STORAGE_URI"].startswith("memory://"):
        raise ConfigError(
            f"{PREFIX}RATELIMIT_STORAGE_URI must be shared (e.g. redis://) outside development: "
            "memory:// counts per worker process"
        )
