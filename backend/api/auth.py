"""Sign-in, token refresh, sign-out and invite activation."""

from __future__ import annotations

import marshmallow as ma
from flask import current_app, request
from marshmallow import validate

from backend.api.blueprint import Blueprint
from backend.api.docs import BEARER
from backend.extensions import account_limit_key, limiter
from backend.schemas.common import StrictSchema
from backend.security import current_actor
from backend.services import accounts

blp = Blueprint("auth", __name__, url_prefix="/api/v1/auth", description="Sign-in and tokens")


class LoginSchema(StrictSchema):
    email = ma.fields.String(required=True, validate=validate.Length(1, 320))
    password = ma.fields.String(required=True, validate=validate.Length(1, 1024), load_only=True)


class RefreshSchema(StrictSchema):
    refresh_token = ma.fields.String(required=True, validate=validate.Length(1, 200))


class ActivateSchema(StrictSchema):
    invite_code = ma.fields.String(required=True, validate=validate.Length(1, 40))
    password = ma.fields.String(required=True, validate=validate.Length(1, 1024), load_only=True)


class TokenSchema(ma.Schema):
    access_token = ma.fields.String()
    refresh_token = ma.fields.String()
    token_type = ma.fields.String()
    expires_in = ma.fields.Integer()
    role = ma.fields.String()


def _account_key() -> str:
    body = request.get_json(silent=True)
    return account_limit_key("account", body.get("email") if isinstance(body, dict) else None)


def _tokens(pair: accounts.TokenPair) -> dict:
    return {**pair.__dict__, "token_type": "Bearer"}


@blp.route("/login", methods=["POST"])
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_ADDRESS"])
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_ACCOUNT"], key_func=_account_key)
@blp.arguments(LoginSchema)
@blp.response(200, TokenSchema)
def login(body):
    """Sign in with e-mail and password; returns an access and a refresh token."""
    return _tokens(accounts.login(body["email"], body["password"]))


@blp.route("/refresh", methods=["POST"])
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_ADDRESS"])
@blp.arguments(RefreshSchema)
@blp.response(200, TokenSchema)
def refresh(body):
    """Swap a refresh token for a new pair; the old one stops working."""
    return _tokens(accounts.refresh(body["refresh_token"]))


@blp.route("/logout", methods=["POST"])
@blp.response(204)
@blp.doc(security=BEARER)
def logout():
    """Sign out: ends this sign-in's refresh and access tokens."""
    from flask_jwt_extended import get_jwt

    current_actor()
    accounts.logout(get_jwt()["fam"])


@blp.route("/activate", methods=["POST"])
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_ADDRESS"])
@blp.arguments(ActivateSchema)
@blp.response(200, TokenSchema)
def activate(body):
    """A patient sets their password with the invite code from their physiotherapist."""
    return _tokens(accounts.activate(body["invite_code"], body["password"]))
