"""The visit list of a manager heading a wide area, on SQLite, walks the day index
(portal.customers.queries.walks_the_day_index): the same rows as the UNION, read another way.

manager1's area is given 1,200 customers (over SMALL_SCOPE) and a few hundred visits among
them, the other area's and manager1's own visits to a customer outside the area; the list is
then read both ways (the threshold raised for the second) and must show the same visits in the
same order with the same count.
"""
import os
import random
import re
from datetime import timedelta

import pytest
from sqlalchemy import event, insert, select

from portal.customers import queries
from portal.extensions import db
from portal.models import Area
from portal.models.customers import Customer, Visit, VisitMethod
from tests.customer_factories import make_customer

#: The walk is SQLite's; PostgreSQL runs the chart's test only.
sqlite_only = pytest.mark.skipif(bool(os.environ.get("TEST_DATABASE_URL")),
                                 reason="the walk is SQLite's")

VISIT_ID = re.compile(r"/customers/visits/(\d+)/edit")
COUNT = re.compile(r'<p class="count">([^<]*)</p>')


@pytest.fixture
def wide_area(org):
    rng = random.Random(16)
    manager1, staff1, staff2 = (org.users[u] for u in ("manager1", "staff1", "staff2"))
    area = db.session.scalar(select(Area).where(Area.head_id == manager1.id))
    other = next(a for a in org.areas if a.id != area.id)
    db.session.execute(insert(Customer), [
        {"code": f"W{n:05d}", "name": f"宽区客户{n}", "area_id": area.id,
         "account_manager_id": rng.choice([staff1.id, staff2.id]), "potential": 2}
        for n in range(1200)])
    ours = db.session.scalars(select(Customer.id).where(Customer.area_id == area.id)).all()
    outside = make_customer(org.users["staff3"], name="区外客户", area=other)
    far = make_customer(org.users["manager2"], name="别区客户", area=other)
    today = org.today
    rows = []
    for n in range(400):
        day = today - timedelta(days=rng.randint(-40, 400))
        kind = rng.random()
        done = day if kind < 0.6 and day <= today else None
        planned = None if kind > 0.95 else day  # a few with neither date: listed last
        who = rng.choice([staff1.id, staff2.id])
        customer = rng.choice(ours)
        if n % 10 == 0:  # manager1's own visits to a customer outside the area
            who, customer = manager1.id, outside.id
        elif n % 7 == 0:  # another area's visits: never listed for manager1
            who, customer = org.users["manager2"].id, far.id
        rows.append({"customer_id": customer, "account_manager_id": who, "planned_on": planned,
                     "done_on": done, "cancelled": rng.random() < 0.05,
                     "method": rng.choice(list(VisitMethod)), "from_plan": False})
    db.session.execute(insert(Visit), rows)
    db.session.commit()
    return area


def _read(client, path, app):
    statements = []

    def capture(conn, cursor, statement, parameters, context, executemany):
        statements.append((statement, parameters))
    event.listen(db.engine, "before_cursor_execute", capture)
    try:
        response = client.get(path)
    finally:
        event.remove(db.engine, "before_cursor_execute", capture)
    assert response.status_code == 200
    return response.text, statements


def _walked(statements) -> bool:
    return any("visits.customer_id + " in s for s, _p in statements)


@sqlite_only
def test_the_walk_lists_what_the_union_lists(app, client_as, wide_area, monkeypatch):
    client = client_as("manager1")
    for path in ["/customers/visits", "/customers/visits?method=phone"]:
        monkeypatch.setattr(queries, "SMALL_SCOPE", 1000)
        walked, statements = _read(client, path, app)
        assert _walked(statements), "the wide area's first page should walk the day index"
        monkeypatch.setattr(queries, "SMALL_SCOPE", 10**9)
        unioned, statements = _read(client, path, app)
        assert not _walked(statements)
        ids = VISIT_ID.findall(walked)
        assert ids and ids == VISIT_ID.findall(unioned), path
        assert COUNT.findall(walked) == COUNT.findall(unioned) != [], path
        assert len(ids) == 25  # a full page: the newest 25 manager1 may see, undated last


@sqlite_only
def test_narrow_scopes_filters_and_later_pages_keep_the_union(app, client_as, wide_area):
    for user, path in [
        ("staff1", "/customers/visits"),                      # a narrow scope
        ("manager1", "/customers/visits?state=overdue"),      # a filter few visits pass
        ("manager1", "/customers/visits?q=宽区"),              # a search
        ("manager1", "/customers/visits?after=2026-06-01~5"),  # a page after the first
        ("manager1", "/customers/visits?sort=date"),          # the other direction
    ]:
        _text, statements = _read(client_as(user), path, app)
        assert not _walked(statements), (user, path)


@sqlite_only
def test_the_walk_reads_the_day_index_in_order(app, client_as, wide_area):
    _text, statements = _read(client_as("manager1"), "/customers/visits", app)
    page = next(s for s in statements if "visits.customer_id + " in s[0] and "LIMIT" in s[0]
                and "ORDER BY" in s[0])
    with db.engine.connect() as connection:
        plan = " | ".join(row[3] for row in connection.exec_driver_sql(
            "EXPLAIN QUERY PLAN " + page[0], page[1]))
    assert "SCAN visits USING INDEX ix_visits_day" in plan
    assert "TEMP B-TREE FOR ORDER BY" not in plan


def test_the_walk_does_not_leak_another_areas_visits(client_as, wide_area, org):
    text = client_as("manager1").get("/customers/visits").text
    assert "别区客户" not in text


def test_the_visit_chart_counts_what_the_scope_holds(app, wide_area, org):
    """Visits done per month and method (the SQLite form reads the scope's customers and one's
    own visits elsewhere separately) against the visible visits counted one by one."""
    from flask_login import login_user

    from portal.kernel.periods import month_start
    from portal.models import User

    for username in ["manager1", "staff1", "manager2"]:
        viewer = db.session.get(User, org.users[username].id)
        with app.test_request_context("/"):
            login_user(viewer)
            starts, counts = queries.visits_done_per_month(viewer, org.today)
            expected = {key: 0 for key in counts}
            for visit in db.session.scalars(queries.visible_visits(viewer)):
                if visit.done_on and starts[0] <= visit.done_on <= org.today:
                    expected[(month_start(visit.done_on), visit.method)] += 1
        assert counts == expected, username
        assert sum(expected.values()) > 0, username
