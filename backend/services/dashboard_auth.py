"""Sign-in to the physiotherapist dashboard: the account's password, clinicians only, no tokens.

The dashboard keeps its sign-in in a server-side session (services.dashboard_sessions), so
nothing here issues tokens; the password check is the same as the API's (argon2, the same
refusal for every failure).
"""

from __future__ import annotations

from backend.errors import Forbidden
from backend.extensions import db
from backend.models import User
from backend.security import Actor
from backend.services import accounts, audit, transactional

DASHBOARD_ROLES = ("clinician",)
NOT_FOR_YOU = (
    "The dashboard is for physiotherapists. Patients use the Onward app; "
    "administrators use the audit API."
)


def _actor(user: User, remote_addr: str | None) -> Actor:
    return Actor(user.id, user.role, user.clinic_id, remote_addr=remote_addr)


@transactional
def sign_in(email: str, password: str, remote_addr: str | None = None) -> Actor:
    """Check a clinician's credentials; the same refusal for an unknown e-mail or wrong password."""
    user = accounts.authenticate(email, password)
    if user.role not in DASHBOARD_ROLES:
        # The password was right, so saying why reveals nothing the caller does not know.
        raise Forbidden(NOT_FOR_YOU)
    actor = _actor(user, remote_addr)
    audit.record(actor, "dashboard.sign_in", None)
    return actor


@transactional
def sign_out(actor: Actor) -> None:
    audit.record(actor, "dashboard.sign_out", None)


def signed_in_actor(user_id: str, remote_addr: str | None = None) -> tuple[Actor, str] | None:
    """The actor and display name of a session's user, or None if the account can no longer sign in."""
    user = db.session.get(User, user_id) if isinstance(user_id, str) else None
    try:
        if user is None or not user.active or user.role not in DASHBOARD_ROLES:
            return None
        return _actor(user, remote_addr), user.display_name
    finally:
        db.session.rollback()  # a read: end the transaction the lookup opened
