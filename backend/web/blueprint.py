"""The dashboard blueprint and what every page shares: the signed-in actor and safe redirects."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, g, url_for

from backend.security import Actor

PREFIX = "/dashboard"

blp = Blueprint(
    "web",
    __name__,
    url_prefix=PREFIX,
    template_folder="templates",
    static_folder="static",
    static_url_path="/static",
)


SECURITY_HEADERS = {
    # Everything is served from here: no CDN, no inline script or style.
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}


@blp.after_request
def _headers(response):
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    if response.mimetype == "text/html":
        # Patient data must not linger in a shared computer's cache (static files may).
        response.headers["Cache-Control"] = "no-store"
    return response


def actor() -> Actor:
    """The clinician signed in to this request (set by the sign-in guard)."""
    return g.web_actor


def safe_next(target: str | None, default_endpoint: str = "web.caseload") -> str:
    """A same-site dashboard path to go back to; anything else falls back to the default page."""
    if (
        target
        and target.startswith(PREFIX + "/")
        and "\\" not in target
        and not target.startswith("//")
        and target.isprintable()  # CR/LF would split the Location header
    ):
        try:
            parts = urlsplit(target)
        except ValueError:  # e.g. an unclosed "[" read as an IPv6 host
            parts = None
        if parts and not parts.scheme and not parts.netloc:
            return target
    return url_for(default_endpoint)
