"""Unbound extension instances; create_app binds them."""

import hashlib

from flask_jwt_extended import JWTManager
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy.orm import DeclarativeBase

from backend.errors import ProblemApi


class Base(DeclarativeBase):
    pass


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
api = ProblemApi()
jwt = JWTManager()
limiter = Limiter(get_remote_address)


def account_limit_key(kind: str, email: object) -> str:
    """A rate-limit key for one account that names no one: the limiter logs its keys and
    keeps them in its storage, so the e-mail address is hashed (normalised first)."""
    address = email.strip().lower() if isinstance(email, str) else ""
    return f"{kind}:" + hashlib.sha256(address.encode("utf-8", "replace")).hexdigest()[:32]
