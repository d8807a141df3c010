"""The big lists' queries can use an index on PostgreSQL (issue 16, point 2).

Every SELECT that the manager's (and the admin's audit) list pages run is captured from the
requests and EXPLAINed with sequential scans discouraged (`enable_seqscan = off`): the planner
then still chooses a Seq Scan of a table only when no index can answer the query, which is what
makes a page grow with the company. A Seq Scan of a big table (visits, sales) fails the test.
Skipped on SQLite (its planner is checked by the benchmark).
"""
import re

import pytest
from sqlalchemy import event

from portal.extensions import db

BIG_TABLES = {"visits", "sales_records"}

PAGES = [
    ("manager1", "/customers/"),
    ("manager1", "/customers/?q=客户"),
    ("manager1", "/customers/visits"),
    ("manager1", "/customers/visits?state=overdue"),
    ("manager1", "/customers/visits?state=planned"),
    ("manager1", "/customers/visits?state=done"),
    ("manager1", "/targets/sales"),
    ("manager1", "/targets/sales?since=2026-01-01&until=2026-06-30"),
    ("manager1", "/targets/"),
    ("manager1", "/complaints/"),
    ("manager1", "/complaints/?status=open"),
    ("staff1", "/customers/visits"),
    ("staff1", "/targets/sales"),
    ("admin", "/admin/audit"),
]

SEQ_SCAN = re.compile(r"Seq Scan on (\w+)")


def _captured_selects(client, url: str) -> list[tuple[str, object]]:
    found = []

    def capture(_conn, _cursor, statement, parameters, _context, executemany):
        if not executemany and statement.lstrip().upper().startswith(("SELECT", "WITH")):
            found.append((statement, parameters))

    engine = db.engine
    event.listen(engine, "before_cursor_execute", capture)
    try:
        response = client.get(url)
    finally:
        event.remove(engine, "before_cursor_execute", capture)
    assert response.status_code == 200, url
    return found


def _plan(statement: str, parameters) -> str:
    connection = db.session.connection()
    connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
    rows = connection.exec_driver_sql("EXPLAIN " + statement, parameters).all()
    return "\n".join(r[0] for r in rows)


@pytest.mark.parametrize(("who", "url"), PAGES)
def test_list_pages_use_indexes_on_big_tables(app, org, client_as, who, url):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("EXPLAIN is checked on PostgreSQL")
    client = client_as(who)
    statements = _captured_selects(client, url)
    assert statements, url
    scanned = []
    for statement, parameters in statements:
        plan = _plan(statement, parameters)
        db.session.rollback()
        big = BIG_TABLES & set(SEQ_SCAN.findall(plan))
        if big:
            scanned.append(f"{sorted(big)}:\n{statement}\n{plan}")
    assert not scanned, f"{url} as {who}: sequential scan of a big table\n" + "\n\n".join(scanned)
