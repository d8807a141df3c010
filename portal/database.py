"""Engine set-up: the SQLite recipe from ENGINEERING.md and the default database URL."""
import os
from contextlib import contextmanager
from contextvars import ContextVar

from flask import has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Engine

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
#: Set by writers outside a request (commands, background jobs) to take the write lock up front.
_writer = ContextVar("portal_sqlite_writer", default=False)
#: Set around the reads of a write request that must not take the write lock (sign-in's checks).
_reader = ContextVar("portal_sqlite_reader", default=False)


@contextmanager
def writing():
    """Mark the code inside as a writer: its SQLite transactions begin IMMEDIATE."""
    token = _writer.set(True)
    try:
        yield
    finally:
        _writer.reset(token)


@contextmanager
def reading():
    """Mark the code inside as a reader even in a POST: its SQLite transactions begin deferred,
    so slow work after the reads (a password check) holds no write lock. End the transaction
    (commit or rollback) before leaving the block."""
    token = _reader.set(True)
    try:
        yield
    finally:
        _reader.reset(token)


def begins_immediate() -> bool:
    """Whether a transaction starting now should take SQLite's write lock at once.

    Write requests and marked writers do; reads (GET requests, or anything unmarked outside a
    request, such as a test's own session) begin deferred and never block the writers under WAL.
    """
    if _writer.get():
        return True
    if _reader.get():
        return False
    return has_request_context() and request.method not in READ_METHODS


def database_url(app) -> str:
    """The configured database URL, normalised for psycopg 3; SQLite in instance/ by default."""
    url = os.environ.get("DATABASE_URL") or app.config.get("SQLALCHEMY_DATABASE_URI")
    if not url:
        return "sqlite:///" + os.path.join(app.instance_path, "portal.db")
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def engine_options(url: str) -> dict:
    """Engine options per backend: pre-ping pooled PostgreSQL connections, wait on SQLite locks."""
    if url.startswith("sqlite"):
        return {"connect_args": {"timeout": 5}}
    return {"pool_pre_ping": True}


def configure_sqlite(engine: Engine) -> None:
    """WAL, busy timeout, foreign keys, and BEGIN IMMEDIATE for writes on every SQLite connection.

    pysqlite's own transaction handling loses updates under concurrent read-modify-write, so we
    switch it off and emit BEGIN ourselves: IMMEDIATE (take the write lock now) for writers.
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        connection.exec_driver_sql("BEGIN IMMEDIATE" if begins_immediate() else "BEGIN")
