"""Who is calling: token auth, the current actor and role checks."""

from __future__ import annotations

from dataclasses import dataclass
from functools import wraps

from flask import g, request
from flask_jwt_extended import get_jwt, verify_jwt_in_request

from backend.errors import Forbidden, Unauthorised

ROLES = ("admin", "clinician", "patient")


@dataclass(frozen=True)
class Actor:
    """The signed-in user as every service sees them."""

    user_id: str
    role: str
    clinic_id: str
    patient_id: str | None = None
    remote_addr: str | None = None


def current_actor() -> Actor:
    """The actor of this request: a valid, unrevoked access token of a still-active user."""
    if "actor" not in g:
        from backend.services.accounts import live_actor  # services import this module

        verify_jwt_in_request()
        actor = live_actor(get_jwt()["sub"], request.remote_addr)
        if actor is None:  # deactivated since the token was issued
            raise Unauthorised("Your sign-in has ended. Please sign in again.")
        g.actor = actor
    return g.actor


def require(*roles: str):
    """Decorator: only these roles may call the view (others get 403)."""

    def decorator(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            actor = current_actor()
            if actor.role not in roles:
                raise Forbidden("Your account cannot do this.")
            return view(*args, **kwargs)

        return wrapper

    return decorator
