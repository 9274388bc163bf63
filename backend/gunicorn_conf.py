"""gunicorn settings used by the container's web role."""

from prometheus_client import multiprocess

# Method, path without its query string, status, size, duration: never the query (patient-name
# searches), the Referer (it carries the previous page's query) or the user agent.
access_log_format = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms'


def child_exit(_server, worker):
    # Multi-process Prometheus metrics: forget the dead worker's live gauges.
    multiprocess.mark_process_dead(worker.pid)


# backend.wsgi loads the app and the model once in the master; workers fork from it and share
# those pages (docs/architecture.md, item 46). A new worker after a crash forks from the same
# master, so it starts in milliseconds.
preload_app = True
