"""Prometheus metrics at /metrics (multi-process aware under gunicorn), behind a token."""

from __future__ import annotations

import hmac
import os
import time

from flask import Flask, Response, g, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)

from backend.errors import problem

REQUESTS = Counter("onward_http_requests_total", "HTTP requests", ["method", "route", "status"])
LATENCY = Histogram("onward_http_request_seconds", "HTTP request latency", ["method", "route"])


def _registry():
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return registry
    from prometheus_client import REGISTRY

    return REGISTRY


def register(app: Flask) -> None:
    @app.before_request
    def _start_timer():
        g.metrics_started = time.perf_counter()

    @app.after_request
    def _observe(response):
        route = request.url_rule.rule if request.url_rule else "unmatched"
        REQUESTS.labels(request.method, route, str(response.status_code)).inc()
        started = g.get("metrics_started")
        if started is not None:
            LATENCY.labels(request.method, route).observe(time.perf_counter() - started)
        return response

    @app.get("/metrics")
    def metrics():
        # Off unless ONWARD_METRICS_TOKEN is set; then only with that bearer token.
        token = app.config.get("METRICS_TOKEN")
        if not token:
            return problem(404, "Not found.")
        given = request.headers.get("Authorization", "")
        if not hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
            return problem(401, "Metrics need their token.", headers={"WWW-Authenticate": "Bearer"})
        return Response(generate_latest(_registry()), mimetype=CONTENT_TYPE_LATEST)
