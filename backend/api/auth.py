"""Sign-in, token refresh, sign-out and invite activation."""

from __future__ import annotations

import marshmallow as ma
from flask import current_app
from marshmallow import validate

from backend import sign_in_limits
from backend.api.blueprint import Blueprint
from backend.api.docs import BEARER
from backend.extensions import limiter
from backend.schemas.common import StrictSchema, answer
from backend.security import current_actor
from backend.services import accounts

blp = Blueprint("auth", __name__, url_prefix="/api/v1/auth", description="Sign-in and tokens")


class LoginSchema(StrictSchema):
    email = ma.fields.String(required=True, validate=validate.Length(1, 320))
    password = ma.fields.String(required=True, validate=validate.Length(1, 1024), load_only=True)


class RefreshSchema(StrictSchema):
    refresh_token = ma.fields.String(required=True, validate=validate.Length(1, 200))


class LogoutSchema(StrictSchema):
    refresh_token = ma.fields.String(
        validate=validate.Length(1, 200),
        metadata={"description": "sign out with the refresh token alone (no access token needed)"},
    )


class ActivateSchema(StrictSchema):
    invite_code = ma.fields.String(required=True, validate=validate.Length(1, 40))
    password = ma.fields.String(required=True, validate=validate.Length(1, 1024), load_only=True)


@answer
class TokenSchema(ma.Schema):
    access_token = ma.fields.String()
    refresh_token = ma.fields.String()
    token_type = ma.fields.String()
    expires_in = ma.fields.Integer()
    role = ma.fields.String()


def _tokens(pair: accounts.TokenPair) -> dict:
    return {**pair.__dict__, "token_type": "Bearer"}


@blp.route("/login", methods=["POST"])
@sign_in_limits.guarded
@blp.arguments(LoginSchema)
@blp.response(200, TokenSchema)
@blp.doc(operationId="signIn")
def login(body):
    """Sign in with e-mail and password.

    Returns an access token and a refresh token. Failed attempts are rate limited per account and
    address (429 with Retry-After).
    """
    return _tokens(accounts.login(body["email"], body["password"]))


@blp.route("/refresh", methods=["POST"])
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_ADDRESS"])
@blp.arguments(RefreshSchema)
@blp.response(200, TokenSchema)
@blp.doc(operationId="refreshTokens")
def refresh(body):
    """Swap a refresh token for a new pair.

    The old refresh token stops working. A retry with the same token within the grace window (a lost
    answer) gets the same new refresh token; a reuse after it ends the whole sign-in (401).
    """
    return _tokens(accounts.refresh(body["refresh_token"]))


@blp.route("/logout", methods=["POST"])
@blp.arguments(LogoutSchema, required=False)
@blp.response(204)
@blp.doc(security=[*BEARER, {}])
@blp.doc(operationId="signOut")
def logout(body):
    """Sign out.

    Ends this sign-in's refresh and access tokens. With a `refresh_token` in the body no access
    token is needed, so an app whose access token has expired can still sign out.
    """
    from flask_jwt_extended import get_jwt

    if body and body.get("refresh_token"):
        accounts.logout_with_refresh_token(body["refresh_token"])
        return
    current_actor()
    accounts.logout(get_jwt()["fam"])


@blp.route("/activate", methods=["POST"])
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_ADDRESS"])
@blp.arguments(ActivateSchema)
@blp.response(200, TokenSchema)
@blp.doc(operationId="activateAccount")
def activate(body):
    """Activate a patient account with an invite code.

    The patient sets their password with the invite code from their physiotherapist and is signed in
    (the same answer as sign-in).
    """
    return _tokens(accounts.activate(body["invite_code"], body["password"]))
