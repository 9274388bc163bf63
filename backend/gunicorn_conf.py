"""gunicorn settings used by the container's web role."""

from prometheus_client import multiprocess


def child_exit(_server, worker):
    # Multi-process Prometheus metrics: forget the dead worker's live gauges.
    multiprocess.mark_process_dead(worker.pid)
