"""Keyset pages of the big lists (issue 16, point 2): visits, sales, complaints and the audit log
page by (sort key, id), not OFFSET. Walking Next from the first page gives every row exactly
once, in order, with many rows on the same day; Previous walks back through the same pages; the
links carry only the list's own arguments."""
import re
from datetime import date, datetime, timedelta
from html import unescape

import pytest

from portal.extensions import db
from portal.models import AuditLog
from tests.customer_factories import make_customer, make_sale, make_visit
from tests.feedback_factories import make_complaint

NEXT = re.compile(r'<a href="([^"]+)" rel="next">')
PREV = re.compile(r'<a href="([^"]+)" rel="prev">')
PER_PAGE = 3


def _walk(client, url: str, marker: re.Pattern) -> tuple[list[list[int]], list[str]]:
    """The markers of each page following Next from url, and the pages' HTML."""
    pages, html_pages = [], []
    while url:
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.get_data(as_text=True)
        pages.append([int(n) for n in marker.findall(html)])
        html_pages.append(html)
        found = NEXT.search(html)
        url = unescape(found.group(1)) if found else None
        assert len(pages) < 50, "the pages never end"
    return pages, html_pages


def _walk_back(client, html: str, marker: re.Pattern) -> list[list[int]]:
    pages = []
    found = PREV.search(html)
    while found:
        html = client.get(unescape(found.group(1))).get_data(as_text=True)
        pages.append([int(n) for n in marker.findall(html)])
        found = PREV.search(html)
        assert len(pages) < 50
    return pages


def _check(client, url: str, marker: re.Pattern, expected: list[int]):
    pages, html_pages = _walk(client, url, marker)
    assert len(pages) >= 3
    assert all(len(p) == PER_PAGE for p in pages[:-1])
    seen = [n for p in pages for n in p]
    assert seen == expected  # every row once, in the list's order
    assert _walk_back(client, html_pages[-1], marker) == pages[-2::-1]
    for html in html_pages[1:]:
        link = unescape(NEXT.search(html).group(1)) if NEXT.search(html) else \
            unescape(PREV.search(html).group(1))
        assert not re.search(r"[?&]page=", link) and "_anchor" not in link
    return pages


@pytest.mark.parametrize("small_scope", [1000, 0], ids=["day+0 key", "indexed day key"])
def test_visits_page_by_day_and_id_with_ties(org, client_as, monkeypatch, small_scope):
    """Both forms of the day key (PostgreSQL writes `day + 0` for a small scope: see
    access.scope_sort_key) give the same pages."""
    monkeypatch.setattr("portal.access.SMALL_SCOPE", small_scope)
    staff = org.users["staff1"]
    customer = make_customer(staff, name="键集客户")
    day = date(2026, 3, 10)
    visits = []
    for n in range(11):  # four days, most of them shared by several visits; one never dated
        planned = None if n == 10 else day + timedelta(days=n // 3)
        done = day + timedelta(days=n // 3) if n % 2 and planned else None
        visits.append(make_visit(customer, staff, planned_on=planned, done_on=done,
                                 purpose=f"KS-{n}"))
    db.session.commit()
    dated = sorted((v for v in visits if v.planned_on), key=lambda v: (v.done_on or v.planned_on,
                                                                       v.id), reverse=True)
    expected = [int(v.purpose[3:]) for v in dated] + [10]
    marker = re.compile(r"KS-(\d+)")
    client = client_as("staff1")
    _check(client, f"/customers/visits?q=键集客户&per_page={PER_PAGE}&_anchor=x", marker,
           expected)
    # ascending: the NULL day still last
    ascending = [int(v.purpose[3:]) for v in reversed(dated)] + [10]
    _check(client, f"/customers/visits?q=键集客户&sort=date&per_page={PER_PAGE}", marker,
           ascending)


@pytest.mark.parametrize("small_scope", [1000, 0], ids=["day+0 key", "indexed day key"])
def test_sales_page_by_day_and_id_with_ties(org, client_as, monkeypatch, small_scope):
    monkeypatch.setattr("portal.access.SMALL_SCOPE", small_scope)
    customer = make_customer(org.users["staff1"], name="键集客户")
    line = org.product_lines[0]
    sales = [make_sale(customer, line, date(2026, 2, 1) + timedelta(days=n // 4), "10.00",
                       reference=f"KS-{n}") for n in range(10)]
    db.session.commit()
    expected = [int(s.reference[3:]) for s in
                sorted(sales, key=lambda s: (s.sold_on, s.id), reverse=True)]
    _check(client_as("manager1"), f"/targets/sales?q=键集客户&per_page={PER_PAGE}",
           re.compile(r"KS-(\d+)"), expected)


def test_complaints_page_by_received_and_id_with_ties(org, client_as):
    customer = make_customer(org.users["staff1"], name="键集客户")
    moment = datetime(2026, 4, 1, 9, 0)
    complaints = [make_complaint(customer, received_at=moment + timedelta(hours=n // 3),
                                 subject=f"KS-{n}") for n in range(10)]
    db.session.commit()
    expected = [int(c.subject[3:]) for c in
                sorted(complaints, key=lambda c: (c.received_at, c.id), reverse=True)]
    _check(client_as("manager1"), f"/complaints/?q=KS-&per_page={PER_PAGE}",
           re.compile(r">KS-(\d+)<"), expected)


def test_audit_log_pages_by_time_and_id_with_ties(org, client_as):
    at = datetime(2026, 5, 1, 8, 0)
    for n in range(10):
        db.session.add(AuditLog(at=at + timedelta(minutes=n // 4), action="ks.test",
                                entity_type="keyset", entity_id=n))
    db.session.commit()
    # ids grow with n, so the newest-first order is n descending
    # the cell, not its title attribute (which repeats the code for the curious)
    _check(client_as("admin"), f"/admin/audit?entity_type=keyset&per_page={PER_PAGE}",
           re.compile(r">keyset #(\d+)<"), list(range(9, -1, -1)))


@pytest.mark.parametrize("cursor", ["garbage", "~", "2026-13-01~5", "2026-01-01~99999999999",
                                    "2026-01-01~x"])
def test_a_garbled_cursor_shows_the_first_page(org, client_as, cursor):
    response = client_as("manager1").get(f"/customers/visits?after={cursor}")
    assert response.status_code == 200


def test_other_sorts_keep_numbered_pages(org, client_as):
    customer = make_customer(org.users["staff1"], name="键集客户")
    for n in range(5):
        make_complaint(customer, subject=f"KS-{n}")
    db.session.commit()
    html = client_as("manager1").get("/complaints/?q=KS-&sort=due&per_page=2").get_data(
        as_text=True)
    assert 'page=2' in html and "after=" not in html


def test_a_lists_count_is_the_number_of_rows_its_query_gives(org):
    """count_rows counts over the query's FROMs with a constant for its columns (a DISTINCT
    select over its own): the count matches the rows for an entity, a join, a grouping, a
    DISTINCT, and a select whose second entity's table only its columns name."""
    from sqlalchemy import func, select

    from portal.kernel.lists import count_rows
    from portal.models import Area, User

    queries = [
        select(User),
        select(User).join(Area, User.area_id == Area.id).where(Area.id == org.areas[0].id),
        select(User.area_id, func.count()).group_by(User.area_id),
        select(User.area_id).distinct(),
        select(User, Area.name).where(User.area_id == Area.id),
        select(User).order_by(User.username),
    ]
    for query in queries:
        rows = len(db.session.execute(query).all())
        assert rows > 1 and count_rows(query) == rows, query
    assert count_rows(select(User).where(User.id < 0)) == 0
    assert count_rows(select(User), cap=2) == 3  # up to cap + 1: "more than the cap"
