"""The scheduler process: its jobs, their settings, the hooks, the digest and a clean stop."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from datetime import UTC, date, datetime, timedelta

from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from backend import clock
from backend.config import ROOT
from backend.scheduler import JOBS, build_scheduler, run_job
from backend.services import training
from backend.services.digest import reported_week
from tests.integration.notifications.builders import (
    add_session,
    clinic_with_patients,
    count,
    notifications,
    open_alert,
)

AT_TEN = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)


def test_the_jobs_have_stable_ids_and_safe_defaults(app):
    assert [spec.id for spec in JOBS] == [
        "reminders.tick",
        "notifications.dispatch",
        "alerts.escalate",
        "digest.weekly",
        "retrain.nightly",
        "observations.prune",
    ]
    scheduler = build_scheduler(app)
    # Job defaults are applied when the scheduler starts: start it paused, in a thread.
    runner = threading.Thread(target=scheduler.start, kwargs={"paused": True})
    runner.start()
    try:
        for _ in range(100):
            if scheduler.running:
                break
            time.sleep(0.05)
        jobs = {job.id: job for job in scheduler.get_jobs()}
    finally:
        scheduler.shutdown()
        runner.join(10)
    assert set(jobs) == {spec.id for spec in JOBS}
    assert str(scheduler.timezone) == "UTC"
    for job_id, job in jobs.items():
        assert job.coalesce is True and job.max_instances == 1, job_id
        nightly_job = job_id in ("retrain.nightly", "observations.prune")
        assert job.misfire_grace_time == (3600 if nightly_job else 300)
    assert jobs["reminders.tick"].trigger.interval == timedelta(minutes=1)
    assert jobs["notifications.dispatch"].trigger.interval == timedelta(seconds=30)
    assert jobs["alerts.escalate"].trigger.interval == timedelta(minutes=1)
    for job_id in ("reminders.tick", "notifications.dispatch", "alerts.escalate"):
        trigger = jobs[job_id].trigger
        assert isinstance(trigger, IntervalTrigger) and str(trigger.timezone) == "UTC"
    for job_id in ("reminders.tick", "alerts.escalate"):
        assert jobs[job_id].trigger.start_date.second == 1  # just after each whole minute
    nightly = jobs["retrain.nightly"].trigger
    assert isinstance(nightly, CronTrigger) and str(nightly.timezone) == "UTC"


def test_jobs_run_in_an_app_context_on_the_injected_clock_and_are_idempotent(
    app, client, monkeypatch
):
    world = clinic_with_patients(client, 2)
    nights = []

    def retrain(now):
        nights.append(now)
        return {"promoted": False, "reason": "test"}

    monkeypatch.setattr(training, "retrain_nightly", retrain)
    with clock.frozen(AT_TEN):
        for _ in range(2):
            for spec in JOBS:
                run_job(app, spec.id)  # no app context of ours: the job makes its own
    assert count(kind="session_reminder", channel="in_app") == 2
    assert {n["state"] for n in notifications(kind="session_reminder")} == {"delivered"}
    assert count(kind="weekly_digest", recipient_id=world["physio_id"]) == 2  # in-app + e-mail
    assert nights == [AT_TEN, AT_TEN]  # the hook passes the injected clock's now


def test_nightly_retraining_runs_on_the_clinics_logs_with_the_injected_clock(app, monkeypatch):
    seen = []

    def retrain(now):
        seen.append(now)
        return {"promoted": False, "reason": "too little data (0 labelled sessions)"}

    monkeypatch.setattr(training, "retrain_nightly", retrain)
    with clock.frozen(AT_TEN):
        run_job(app, "retrain.nightly")
    assert seen == [AT_TEN]


def test_nightly_retraining_with_no_logs_trains_nothing(app):
    with clock.frozen(AT_TEN), app.app_context():
        result = training.retrain_nightly(clock.now())
        assert result["promoted"] is False and "too little data" in result["reason"]
        assert training.active_row() is None


def test_reported_week():
    monday_7 = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)
    assert reported_week(monday_7) == (date(2026, 11, 16), date(2026, 11, 23))
    assert reported_week(monday_7 - timedelta(seconds=1)) == (
        date(2026, 11, 9),
        date(2026, 11, 16),
    )
    assert reported_week(datetime(2026, 11, 29, 23, 0, tzinfo=UTC))[0] == date(2026, 11, 16)


def test_weekly_digest_counts_each_clinicians_week_once(app, client):
    world = clinic_with_patients(client, 3)
    patient = world["patients"][0]["id"]
    with clock.frozen(datetime(2026, 11, 18, 12, 0, tzinfo=UTC)):
        open_alert(patient)  # last week
    open_alert(patient)  # this week: not counted
    for day in (17, 19):
        add_session(patient, date(2026, 11, day))  # missed last week
    add_session(patient, date(2026, 11, 20), logged=True)
    other = clinic_with_patients(client, 1)
    for _ in range(3):
        run_job(app, "digest.weekly")
    (mine,) = notifications(kind="weekly_digest", recipient_id=world["physio_id"], channel="in_app")
    assert mine["body"] == (
        "Week 16 Nov to 22 Nov: 1 red-flag alerts, 2 missed sessions, 3 patients in your caseload."
    )
    assert mine["local_date"] == date(2026, 11, 16)
    (theirs,) = notifications(
        kind="weekly_digest", recipient_id=other["physio_id"], channel="email"
    )
    assert "0 red-flag alerts, 0 missed sessions, 1 patients" in theirs["body"]


def test_python_m_backend_scheduler_stops_cleanly_on_sigterm(tmp_path):
    env = {
        **os.environ,
        "ONWARD_ENV": "test",
        "ONWARD_DATABASE_URL": f"sqlite:///{tmp_path / 'scheduler.db'}",
        "ONWARD_INSTANCE_DIR": str(tmp_path),
        "ONWARD_LOG_LEVEL": "INFO",
        "PYTHONPATH": str(ROOT),
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "backend.scheduler"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        started = time.monotonic()
        lines = []
        while time.monotonic() - started < 60:
            line = process.stdout.readline()
            if not line:
                break
            lines.append(line)
            if "scheduler started" in line:
                break
        assert any("scheduler started" in line for line in lines), "".join(lines)
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 0, output
    assert "scheduler stopped" in output
