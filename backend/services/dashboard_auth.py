"""Sign-in to the physiotherapist dashboard: the account's password, clinicians only, no tokens.

The dashboard keeps its sign-in in a signed session cookie, so nothing here issues tokens; the
password check is the same as the API's (argon2, the same refusal for every failure).
"""

from __future__ import annotations

from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select

from backend.errors import Forbidden, Unauthorised
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
    hasher = accounts._hasher()
    user = db.session.scalar(select(User).where(User.email == (email or "").strip().lower()))
    try:
        if user is None or not user.password_hash:
            # Verify against a throwaway hash so timing does not reveal unknown e-mails.
            hasher.verify(accounts._dummy_hash(), (password or "") + "x")
            raise Unauthorised(accounts.BAD_CREDENTIALS)
        hasher.verify(user.password_hash, password or "")
    except (VerificationError, InvalidHashError):
        raise Unauthorised(accounts.BAD_CREDENTIALS) from None
    if not user.active:
        raise Unauthorised(accounts.BAD_CREDENTIALS)
    if user.role not in DASHBOARD_ROLES:
        # The password was right, so saying why reveals nothing the caller does not know.
        raise Forbidden(NOT_FOR_YOU)
    if hasher.check_needs_rehash(user.password_hash):
        user.password_hash = accounts.hash_password(password)
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
