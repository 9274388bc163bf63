"""Response headers for health data, and the load balancer in front (docs/security.md).

Every response gets `nosniff`; everything but the dashboard (which sets its own, stricter set
in web.blueprint) and the public content (media, vocabulary) gets `no-store` (`private,
no-cache` with an ETag) and `Referrer-Policy: no-referrer`; HTTPS requests get HSTS;
the API docs page gets a Content-Security-Policy that forbids framing. Behind a proxy,
`ONWARD_TRUSTED_PROXIES` hops of X-Forwarded-For/-Proto/-Host/-Port are believed (ProxyFix),
so client addresses (rate limits, audit), the scheme (HSTS, secure cookies) and hosts are right.
"""

from __future__ import annotations

import base64
import hashlib
import re

from flask import Flask, request
from werkzeug.middleware.proxy_fix import ProxyFix

DOCS_PREFIX = "/api/v1/docs"
DASHBOARD_PREFIX = "/dashboard"
# Public, patient-free and cacheable: their views set their own Cache-Control.
CACHEABLE_PREFIXES = ("/media/", "/api/v1/vocabulary")
HSTS = "max-age=31536000; includeSubDomains"
INLINE_SCRIPT = re.compile(rb"<script>(.*?)</script>", re.S)
DOCS_CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "script-src 'self' {hashes}; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)


def trust_proxies(app: Flask) -> None:
    """Believe this many proxy hops' forwarding headers (0, the default: believe none)."""
    hops = app.config.get("TRUSTED_PROXIES", 0)
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops)


def _script_hashes(body: bytes) -> str:
    """CSP sources for the docs page's own inline script (swagger-ui's start-up config)."""
    digests = (hashlib.sha256(m.group(1)).digest() for m in INLINE_SCRIPT.finditer(body))
    return " ".join(f"'sha256-{base64.b64encode(d).decode()}'" for d in digests)


def no_retry_after_on_success(response):
    """The rate limiter's headers put Retry-After on every answer of a limited route; on a
    success it tells a client to wait for nothing (and clients back off on it)."""
    if response.status_code < 400:
        response.headers.pop("Retry-After", None)
    return response


def _cache_control(response) -> str:
    """no-store for everything with patient data, except an answer with an ETag (today's
    session, the library): the phone may keep that one for itself (private) and must
    revalidate it each time (no-cache) with If-None-Match, which no-store would forbid.
    Public content (media, vocabulary) keeps what its view set, or is public + no-cache."""
    etagged = response.status_code == 304 or (
        "ETag" in response.headers and response.status_code < 300
    )
    if request.path.startswith(CACHEABLE_PREFIXES):
        own = response.headers.get("Cache-Control")
        return own or ("public, no-cache" if etagged else "no-store")
    return "private, no-cache" if etagged else "no-store"


def register(app: Flask) -> None:
    trust_proxies(app)

    @app.after_request
    def _security_headers(response):
        headers = response.headers
        headers.setdefault("X-Content-Type-Options", "nosniff")
        if request.is_secure:
            headers.setdefault("Strict-Transport-Security", HSTS)
        if request.path.startswith(DASHBOARD_PREFIX):
            return response  # web.blueprint sets the dashboard's own
        headers["Cache-Control"] = _cache_control(response)
        headers.setdefault("Referrer-Policy", "no-referrer")
        if request.path.startswith(DOCS_PREFIX) and response.mimetype == "text/html":
            hashes = _script_hashes(response.get_data())
            headers["Content-Security-Policy"] = DOCS_CSP.format(hashes=hashes)
            headers.setdefault("X-Frame-Options", "DENY")
        return response
