"""Delivery channels and their settings (ONWARD_* environment variables).

`init_app(app)` copies every setting into `app.config` unless the app was given it already
(so `create_app({...})` overrides win). `setting(name)` reads `current_app.config` and falls
back to the environment and the default, so code works even before `init_app` is wired.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from typing import Any

from flask import Flask, current_app, has_app_context

PREFIX = "ONWARD_"


def _bool(value: str) -> bool:
    return value.strip().lower() in ("1", "true", "yes", "on")


# name -> (parser of the environment string, default)
SETTINGS: dict[str, tuple[Callable[[str], Any], Any]] = {
    "SMTP_HOST": (str, "localhost"),
    "SMTP_PORT": (int, 25),
    "SMTP_FROM": (str, "Onward <no-reply@onward.example>"),
    "SMTP_STARTTLS": (_bool, False),
    "SMTP_USERNAME": (str, None),
    "SMTP_PASSWORD": (str, None),
    "SMTP_TIMEOUT": (float, 10.0),
    "WEBHOOK_URL": (str, None),
    "WEBHOOK_SECRET": (str, None),
    # {"<clinic id>": {"url": "...", "secret": "..."}}: a clinic's own receiver and secret.
    "WEBHOOK_CLINICS": (json.loads, {}),
    "WEBHOOK_TIMEOUT": (float, 10.0),
    "PUSH_GATEWAY_URL": (str, None),
    "PUSH_GATEWAY_TOKEN": (str, None),
    "PUSH_TIMEOUT": (float, 10.0),
    "NOTIFY_MAX_ATTEMPTS": (int, 6),
    "NOTIFY_BACKOFF_SECONDS": (int, 60),
    "NOTIFY_BACKOFF_MAX_SECONDS": (int, 6 * 3600),
    "NOTIFY_LEASE_SECONDS": (int, 300),
    "NOTIFY_BATCH_SIZE": (int, 500),
    "NOTIFY_DISPATCH_SECONDS": (int, 30),
    "ALERT_ESCALATION_MINUTES": (int, 30),
    "REMINDER_DAILY_CAP": (int, 3),
    "REMINDER_NUDGE_AFTER": (int, 2),
    "REMINDER_CLINICIAN_AFTER": (int, 4),
    "REMINDER_LOOKBACK_DAYS": (int, 7),
    "DIGEST_WEEKDAY": (int, 0),  # Monday
    "DIGEST_HOUR_UTC": (int, 7),
}


def _from_env(name: str) -> Any:
    parse, default = SETTINGS[name]
    raw = os.environ.get(PREFIX + name)
    return default if raw in (None, "") else parse(raw)


def init_app(app: Flask) -> None:
    """Add the notification settings to app.config (explicit config keeps precedence)."""
    for name in SETTINGS:
        app.config.setdefault(name, _from_env(name))
    check(app.config)


def check(config) -> None:
    """The lease is renewed once per message, so it must outlast one send by a margin: a
    send that outlasts it may be made again by another dispatcher (docs/notifications.md)."""
    from backend.config import ConfigError

    longest = max(config[f"{c}_TIMEOUT"] for c in ("SMTP", "WEBHOOK", "PUSH"))
    if config["NOTIFY_LEASE_SECONDS"] <= 2 * longest:
        raise ConfigError(
            f"{PREFIX}NOTIFY_LEASE_SECONDS must be more than twice the longest channel timeout "
            f"({longest:g} s)"
        )


def setting(name: str) -> Any:
    """One notification setting for the current app."""
    if has_app_context() and name in current_app.config:
        return current_app.config[name]
    return _from_env(name)
