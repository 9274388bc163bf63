"""`python -m backend.scheduler`: the one scheduler process of a deployment.

SIGTERM (and Ctrl-C) stop it gracefully: no new runs start and running jobs finish.
"""

from __future__ import annotations

import logging
import signal
import sys

from apscheduler.events import EVENT_SCHEDULER_STARTED

from backend import create_app
from backend.scheduler import JOBS, build_scheduler

log = logging.getLogger("backend.scheduler")


def main() -> int:
    app = create_app()
    scheduler = build_scheduler(app)
    stop_requested = []

    def stop(signum, _frame):
        stop_requested.append(signum)
        log.info("scheduler stopping on signal %d; waiting for running jobs", signum)
        if scheduler.running:
            scheduler.shutdown(wait=True)

    def started(_event):
        log.info("scheduler started with jobs %s", [spec.id for spec in JOBS])
        if stop_requested and scheduler.running:  # a signal came before start() was done
            scheduler.shutdown(wait=False)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    scheduler.add_listener(started, EVENT_SCHEDULER_STARTED)
    scheduler.start()  # blocks until stop() shuts it down
    log.info("scheduler stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
