"""The big lists' queries can use an index on PostgreSQL (issue 16, point 2).

The demo organisation is given another area's worth of history far bigger than manager1's
(a province where one manager sees a small share), the tables ANALYZEd, and every SELECT that
manager1's and staff1's list pages (and the admin's audit log) run is captured from the requests
and EXPLAINed as PostgreSQL would run it. A plan that reads a big table (visits, sales,
complaints, the audit log) whole fails: a Seq Scan, or an index scan without an Index Cond (the
whole index in its order), unless a Limit stops it after the page (see `full_scans`).
Skipped on SQLite (its planner is checked by the benchmark).
"""
import re
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import event, insert, select, text

from portal.extensions import db
from portal.models import Area, AuditLog, User
from portal.models.customers import Customer, Visit
from portal.models.feedback import (Complaint, ComplaintCategory, ComplaintChannel,
                                    ComplaintStatus, Severity)
from portal.models.sales import SalesRecord


BIG_TABLES = {"visits", "sales_records", "complaints", "audit_log"}

PAGES = [
    ("manager1", "/customers/"),
    ("manager1", "/customers/?q=客户"),
    ("manager1", "/customers/visits"),
    ("manager1", "/customers/visits?state=overdue"),
    ("manager1", "/customers/visits?state=planned"),
    ("manager1", "/customers/visits?state=done"),
    ("manager1", "/targets/sales"),
    ("manager1", "/targets/sales?from=2026-01-01&to=2026-06-30"),
    ("manager1", "/targets/sales?q=客户"),
    ("manager1", "/customers/visits?q=客户"),
    ("manager1", "/targets/"),
    ("manager1", "/complaints/"),
    ("manager1", "/complaints/?status=open"),
    ("staff1", "/customers/visits"),
    ("staff1", "/targets/sales"),
    ("admin", "/admin/audit"),
    # the keyset pages beyond the first (issue 16, point 2): next and previous
    ("manager1", "/customers/visits?after=2026-06-01~40000"),
    ("manager1", "/customers/visits?before=2025-06-01~40000"),
    ("manager1", "/customers/visits?state=done&after=2026-06-01~40000"),
    ("staff1", "/customers/visits?after=2026-06-01~40000"),
    ("manager1", "/targets/sales?after=2026-06-01~40000"),
    ("manager1", "/targets/sales?before=2025-06-01~40000"),
    ("manager1", "/complaints/?after=2026-06-01T00:00:00~20000"),
    ("manager1", "/complaints/?before=2025-06-01T00:00:00~20000"),
    ("staff1", "/complaints/"),
    ("staff1", "/complaints/?after=2026-06-01T00:00:00~20000"),
    ("admin", "/complaints/"),
    ("admin", "/complaints/?after=2026-06-01T00:00:00~20000"),
    ("admin", "/admin/audit?after=2026-06-01T00:00:00~20000"),
    ("admin", "/admin/audit?before=2025-06-01T00:00:00~20000"),
    ("admin", "/admin/audit?entity_type=complaint"),
]

SCAN = re.compile(r"(Seq Scan|Index (?:Only )?Scan(?: Backward)? using \w+) on (\w+)")
#: Nodes that pass rows on as they come (a Limit above them stops the scan below early).
STREAMING = ("Nested Loop", "Merge Join", "Incremental Sort", "Result", "Subquery Scan",
             "Unique")


def _nodes(plan: str) -> list[tuple[int, str, list[str]]]:
    """The plan's nodes: (indent, text, their detail lines)."""
    nodes = []
    for number, line in enumerate(plan.splitlines()):
        if number == 0 or "->" in line:
            text = line.split("->", 1)[1] if "->" in line else line
            indent = len(line) - len(line.lstrip(" ->")) if "->" in line else 0
            nodes.append((indent, text.strip(), []))
        elif nodes:
            nodes[-1][2].append(line.strip())
    return nodes


def _bounded(nodes, index: int) -> bool:
    """A Limit above this node with only streaming nodes between."""
    indent = nodes[index][0]
    for above_indent, text, _details in reversed(nodes[:index]):
        if above_indent >= indent:
            continue
        indent = above_indent
        if text.startswith("Limit"):
            return True
        if not text.startswith(STREAMING):
            return False
    return False


def full_scans(plan: str) -> set[str]:
    """The big tables a plan reads whole: a Seq Scan, or an index scan without an Index Cond
    (every entry of the index read in its order). Neither counts when the scan keeps every row
    it reads (no Filter) and a Limit stops it: the first page of a list in an index's order (or
    a count capped by a Limit) reads no more than the page."""
    found = set()
    nodes = _nodes(plan)
    for index, (_indent, text, details) in enumerate(nodes):
        match = SCAN.search(text)
        if not match or match.group(2) not in BIG_TABLES:
            continue
        if any(d.startswith("Index Cond:") for d in details):
            continue
        if _bounded(nodes, index) and not any(d.startswith("Filter:") for d in details):
            continue
        found.add(match.group(2))
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
    moment = datetime.combine(day, datetime.min.time())
    db.session.execute(insert(Complaint), [
        {"customer_id": first + n % customers, "account_manager_id": owner, "owner_id": owner,
         "area_id": first_area + n % areas, "channel": ComplaintChannel.PHONE,
         "category": list(ComplaintCategory)[0], "severity": Severity.MEDIUM,
         "subject": f"投诉{n}", "status": ComplaintStatus.CLOSED if n % 4 else ComplaintStatus.NEW,
         "received_at": moment + timedelta(hours=n % 16000),
         "due_at": moment + timedelta(hours=n % 16000 + 72)}
        for n in range(customers * per_customer // 3)])
    db.session.execute(insert(AuditLog), [
        {"at": moment + timedelta(minutes=n), "actor_id": owner, "action": "sale.create",
         "entity_type": "sale", "entity_id": n}
        for n in range(customers * per_customer)])
    for table in ("areas", "customers", "visits", "sales_records", "users", "complaints",
                  "audit_log"):
        db.session.execute(text(f"ANALYZE {table}"))
    db.session.commit()


@pytest.mark.slow  # writes a hundred thousand rows
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


PLAN_PAGE = """Limit  (cost=0.42..2.10 rows=26 width=80)
  ->  Nested Loop Left Join  (cost=0.42..64000.00 rows=1000000 width=80)
        ->  Index Scan Backward using ix_audit_log_at on audit_log  (cost=0.42..50000.00 rows=1000000 width=70)
        ->  Index Scan using users_pkey on users  (cost=0.29..0.31 rows=1 width=10)
              Index Cond: (id = audit_log.actor_id)"""
PLAN_SORTED = """Limit  (cost=1.00..2.00 rows=26 width=80)
  ->  Sort  (cost=1.00..2.00 rows=1000000 width=80)
        Sort Key: at DESC
        ->  Seq Scan on audit_log  (cost=0.00..1.00 rows=1000000 width=70)"""
PLAN_FILTERED = """Limit  (cost=0.42..2.10 rows=26 width=80)
  ->  Index Scan Backward using ix_sales_records_sold_on on sales_records  (cost=0.42..50000.00 rows=100 width=70)
        Filter: (customer_id = ANY ('{1,2}'::integer[]))"""
PLAN_COUNT = """Aggregate  (cost=30.00..30.01 rows=1 width=8)
  ->  Limit  (cost=0.00..17.50 rows=1001 width=4)
        ->  Seq Scan on complaints  (cost=0.00..700.00 rows=40000 width=4)"""


@pytest.mark.parametrize("plan, found", [
    (PLAN_PAGE, set()), (PLAN_SORTED, {"audit_log"}), (PLAN_FILTERED, {"sales_records"}),
    (PLAN_COUNT, set()), (PLAN_COUNT.replace("  ->  Limit", "  ->  Sort"), {"complaints"}),
])
def test_full_scans_reads_plans(plan, found):
    assert full_scans(plan) == found
