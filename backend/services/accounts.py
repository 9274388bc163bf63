"""Sign-in, token rotation, invites and account creation."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta
from zoneinfo import available_timezones

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from flask_jwt_extended import create_access_token
from sqlalchemy import select, update

from backend import clock
from backend.errors import Conflict, Invalid, NotFound, Unauthorised
from backend.extensions import db
from backend.models import (
    Clinic,
    HeldEnrolment,
    InviteCode,
    Patient,
    RefreshToken,
    RevokedFamily,
    User,
)
from backend.models.base import new_id
from backend.security import Actor
from backend.services import audit, dashboard_sessions, transactional
from backend.services.notifications import create_once

BAD_CREDENTIALS = "E-mail or password is not right."
INVITE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud over the phone
MIN_PASSWORD = 10


def _hasher() -> PasswordHasher:
    cfg = current_app.config
    return PasswordHasher(
        time_cost=cfg.get("ARGON2_TIME_COST", 3), memory_cost=cfg.get("ARGON2_MEMORY_KIB", 65536)
    )


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def check_password_strength(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise Invalid(
            "Password too short.",
            {"json": {"password": [f"Use at least {MIN_PASSWORD} characters."]}},
        )


@dataclass(frozen=True)
class TokenPair:
    access_token: str
    refresh_token: str
    expires_in: int
    role: str


def _patient_id(user: User) -> str | None:
    if user.role != "patient":
        return None
    return db.session.scalar(select(Patient.id).where(Patient.user_id == user.id))


def _successor(token: str) -> str:
    """The refresh token that replaces `token`: derived, so a retried refresh can give the
    same one again without the server keeping any token in clear."""
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, b"refresh:" + token.encode(), hashlib.sha256).hexdigest()


def _access(user: User, family_id: str) -> str:
    minutes = current_app.config["ACCESS_TOKEN_MINUTES"]
    claims = {"role": user.role, "clinic": user.clinic_id, "fam": family_id}
    patient_id = _patient_id(user)
    if patient_id:
        claims["patient"] = patient_id
    return create_access_token(
        identity=user.id, additional_claims=claims, expires_delta=timedelta(minutes=minutes)
    )


def _issue(user: User, family_id: str, refresh: str | None = None) -> TokenPair:
    minutes = current_app.config["ACCESS_TOKEN_MINUTES"]
    access = _access(user, family_id)
    refresh = refresh or secrets.token_urlsafe(32)
    now = clock.now()
    db.session.add(
        RefreshToken(
            family_id=family_id,
            user_id=user.id,
            token_hash=_digest(refresh),
            created_at=now,
            expires_at=now + timedelta(days=current_app.config["REFRESH_TOKEN_DAYS"]),
        )
    )
    return TokenPair(access, refresh, minutes * 60, user.role)


def authenticate(email: str, password: str) -> User:
    """The account for these credentials (in the caller's transaction), or Unauthorised: the
    same refusal for an unknown e-mail, a wrong password or a locked account. API and
    dashboard sign-in both use it."""
    user = db.session.scalar(select(User).where(User.email == (email or "").strip().lower()))
    try:
        if user is None or not user.password_hash:
            # Verify against a throwaway hash so timing does not reveal unknown e-mails.
            _hasher().verify(_dummy_hash(), (password or "") + "x")
            raise Unauthorised(BAD_CREDENTIALS)
        _hasher().verify(user.password_hash, password or "")
    except (VerificationError, InvalidHashError):
        raise Unauthorised(BAD_CREDENTIALS) from None
    if not user.active:
        raise Unauthorised(BAD_CREDENTIALS)
    if _hasher().check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user


def live_actor(user_id: str, remote_addr: str | None) -> Actor | None:
    """The actor a valid access token stands for, from the user row as it is now (one indexed
    lookup): None if the account is gone or deactivated; role and clinic never from claims."""
    row = db.session.execute(
        select(User.active, User.role, User.clinic_id, Patient.id)
        .outerjoin(Patient, Patient.user_id == User.id)
        .where(User.id == user_id)
    ).one_or_none()
    if row is None or not row.active:
        return None
    patient_id = row[3] if row.role == "patient" else None
    return Actor(user_id, row.role, row.clinic_id, patient_id, remote_addr)


@transactional
def login(email: str, password: str) -> TokenPair:
    """Sign in to the API: check credentials and issue a new token family."""
    return _issue(authenticate(email, password), new_id())


_DUMMY: dict[tuple, str] = {}


def _dummy_hash() -> str:
    """A throwaway hash with the current parameters, computed once per parameter set: hashing
    it anew on each unknown e-mail made that answer twice as slow as a wrong password."""
    hasher = _hasher()
    key = (hasher.time_cost, hasher.memory_cost, hasher.parallelism, hasher.hash_len)
    if key not in _DUMMY:
        _DUMMY[key] = hasher.hash(secrets.token_hex(16))
    return _DUMMY[key]


def refresh(token: str) -> TokenPair:
    """Rotate a refresh token. Replaying a spent one revokes its whole family."""
    try:
        row = db.session.scalar(
            select(RefreshToken).where(RefreshToken.token_hash == _digest(token))
        )
        if row is None:
            raise Unauthorised("This sign-in has ended. Please sign in again.")
        now = clock.now()
        if row.revoked_at is not None or db.session.get(RevokedFamily, row.family_id):
            raise Unauthorised("This sign-in has ended. Please sign in again.")
        if row.expires_at <= now:
            raise Unauthorised("This sign-in has expired. Please sign in again.")
        # Spend it atomically: of two concurrent refreshes with one token, only one wins.
        spent = db.session.execute(
            update(RefreshToken)
            .where(RefreshToken.id == row.id, RefreshToken.spent_at.is_(None))
            .values(spent_at=now)
        ).rowcount
        if spent != 1:
            db.session.rollback()
            retried = _retried_within_grace(row, token, now)
            if retried is not None:
                return retried
            _revoke_family(row.family_id, "refresh_reuse")
            db.session.commit()
            raise Unauthorised("This sign-in has ended. Please sign in again.")
        user = db.session.get(User, row.user_id)
        if user is None or not user.active:
            raise Unauthorised("This sign-in has ended. Please sign in again.")
        pair = _issue(user, row.family_id, _successor(token))
        db.session.commit()
        return pair
    except BaseException:
        db.session.rollback()  # the reuse revocation above was already committed
        raise


def _retried_within_grace(row: RefreshToken, token: str, now) -> TokenPair | None:
    """A refresh retried soon after its answer was lost: the same new refresh token (and a
    fresh access token), as long as that successor has not been used itself."""
    spent_at = db.session.scalar(select(RefreshToken.spent_at).where(RefreshToken.id == row.id))
    grace = timedelta(seconds=current_app.config["REFRESH_GRACE_SECONDS"])
    if spent_at is None or now - spent_at > grace:
        return None
    successor = _successor(token)
    nxt = db.session.scalar(
        select(RefreshToken).where(RefreshToken.token_hash == _digest(successor))
    )
    if nxt is None or nxt.spent_at is not None or nxt.revoked_at is not None:
        return None
    user = db.session.get(User, row.user_id)
    if user is None or not user.active:
        return None
    minutes = current_app.config["ACCESS_TOKEN_MINUTES"]
    return TokenPair(_access(user, row.family_id), successor, minutes * 60, user.role)


def _revoke_family(family_id: str, reason: str) -> None:
    now = clock.now()
    db.session.execute(
        update(RefreshToken)
        .where(RefreshToken.family_id == family_id, RefreshToken.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    if db.session.get(RevokedFamily, family_id) is None:
        db.session.add(RevokedFamily(family_id=family_id, revoked_at=now, reason=reason))


@transactional
def logout(family_id: str) -> None:
    """End a sign-in: its refresh tokens and its access tokens stop working."""
    _revoke_family(family_id, "logout")


@transactional
def logout_with_refresh_token(token: str) -> None:
    """End the sign-in a refresh token (spent or not) belongs to; an unknown one is a 401."""
    row = db.session.scalar(select(RefreshToken).where(RefreshToken.token_hash == _digest(token)))
    if row is None:
        raise Unauthorised("This sign-in has ended. Please sign in again.")
    _revoke_family(row.family_id, "logout")


def family_revoked(family_id: str | None) -> bool:
    return family_id is None or db.session.get(RevokedFamily, family_id) is not None


def new_invite(user: User, now=None) -> tuple[str, InviteCode]:
    """Create a single-use invite code; only its hash is stored."""
    raw = "".join(secrets.choice(INVITE_ALPHABET) for _ in range(12))
    code = f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"
    now = now or clock.now()
    invite = InviteCode(
        code_hash=_digest(normalise_invite(code)),
        user_id=user.id,
        created_at=now,
        expires_at=now + timedelta(days=current_app.config["INVITE_DAYS"]),
    )
    db.session.add(invite)
    return code, invite


def normalise_invite(code: str) -> str:
    return "".join(ch for ch in code.upper() if ch.isalnum())


@transactional
def activate(invite_code: str, password: str) -> TokenPair:
    """A patient sets their password with an invite; the invite then stops working."""
    check_password_strength(password)
    now = clock.now()
    invite = db.session.scalar(
        select(InviteCode).where(InviteCode.code_hash == _digest(normalise_invite(invite_code)))
    )
    if (
        invite is None
        or invite.used_at is not None
        or invite.expires_at <= now
        or db.session.get(HeldEnrolment, invite.user_id) is not None  # never a second account
    ):
        raise Unauthorised("This invite code is not valid. Ask your physiotherapist for a new one.")
    used = db.session.execute(
        update(InviteCode)
        .where(InviteCode.id == invite.id, InviteCode.used_at.is_(None))
        .values(used_at=now)
    ).rowcount
    if used != 1:
        raise Unauthorised("This invite code is not valid. Ask your physiotherapist for a new one.")
    user = db.session.get(User, invite.user_id)
    user.password_hash = hash_password(password)
    user.active = True
    return _issue(user, new_id())


def _end_sign_ins(user_id: str, reason: str, keep_session: str | None = None) -> None:
    """Every API token family and dashboard session of a user ends (but `keep_session`)."""
    families = select(RefreshToken.family_id).where(RefreshToken.user_id == user_id).distinct()
    for family_id in db.session.scalars(families).all():
        _revoke_family(family_id, reason)
    dashboard_sessions.revoke_all(user_id, reason, keep=keep_session)


@transactional
def change_password(
    actor: Actor, current: str, new: str, keep_session: str | None = None
) -> None:
    """The signed-in user sets a new password; every other sign-in of theirs ends."""
    user = db.session.get(User, actor.user_id)
    try:
        _hasher().verify(user.password_hash or _dummy_hash(), current or "")
    except (VerificationError, InvalidHashError):
        raise Invalid(
            "The current password is not right.",
            {"json": {"current_password": ["The current password is not right."]}},
        ) from None
    check_password_strength(new)
    user.password_hash = hash_password(new)
    _end_sign_ins(user.id, "password_change", keep_session)
    audit.record(actor, "account.password_change", None)


@transactional
def deactivate(email: str) -> User:
    """An operator closes an account: it cannot sign in and its live sign-ins end now."""
    user = db.session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None:
        raise NotFound("No account with this e-mail.")
    user.active = False
    _end_sign_ins(user.id, "deactivated")
    return user


@transactional
def warn_sign_in_paused(email: str) -> None:
    """Tell an account's owner that sign-in is paused after many wrong passwords (once a day).

    The 429 that triggers this is the same for unknown e-mails, so nothing is revealed.
    """
    user = db.session.scalar(select(User).where(User.email == email, User.active.is_(True)))
    if user is None:
        return
    create_once(
        kind="sign_in_paused",
        local_date=clock.now().date(),
        channels=["email", "in_app"],
        recipient_id=user.id,
        title="Onward: sign-in paused after many wrong passwords",
        body="Someone typed a wrong password for your Onward account many times, so signing "
        "in is paused for a while. If this was not you, change your password once you are "
        "back in; if it keeps happening, tell your clinic.",
    )


@transactional
def create_clinic(name: str, on_call_email: str | None = None, timezone: str = "UTC") -> Clinic:
    _check_zone(timezone)
    clinic = Clinic(
        name=name, on_call_email=on_call_email, timezone=timezone, created_at=clock.now()
    )
    db.session.add(clinic)
    return clinic


def _check_zone(zone: str) -> None:
    if zone not in available_timezones():
        raise Invalid(f"Unknown time zone {zone!r}: use an IANA name such as Europe/London.")


@transactional
def set_clinic_timezone(clinic_id: str, zone: str) -> None:
    """The zone the clinic's dashboard shows times in."""
    _check_zone(zone)
    clinic = db.session.get(Clinic, clinic_id)
    if clinic is None:
        raise NotFound("No such clinic.")
    clinic.timezone = zone


def clinic_timezone(clinic_id: str) -> str:
    """The clinic's zone (one primary-key read; UTC for an unknown clinic)."""
    clinic = db.session.get(Clinic, clinic_id)
    return clinic.timezone if clinic is not None and clinic.timezone else "UTC"


@transactional
def create_staff(email: str, password: str, clinic_id: str, role: str, display_name: str) -> User:
    """Create a clinician or admin account in a clinic."""
    if role not in ("clinician", "admin"):
        raise Invalid("Staff role must be clinician or admin.")
    check_password_strength(password)
    email = email.strip().lower()
    if db.session.get(Clinic, clinic_id) is None:
        raise Invalid(f"No clinic with id {clinic_id}.")
    if db.session.scalar(select(User.id).where(User.email == email)):
        raise Conflict("An account with this e-mail already exists.")
    user = User(
        email=email,
        password_hash=hash_password(password),
        role=role,
        clinic_id=clinic_id,
        display_name=display_name,
        active=True,
        created_at=clock.now(),
    )
    db.session.add(user)
    return user
