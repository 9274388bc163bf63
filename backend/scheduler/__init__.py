"""The scheduled jobs: a declared list with stable ids, run by one BlockingScheduler process.

Every job takes "now" from backend.clock, runs inside an app context and is idempotent (each
write is deduplicated or guarded), so a restart, a late run or a second scheduler duplicates
nothing. Wall-clock work (reminders, digests) runs on UTC interval ticks and computes local
times itself: APScheduler's local-time cron runs twice or late around DST (STACK.md §3).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.blocking import BlockingScheduler
from flask import Flask

from backend import clock

log = logging.getLogger(__name__)

JOB_DEFAULTS = {"coalesce": True, "max_instances": 1, "misfire_grace_time": 300}


def reminders_tick(now: datetime) -> None:
    """Queue reminders, check-in prompts, nudges and missed-session notes due now."""
    from backend.services.reminders import queue_due_reminders

    report = queue_due_reminders(now)
    if report.rows:
        log.info("reminders queued: %s (rows %d)", dict(report.queued), report.rows)


def notifications_dispatch(now: datetime) -> None:
    """Deliver what is due, batch after batch."""
    from backend.services.notifications import drain

    outcomes = drain()
    if outcomes:
        log.info("notifications dispatched: %s", dict(outcomes))


def alerts_escalate(now: datetime) -> None:
    """Make sure every open red flag was notified; escalate the unacknowledged ones."""
    from backend.services import alerts

    alerts.notify_open_alerts(now)
    escalated = alerts.escalate_unacknowledged(now)
    if escalated:
        log.warning("red flags escalated to on-call: %d notifications", len(escalated))


def digest_weekly(now: datetime) -> None:
    """Queue last week's digest for each clinician once it is due."""
    from backend.services.digest import queue_weekly_digest

    queue_weekly_digest(now)


def retrain_nightly(now: datetime) -> None:
    """Retrain the tolerance model on the clinic's logs; promoted only if not worse."""
    from backend.services import training

    result = training.retrain_nightly(now)
    log.info(
        "retrain.nightly done: %s", {k: result.get(k) for k in ("promoted", "reason", "version")}
    )


def observations_prune(now: datetime) -> None:
    """Drop raw wearable points past the retention window; summaries stay."""
    from backend.services import observations

    result = observations.prune(now)
    observations.prepare_partitions(now)
    log.info(
        "observations.prune done: %d points deleted, %d partitions dropped",
        result["deleted"],
        len(result["dropped_partitions"]),
    )


@dataclass(frozen=True)
class JobSpec:
    id: str  # stable: logs and metrics refer to it
    func: Callable[[datetime], None]
    trigger: str  # "interval" or "cron", always in UTC
    trigger_args: dict
    options: dict = field(default_factory=dict)  # overrides of JOB_DEFAULTS
    # A notification setting that replaces the interval's seconds (e.g. faster in tests).
    interval_setting: str | None = None
    aligned: bool = True  # interval ticks start on a whole minute (wall-clock work)


JOBS: tuple[JobSpec, ...] = (
    JobSpec("reminders.tick", reminders_tick, "interval", {"minutes": 1}),
    # Not wall-clock work: starts one interval after the process, so a restart sends soon.
    JobSpec(
        "notifications.dispatch",
        notifications_dispatch,
        "interval",
        {"seconds": 30},
        interval_setting="NOTIFY_DISPATCH_SECONDS",
        aligned=False,
    ),
    JobSpec("alerts.escalate", alerts_escalate, "interval", {"minutes": 1}),
    # Checked every 15 minutes so a scheduler that was down still sends the digest.
    JobSpec("digest.weekly", digest_weekly, "interval", {"minutes": 15}),
    # A UTC cron has no DST; a missed night may still run within the hour.
    JobSpec(
        "retrain.nightly",
        retrain_nightly,
        "cron",
        {"hour": 2, "minute": 15},
        {"misfire_grace_time": 3600},
    ),
    JobSpec(
        "observations.prune",
        observations_prune,
        "cron",
        {"hour": 3, "minute": 30},
        {"misfire_grace_time": 3600},
    ),
)


def run_job(app: Flask, job_id: str) -> None:
    """Run one job by id inside an app context (what the scheduler calls)."""
    spec = next(s for s in JOBS if s.id == job_id)
    with app.app_context():
        spec.func(clock.now())


def _next_minute(now: datetime) -> datetime:
    # Align interval ticks to whole minutes (+1 s) so a 09:30 reminder goes at 09:30:01.
    return now.replace(second=1, microsecond=0) + timedelta(minutes=1)


def build_scheduler(app: Flask) -> BlockingScheduler:
    """A UTC BlockingScheduler with every job of JOBS (not started)."""
    from backend import notify

    notify.init_app(app)
    scheduler = BlockingScheduler(timezone=UTC, job_defaults=dict(JOB_DEFAULTS))
    start = _next_minute(clock.now())
    for spec in JOBS:
        trigger_args = dict(spec.trigger_args, timezone=UTC)
        if spec.interval_setting:
            trigger_args["seconds"] = app.config[spec.interval_setting]
        if spec.trigger == "interval" and spec.aligned:
            trigger_args["start_date"] = start
        scheduler.add_job(
            run_job,
            spec.trigger,
            args=[app, spec.id],
            id=spec.id,
            name=spec.id,
            replace_existing=True,
            **trigger_args,
            **spec.options,
        )
    return scheduler
