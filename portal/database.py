"""Engine set-up: the SQLite recipe from ENGINEERING.md and the default database URL."""
import os
from contextlib import contextmanager
from contextvars import ContextVar

from flask import has_request_context, request
from sqlalchemy import ColumnElement, event, literal_column
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


#: PostgreSQL settings of the portal's sessions (libpq `options`). random_page_cost 1.1 is
#: PostgreSQL's own advice for SSDs and cached data (its default, 4, models spinning disks): at
#: 4 the planner reads a manager's visits by scanning all 1 M rows rather than through the
#: customer index (docs/decisions.md, "The visit scope on each database"). PORTAL_POSTGRES_OPTIONS
#: replaces it ("" keeps the server's settings, e.g. behind a pooler that refuses options).
#: parallel_setup_cost 10,000 (default 1,000) keeps parallel workers for the big company-wide
#: sums: an account manager's visit page (1.4 ms of work) waited 5.7 ms for one worker to start.
POSTGRES_OPTIONS = "-c random_page_cost=1.1 -c parallel_setup_cost=10000"


#: SQLAlchemy's cache of compiled statements, per engine (its default: 500). Opening every page
#: of the four demo roles once compiles ~680 distinct statements, so at 500 the least recently
#: used were compiled again and again (0.2–0.7 ms each) as people moved between modules.
QUERY_CACHE_SIZE = 3000


def engine_options(url: str, postgres_options: str | None = None) -> dict:
    """Engine options per backend: pre-ping pooled PostgreSQL connections with the portal's
    session settings, wait on SQLite locks; a statement cache the size of the portal."""
    if url.startswith("sqlite"):
        return {"connect_args": {"timeout": 5}, "query_cache_size": QUERY_CACHE_SIZE}
    options = POSTGRES_OPTIONS if postgres_options is None else postgres_options
    return {"pool_pre_ping": True, "query_cache_size": QUERY_CACHE_SIZE,
            **({"connect_args": {"options": options}} if options else {})}


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


def int_array(ids) -> ColumnElement:
    """A PostgreSQL integer array written into the statement ('{1,2,3}'::integer[]), for
    `column = ANY(...)` over a few thousand ids read just before: the planner sees the values
    (a bound array may get a generic plan that guesses its size), and writing them costs
    microseconds where SQLAlchemy's literal binds cost ~20 ms for 5,000. Integers only."""
    return literal_column("'{" + ",".join(str(int(i)) for i in ids) + "}'::integer[]")
