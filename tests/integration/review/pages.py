"""Helpers for the dashboard tests: read the CSRF token a page gives, sign in through the form."""

from __future__ import annotations

import re

from tests.factories import PASSWORD

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_from(html: str) -> str:
    match = CSRF.search(html)
    assert match, "no CSRF token on the page"
    return match.group(1)


def sign_in(client, email: str, password: str = PASSWORD):
    """Sign in through the dashboard's form (CSRF token included); returns the response."""
    page = client.get("/dashboard/sign-in")
    token = csrf_from(page.get_data(as_text=True))
    return client.post(
        "/dashboard/sign-in",
        data={"email": email, "password": password, "csrf_token": token},
    )


def token_for(client, path: str) -> str:
    """A valid CSRF token, read from a dashboard page like a browser would."""
    return csrf_from(client.get(path).get_data(as_text=True))
