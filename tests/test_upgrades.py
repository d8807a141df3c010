"""Upgrading a database that has data in it: from every earlier revision to head, nothing is lost.

The test database (at head) gets the demo organisation and one record of every module. For each
earlier revision R, a scratch database is built by the migrations up to R and filled with those
rows (the tables and columns that exist at R); `flask db upgrade` then brings it to head, and
every row of every such table must still be there, value for value. Downgrades run on it too.
"""
import uuid
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade
from sqlalchemy import MetaData, create_engine, inspect, select, text
from sqlalchemy.engine import make_url

from portal import create_app
from portal.extensions import db
from tests.conftest import TEST_CONFIG
from tests.routes import collect_sample_args

pytestmark = pytest.mark.slow  # replays the migration history

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def earlier_revisions() -> list[str]:
    """Every revision but the head, oldest first."""
    script = ScriptDirectory(str(MIGRATIONS))
    head = script.get_current_head()
    return [r.revision for r in reversed(list(script.walk_revisions())) if r.revision != head]


def tables_of(engine) -> list:
    """The reflected tables, parents first (in the order of the models' metadata)."""
    meta = MetaData()
    meta.reflect(engine)
    order = {t.name: i for i, t in enumerate(db.metadata.sorted_tables)}
    return sorted((t for t in meta.tables.values() if t.name != "alembic_version"),
                  key=lambda t: order.get(t.name, len(order)))


def rows_of(engine) -> dict[str, dict[str, list]]:
    """Each table's rows as {column: value} dicts in primary-key order, by raw reflection."""
    found = {}
    with engine.connect() as conn:
        for table in tables_of(engine):
            order = list(table.primary_key.columns) or list(table.columns)
            found[table.name] = [dict(r._mapping) for r in conn.execute(select(table).order_by(*order))]
    return found


def only(rows: dict, columns: dict[str, set]) -> dict:
    """The rows restricted to the tables and columns named."""
    return {name: [{c: v for c, v in row.items() if c in columns[name]} for row in rows[name]]
            for name in columns}


def fill(engine, rows: dict) -> dict[str, set]:
    """Insert the rows into the tables of the scratch database; the columns each table has."""
    tables = tables_of(engine)
    # The columns both the revision and the rows have: a column that head has dropped since
    # (a print job's heartbeat) is in neither the rows nor the comparison.
    columns = {t.name: {c.name for c in t.columns} & (set(rows[t.name][0]) if rows.get(t.name)
                                                       else {c.name for c in t.columns})
               for t in tables}
    with engine.begin() as conn:
        if engine.dialect.name == "sqlite":
            conn.exec_driver_sql("PRAGMA defer_foreign_keys=ON")  # users <-> areas refer both ways
        else:
            conn.execute(text("SET CONSTRAINTS ALL DEFERRED"))
            conn.execute(text("SET session_replication_role = replica"))
        for table in reversed(tables):  # rows a migration put in (default pipeline stages) go
            if rows.get(table.name):    # first: the test's rows stand in for them
                conn.execute(table.delete())
        for table in tables:
            wanted = only(rows, {table.name: columns[table.name]})[table.name] if table.name in rows else []
            if wanted:
                conn.execute(table.insert(), wanted)
        if engine.dialect.name == "postgresql":
            conn.execute(text("SET session_replication_role = origin"))
    return columns


@pytest.fixture
def scratch(db_url):
    """A factory of empty databases of the test database's kind; all dropped afterwards."""
    made = []

    def new(tmp: Path) -> str:
        if not db_url.startswith("postgresql"):
            return f"sqlite:///{tmp / f'up-{uuid.uuid4().hex[:8]}.db'}"
        name = f"upgrade_{uuid.uuid4().hex[:8]}"
        with create_engine(db_url, isolation_level="AUTOCOMMIT").connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        made.append(name)
        return make_url(db_url).set(database=name).render_as_string(hide_password=False)

    yield new
    if made:
        admin = create_engine(db_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            for name in made:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_upgrade_from_every_earlier_revision_keeps_every_row(app, org, scratch, tmp_path,
                                                             monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    collect_sample_args(org)
    db.session.commit()
    data = rows_of(db.engine)
    assert sum(map(len, data.values())) > 100
    revisions = earlier_revisions()
    assert len(revisions) >= 8
    kept = 0
    for revision in revisions:
        url = scratch(tmp_path)
        old = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": url})
        with old.app_context():
            upgrade(revision=revision)
            columns = fill(db.engine, data)
            before = only(rows_of(db.engine), columns)
            assert before == only(data, columns), f"{revision}: the rows did not go in as given"
            upgrade()
            after = only(rows_of(db.engine), columns)
            assert after == before, f"upgrading from {revision} changed or lost rows"
            assert set(inspect(db.engine).get_table_names()) >= set(data)
            kept += sum(map(len, after.values()))
            db.engine.dispose()
    print(f"upgrades: {len(revisions)} revisions, {kept} rows carried to head")


def revision_below_head(script: ScriptDirectory) -> str:
    """Head's parent; when head merges branches, the newest revision all of them share (going
    down to it undoes every branch above it)."""
    head = script.get_revision("head")
    parents = head.down_revision if isinstance(head.down_revision, tuple) else (head.down_revision,)

    def lineage(revision: str) -> set[str]:
        return {r.revision for r in script.iterate_revisions(revision, "base")}

    shared = set.intersection(*(lineage(p) for p in parents))
    return max(shared, key=lambda r: len(lineage(r)))


def test_downgrade_with_data_runs_and_keeps_what_stays(app, org, scratch, tmp_path, monkeypatch):
    """From a full head database: down one revision (rows kept), down to the base, up again."""
    monkeypatch.delenv("DATABASE_URL", raising=False)
    collect_sample_args(org)
    db.session.commit()
    data = rows_of(db.engine)
    previous = revision_below_head(ScriptDirectory(str(MIGRATIONS)))
    copy = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": scratch(tmp_path)})
    with copy.app_context():
        upgrade()
        fill(db.engine, data)
        downgrade(revision=previous)
        columns = {t.name: {c.name for c in t.columns} for t in tables_of(db.engine)}
        assert only(rows_of(db.engine), columns) == only(data, columns)
        downgrade(revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        upgrade()
        assert set(inspect(db.engine).get_table_names()) >= set(data)
        db.session.remove()
        db.engine.dispose()
