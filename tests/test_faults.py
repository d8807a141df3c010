"""The database goes away and comes back: /healthz says 503, pages say so kindly, and the same
running app recovers by itself (no restart). The worker-kill test is in test_concurrency.py."""
import sqlite3
import uuid

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from portal import create_app
from portal.extensions import db
from tests.conftest import TEST_CONFIG

pytestmark = pytest.mark.slow  # takes the database away

EN = {"Accept-Language": "en"}


def assert_unavailable(client):
    """Health check and a page that reads the database both answer 503, without details."""
    health = client.get("/healthz")
    assert health.status_code == 503 and health.json == {"status": "unavailable"}
    page = client.post("/login", data={"username": "staff1", "password": "portal-demo"}, headers=EN)
    assert page.status_code == 503 and "briefly unavailable" in page.text
    assert "Traceback" not in page.text and "OperationalError" not in page.text


def assert_available(client):
    """Health check 200 and a sign-in that works."""
    assert client.get("/healthz").status_code == 200
    response = client.post("/login", data={"username": "staff1", "password": "portal-demo"})
    assert response.status_code == 302
    assert client.get("/", headers=EN).status_code == 200


def test_sqlite_database_missing_then_back_without_a_restart(app, org, tmp_path, monkeypatch):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("the SQLite case")
    monkeypatch.delenv("DATABASE_URL", raising=False)
    db.session.commit()
    folder = tmp_path / "mounted"
    portal = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/portal.db"})
    client = portal.test_client()
    assert_unavailable(client)
    # The volume comes back (here: a copy of the test database appears where it should be).
    folder.mkdir()
    with sqlite3.connect(make_url(str(db.engine.url)).database) as source, \
            sqlite3.connect(folder / "portal.db") as copy:
        source.backup(copy)
    assert_available(client)


def test_postgresql_refusing_connections_then_back_without_a_restart(app, org, monkeypatch):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("the PostgreSQL case")
    monkeypatch.delenv("DATABASE_URL", raising=False)
    db.session.commit()
    name = f"faults_{uuid.uuid4().hex[:8]}"
    admin = create_engine(str(db.engine.url.render_as_string(hide_password=False)),
                          isolation_level="AUTOCOMMIT")
    current = db.engine.url.database
    with admin.connect() as conn:  # a copy of the test database, to switch off and on
        conn.execute(text(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                          f"WHERE datname = '{current}' AND pid <> pg_backend_pid()"))
    db.session.remove()
    db.engine.dispose()
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{current}"'))
    url = db.engine.url.set(database=name).render_as_string(hide_password=False)
    portal = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": url})
    client = portal.test_client()
    try:
        assert_available(client)
        with admin.connect() as conn:  # the server stops taking connections, and drops ours
            conn.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false'))
            conn.execute(text(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                              f"WHERE datname = '{name}'"))
        assert_unavailable(portal.test_client())
        with admin.connect() as conn:
            conn.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true'))
        assert_available(portal.test_client())
    finally:
        with portal.app_context():
            db.engine.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
