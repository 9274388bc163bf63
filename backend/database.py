"""Engine settings: SQLite gets WAL, a busy timeout, foreign keys and BEGIN IMMEDIATE (STACK.md §4)."""

from __future__ import annotations

import sqlite3

from sqlalchemy import event
from sqlalchemy.engine import Engine


@event.listens_for(Engine, "connect")
def _sqlite_connect(dbapi_conn, _record):
    if not isinstance(dbapi_conn, sqlite3.Connection):
        return
    dbapi_conn.isolation_level = None  # SQLAlchemy, not sqlite3, emits BEGIN
    cur = dbapi_conn.cursor()
    for pragma in (
        "journal_mode=WAL",
        "busy_timeout=5000",
        "foreign_keys=ON",
        "synchronous=NORMAL",
    ):
        cur.execute(f"PRAGMA {pragma}")
    cur.close()


@event.listens_for(Engine, "begin")
def _sqlite_begin(conn):
    # Deferred BEGIN fails at once on the read->write upgrade; IMMEDIATE waits (STACK.md §4).
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def is_postgres(engine) -> bool:
    return engine.dialect.name == "postgresql"
