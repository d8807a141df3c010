"""Fixtures: the app on SQLite (or PostgreSQL when TEST_DATABASE_URL is set), clients per role,
the demo organisation, and a counter of SQL statements."""
import os
import re
import sqlite3
import time
from contextlib import contextmanager
from datetime import date

import pytest
from flask import has_app_context
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import bindparam, event, select, text
from sqlalchemy.sql.ddl import sort_tables_and_constraints

from portal import create_app, queue
from portal.demo import DEMO_PASSWORD, DemoContext, clear_database, seed_organisation
from portal.extensions import db
from portal.models import Area, CustomerType, ProductLine, User

# The tests' `date.today()` is the company's day, as `clock.today()` is the app's: run in UTC, the
# two differed from 16:00 to midnight (Asia/Shanghai is already tomorrow), and tests that put a
# visit "today" found it yesterday's.
os.environ["TZ"] = "Asia/Shanghai"
time.tzset()

TEST_CONFIG = {
    "TESTING": True,
    "SECRET_KEY": "test-secret",
    "WTF_CSRF_ENABLED": False,
    "ARGON2_TIME_COST": 1,
    "ARGON2_MEMORY_COST": 1024,
    "SERVER_NAME": None,
    "APPRAISAL_PRINT_PROCESSES": 1,  # test_appraisal_printing tries the helper processes
    "QUEUE_IMMEDIATE": True,  # tasks run in the caller; tests/test_queue.py runs real consumers
}


def database_url(tmp_path_factory) -> str:
    """PostgreSQL when TEST_DATABASE_URL names one, else a fresh SQLite file for this run."""
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return url
    return "sqlite:///" + str(tmp_path_factory.mktemp("db") / "portal.db")


def pytest_collection_modifyitems(config, items):
    """In the PostgreSQL run, leave out what the database cannot change (`sqlite_only`): CI runs
    both suites at once on two cores, and these checks, done twice, cost it four minutes."""
    if not os.environ.get("TEST_DATABASE_URL"):
        return
    skip = pytest.mark.skip(reason="the same on every database: checked in the SQLite run")
    for item in items:
        if item.get_closest_marker("sqlite_only"):
            item.add_marker(skip)


@pytest.fixture(scope="session")
def db_url(tmp_path_factory):
    """The URL of the test database."""
    return database_url(tmp_path_factory)


class FreshContextClient(FlaskClient):
    """A test client whose every request gets its own app context, as on a real server.

    Tests hold an app context open for their factories; without this, requests would share its
    `g` (and so Flask-Login's cached user) and its database session.
    """

    def open(self, *args, **kwargs):
        # What the test wrote must be committed for the request to see it, and ending the test's
        # transaction lets it see what the request writes.
        if has_app_context():
            db.session.commit()
        with self.application.app_context():
            return super().open(*args, **kwargs)


@pytest.fixture(scope="session")
def _session_app(db_url, tmp_path_factory):
    """One app for the run, its schema built by the migrations (so every run tests them).
    create_app compiles the catalogue when its .mo file is missing or older than the .po."""
    instance = tmp_path_factory.mktemp("instance")
    app = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": db_url})
    app.instance_path = str(instance)
    app.test_client_class = FreshContextClient
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        upgrade()
    return app


class Snapshots:
    """Named copies of the test database's rows, taken once per run and put back before each test.

    A test starts from a copy instead of emptying 64 tables and seeding the organisation again
    (argon2 hash, dozens of inserts), and still sees only committed rows in a real database that
    requests, threads and gunicorn workers share. SQLite: the online backup API copies every page
    in and out of an in-memory database, through SQLite's own locks, so connections other apps
    left open stay consistent. PostgreSQL: the tables that differ from the copy (a checksum of their
    rows, or their sequence) are emptied and the copy's rows and sequences put back.
    """

    def __init__(self):
        self.copies: dict[str, object] = {}
        self.current: str | None = None

    @staticmethod
    def for_engine(engine) -> "Snapshots":
        return PostgresSnapshots(engine) if engine.dialect.name == "postgresql" else SqliteSnapshots()

    def take(self, name: str) -> None:
        db.session.commit()
        self.copies[name] = self._copy()
        self.current = name

    def restore(self, name: str) -> None:
        db.session.rollback()
        db.session.close()
        self._restore(self.copies[name])
        self.current = name


class SqliteSnapshots(Snapshots):
    def _copy(self):
        copy = sqlite3.connect(":memory:", check_same_thread=False)
        raw = db.engine.raw_connection()
        try:
            raw.driver_connection.backup(copy)
        finally:
            raw.close()
        return copy

    def _restore(self, copy) -> None:
        raw = db.engine.raw_connection()
        try:
            copy.backup(raw.driver_connection)
        finally:
            raw.close()


class PostgresSnapshots(Snapshots):
    def __init__(self, engine):
        super().__init__()
        self.tables = db.metadata.sorted_tables
        # The one foreign key in a cycle (areas.head_id → users): filled in after the inserts.
        self.late = {fk.parent.name: [c.name for c in fk.columns]
                     for fk in sort_tables_and_constraints(db.metadata.tables.values())[-1][1]}
        self.parents = {t.name: {fk.referred_table.name for fk in t.foreign_key_constraints}
                        for t in self.tables}
        with engine.connect() as conn:
            self.sequences = {}
            for t in self.tables:
                column = t.autoincrement_column
                if column is not None:
                    self.sequences[t.name] = conn.scalar(
                        text("SELECT pg_get_serial_sequence(:t, :c)"),
                        {"t": t.name, "c": column.name})
        quote = engine.dialect.identifier_preparer.quote
        parts = []
        for t in self.tables:
            seq = self.sequences.get(t.name)
            state = (f"(SELECT last_value FROM {seq}), (SELECT is_called FROM {seq})" if seq
                     else "NULL::bigint, NULL::boolean")
            rows = f"(SELECT md5(string_agg(r::text, ',' ORDER BY r::text)) FROM {quote(t.name)} r)"
            parts.append(f"SELECT '{t.name}', {rows}, {state}")
        self.state_query = text(" UNION ALL ".join(parts))
        self.quote = quote

    def _state(self) -> dict[str, tuple]:
        return {name: tuple(rest) for name, *rest in db.session.execute(self.state_query)}

    def _copy(self):
        rows = {t.name: [dict(r._mapping) for r in db.session.execute(t.select())]
                for t in self.tables}
        state = self._state()
        db.session.commit()
        return {"rows": {name: r for name, r in rows.items() if r}, "state": state}

    def _restore(self, copy) -> None:
        state = self._state()
        dirty = {t.name for t in self.tables if state[t.name] != copy["state"][t.name]}
        while True:  # deleting a row cascades (or sets null) in the tables referring to it
            more = {name for name, parents in self.parents.items() if parents & dirty} - dirty
            if not more:
                break
            dirty |= more
        dirty = [t for t in self.tables if t.name in dirty]
        # DELETE, children first: TRUNCATE makes new files for a table and its indexes, which
        # costs tenfold on these small tables (and cascades to every table referring to users).
        for t in dirty:
            if self.late.get(t.name):
                db.session.execute(t.update().values({c: None for c in self.late[t.name]}))
        for t in reversed(dirty):
            db.session.execute(t.delete())
        for t in dirty:
            rows = copy["rows"].get(t.name)
            if not rows:
                continue
            late = self.late.get(t.name, [])
            db.session.execute(t.insert(), [{**r, **{c: None for c in late}} for r in rows])
        for t in dirty:
            rows = copy["rows"].get(t.name)
            late = self.late.get(t.name)
            if rows and late:
                pk = [c.name for c in t.primary_key]
                db.session.execute(
                    t.update().where(*(t.c[c] == bindparam("_" + c) for c in pk))
                    .values({c: bindparam("_" + c) for c in late}),
                    [{"_" + k: r[k] for k in pk + late} for r in rows])
            last_value, is_called = copy["state"][t.name][1:]
            if last_value is not None:
                db.session.execute(text("SELECT setval(:s, :v, :c)"),
                                   {"s": self.sequences[t.name], "v": last_value, "c": is_called})
        db.session.commit()


#: The organisation seeded into the "org" snapshot: what the `org` fixture hands a test.
ORG_DAY = date(2026, 11, 26)


@pytest.fixture(scope="session")
def _snapshots(_session_app):
    """The database emptied ("empty") and with the demo organisation ("org"), and what the
    organisation holds (ids by kind), for the `org` fixture to load again."""
    with _session_app.app_context():
        clear_database()
        snapshots = Snapshots.for_engine(db.engine)
        snapshots.take("empty")
        ctx = seed_organisation(ORG_DAY)
        db.session.commit()
        snapshots.org_ids = {
            "areas": [a.id for a in ctx.areas],
            "users": {name: u.id for name, u in ctx.users.items()},
            "product_lines": [p.id for p in ctx.product_lines],
            "customer_types": [c.id for c in ctx.customer_types],
        }
        snapshots.take("org")
        db.session.remove()
    return snapshots


@pytest.fixture
def app(_session_app, _snapshots, request, monkeypatch):
    """The app with an application context for the test, its database as the migrations left
    it (or with the demo organisation when the test asks for `org`), no row of another test."""
    monkeypatch.delenv("DATABASE_URL", raising=False)
    # The queue is one Huey instance for the process: a test that made an app of its own (a
    # production-like app, a second server) pointed it there; tasks run in this app again.
    queue.init_app(_session_app)
    with _session_app.app_context():
        _snapshots.restore("org" if "org" in request.fixturenames else "empty")
        yield _session_app
        db.session.rollback()
        db.session.remove()


@pytest.fixture
def client(app):
    """A test client nobody has signed in to."""
    return app.test_client()


@pytest.fixture
def runner(app):
    """A runner of the app's CLI commands."""
    return app.test_cli_runner()


@pytest.fixture
def org(app, _snapshots):
    """The demo organisation: areas A01/A02, admin, hr, manager1/2, staff1/2/3 and more staff."""
    if _snapshots.current != "org":  # asked for by name during the test, after other writes
        _snapshots.restore("org")
    ids = _snapshots.org_ids

    def load(model, wanted):
        found = {o.id: o for o in db.session.scalars(select(model).where(model.id.in_(wanted)))}
        return [found[i] for i in wanted]

    users = load(User, list(ids["users"].values()))
    return DemoContext(today=ORG_DAY, areas=load(Area, ids["areas"]),
                       users=dict(zip(ids["users"], users)),
                       product_lines=load(ProductLine, ids["product_lines"]),
                       customer_types=load(CustomerType, ids["customer_types"]))


def login(client, username: str, password: str = DEMO_PASSWORD):
    """Sign a test client in; fail the test loudly if that does not work."""
    response = client.post("/login", data={"username": username, "password": password})
    assert response.status_code == 302, f"login as {username} failed: {response.status_code}"
    return client


PANEL_SLOT = re.compile(r'<div class="panel-slot"[^>]*hx-get="(/panels/[a-z_]+)".*?</div>', re.S)


def home_page(client) -> str:
    """The home page as a browser shows it once htmx has fetched its panels: each placeholder
    replaced by what its panel route answers (nothing, when the panel has nothing to show)."""
    response = client.get("/")
    assert response.status_code == 200
    return PANEL_SLOT.sub(lambda m: panel_text(client, m.group(1)), response.text)


def panel_text(client, url: str) -> str:
    response = client.get(url, headers={"HX-Request": "true"})
    assert response.status_code == 200, url
    return response.text


@pytest.fixture
def client_as(app, org):
    """A factory of signed-in clients: client_as('manager1')."""

    def make(username: str):
        return login(app.test_client(), username)

    return make


@pytest.fixture
def client_as_en(client_as):
    """Signed-in clients whose browser asks for English, so texts can be asserted."""

    def make(username: str):
        client = client_as(username)
        client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
        return client

    return make


class QueryCounter:
    """The SQL statements an engine ran, except transaction control and PRAGMAs."""

    IGNORED = re.compile(r"^\s*(BEGIN|COMMIT|ROLLBACK|PRAGMA|SAVEPOINT|RELEASE)", re.I)

    def __init__(self):
        self.statements: list[str] = []

    def __call__(self, conn, cursor, statement, parameters, context, executemany):
        if not self.IGNORED.match(statement):
            self.statements.append(statement)

    @property
    def count(self) -> int:
        return len(self.statements)


@pytest.fixture
def count_queries(app):
    """`with count_queries() as counter:` counts the statements run inside the block."""

    @contextmanager
    def counting():
        counter = QueryCounter()
        event.listen(db.engine, "before_cursor_execute", counter)
        try:
            yield counter
        finally:
            event.remove(db.engine, "before_cursor_execute", counter)

    return counting
