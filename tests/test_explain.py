"""The big lists' queries can use an index on PostgreSQL (issue 16, point 2).

The demo organisation is given another area's worth of history far bigger than manager1's
(a province where one manager sees a small share), the tables ANALYZEd, and every SELECT that
manager1's and staff1's list pages (and the admin's audit log) run is captured from the requests
and EXPLAINed as PostgreSQL would run it. A plan that reads a big table (visits, sales) whole
fails: a Seq Scan, or an index scan without an Index Cond (the whole index in its order).
Skipped on SQLite (its planner is checked by the benchmark).
"""
import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import event, insert, select, text

from portal.extensions import db
from portal.models import Area, User
from portal.models.customers import Customer, Visit
from portal.models.sales import SalesRecord

pytestmark = pytest.mark.slow  # writes a hundred thousand rows

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
INDEX_SCAN = re.compile(r"->\s+Index (?:Only )?Scan(?: Backward)? using \w+ on (\w+)")


def full_scans(plan: str) -> set[str]:
    """The big tables a plan reads whole: a Seq Scan, or an index scan without an Index Cond
    (every entry of the index read in its order, the rows filtered afterwards)."""
    found = set(SEQ_SCAN.findall(plan)) & BIG_TABLES
    lines = plan.splitlines()
    for number, line in enumerate(lines):
        match = INDEX_SCAN.search(line)
        if not match or match.group(1) not in BIG_TABLES:
            continue
        details = []
        for following in lines[number + 1:]:
            if "->" in following:
                break
            details.append(following)
        if not any("Index Cond:" in d for d in details):
            found.add(match.group(1))
    return found


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
    rows = db.session.connection().exec_driver_sql("EXPLAIN " + statement, parameters).all()
    return "\n".join(r[0] for r in rows)


def _grow_the_province(org, areas: int = 25, customers: int = 4000, per_customer: int = 15
                       ) -> None:
    """Other areas get customers, visits and sales enough to outweigh manager1's many times."""
    owner = org.users["staff3"].id
    first_area = (db.session.scalar(select(Area.id).order_by(Area.id.desc()).limit(1)) or 0) + 1
    db.session.execute(insert(Area), [
        {"id": first_area + n, "code": f"P{n:03d}", "name": f"片区{n}", "name_en": f"Area {n}"}
        for n in range(areas)])
    first = (db.session.scalar(select(Customer.id).order_by(Customer.id.desc()).limit(1)) or 0) + 1
    db.session.execute(insert(Customer), [
        {"id": first + n, "code": f"BIG{n:06d}", "name": f"大客户{n}",
         "area_id": first_area + n % areas, "account_manager_id": owner}
        for n in range(customers)])
    day = org.today - timedelta(days=700)
    db.session.execute(insert(Visit), [
        {"customer_id": first + n % customers, "account_manager_id": owner,
         "planned_on": day + timedelta(days=n % 700),
         "done_on": day + timedelta(days=n % 700) if n % 5 else None}
        for n in range(customers * per_customer)])
    db.session.execute(insert(SalesRecord), [
        {"customer_id": first + n % customers, "product_line_id": org.product_lines[0].id,
         "sold_on": day + timedelta(days=n % 700), "amount": Decimal(100 + n % 900)}
        for n in range(customers * per_customer)])
    for table in ("areas", "customers", "visits", "sales_records", "users"):
        db.session.execute(text(f"ANALYZE {table}"))
    db.session.commit()


def test_list_pages_use_indexes_on_big_tables(app, org, client_as):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("EXPLAIN is checked on PostgreSQL")
    _grow_the_province(org)
    scanned = []
    for who, url in PAGES:
        statements = _captured_selects(client_as(who), url)
        assert statements, url
        for statement, parameters in statements:
            big = full_scans(_plan(statement, parameters))
            if big:
                scanned.append(f"{url} as {who}: {sorted(big)}\n{statement}\n"
                               f"{_plan(statement, parameters)}")
        db.session.rollback()
    assert not scanned, "whole big tables read:\n" + "\n\n".join(scanned)
