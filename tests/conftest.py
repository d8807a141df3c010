"""Fixtures: the app on SQLite (or PostgreSQL when TEST_DATABASE_URL is set), clients per role,
the demo organisation, and a counter of SQL statements."""
import os
import re
from contextlib import contextmanager
from datetime import date

import pytest
from flask import has_app_context
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import event, text

from portal import create_app
from portal.demo import DEMO_PASSWORD, seed_organisation
from portal.extensions import db

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


def _empty_all_tables() -> None:
    """Delete every row, keeping the schema and the Alembic version."""
    tables = [t for t in db.metadata.sorted_tables]
    if db.engine.dialect.name == "postgresql":
        names = ", ".join(f'"{t.name}"' for t in tables)
        db.session.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    else:
        for table in reversed(tables):
            db.session.execute(table.delete())
    db.session.commit()


@pytest.fixture
def app(_session_app, monkeypatch):
    """The app with an application context for the test; every table is emptied afterwards."""
    monkeypatch.delenv("DATABASE_URL", raising=False)
    with _session_app.app_context():
        yield _session_app
        db.session.rollback()
        _empty_all_tables()
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
def org(app):
    """The demo organisation: areas A01/A02, admin, hr, manager1/2, staff1/2/3 and more staff."""
    ctx = seed_organisation(date(2026, 11, 26))
    db.session.commit()
    return ctx


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
