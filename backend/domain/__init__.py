"""Pure domain logic: dataclasses and functions, no Flask, SQLAlchemy or marshmallow."""
