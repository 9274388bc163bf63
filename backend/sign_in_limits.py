"""Sign-in rate limits, shared by the API's login and the dashboard's sign-in form.

Three counters, each shared by both routes (docs/security.md, "Rate limits"):
- per (account, address) pair, failed sign-ins only: the attacker's address is stopped, the
  account owner signing in from elsewhere is not;
- per account, failed sign-ins only, softer (30 an hour): a spread-out guess is stopped too,
  and the owner gets a notice;
- per address, every attempt: one address cannot spray many accounts.
Keys hold a digest of the e-mail, never the address itself.
"""

from __future__ import annotations

import hashlib

from flask import current_app, request

from backend.extensions import limiter


def _email() -> str:
    body = request.get_json(silent=True) if request.is_json else request.form
    email = body.get("email") if hasattr(body, "get") else None
    return email.strip().lower() if isinstance(email, str) else ""


def _account() -> str:
    return hashlib.sha256(_email().encode()).hexdigest()[:32]


def _pair_key() -> str:
    return f"{_account()}|{request.remote_addr}"


def _failed(response) -> bool:
    return response.status_code == 401


def _notify_owner(_limit) -> None:
    from backend.services import accounts

    accounts.warn_sign_in_paused(_email())


def guarded(view):
    """Decorate a sign-in view (POST) with the three shared limits."""
    cfg = lambda key: lambda: current_app.config[key]  # noqa: E731 - read at request time
    decorators = (
        limiter.shared_limit(cfg("LOGIN_LIMIT_PER_ADDRESS"), scope="sign-in-address", methods=["POST"]),
        limiter.shared_limit(
            cfg("LOGIN_LIMIT_PER_ACCOUNT_ADDRESS"),
            scope="sign-in-pair",
            key_func=_pair_key,
            deduct_when=_failed,
            methods=["POST"],
        ),
        limiter.shared_limit(
            cfg("LOGIN_LIMIT_PER_ACCOUNT"),
            scope="sign-in-account",
            key_func=_account,
            deduct_when=_failed,
            on_breach=_notify_owner,
            methods=["POST"],
        ),
    )
    for decorator in decorators:
        view = decorator(view)
    return view
