"""The kernel's pieces one by one (portal/kernel): periods, clock, safe next URLs, downloads,
lists, Markdown and audience declarations."""
from datetime import date, datetime, timezone

import pytest
from flask import g
from sqlalchemy import select

from portal import create_app
from portal.extensions import db
from portal.kernel import clock
from portal.kernel.audience import PUBLIC, SIGNED_IN, admits, audience, audience_of
from portal.kernel.downloads import content_disposition, download
from portal.kernel.lists import Listing, like_pattern, matches, page_url, sort_url
from portal.kernel.markdown import render_markdown
from portal.kernel.periods import Period, add_months, month_end, month_start, months_between
from portal.kernel.urls import safe_next
from portal.models import Role, User
from tests.conftest import TEST_CONFIG, login
from tests.factories import make_user


# --- periods -------------------------------------------------------------------------------------

@pytest.mark.parametrize("key, start, end, kind", [
    ("2026-11", date(2026, 11, 1), date(2026, 11, 30), "month"),
    ("2026-02", date(2026, 2, 1), date(2026, 2, 28), "month"),
    ("2028-02", date(2028, 2, 1), date(2028, 2, 29), "month"),
    ("2026-12", date(2026, 12, 1), date(2026, 12, 31), "month"),
    ("2026-Q1", date(2026, 1, 1), date(2026, 3, 31), "quarter"),
    ("2026-Q4", date(2026, 10, 1), date(2026, 12, 31), "quarter"),
    ("2026-q2", date(2026, 4, 1), date(2026, 6, 30), "quarter"),
    (" 2026 ", date(2026, 1, 1), date(2026, 12, 31), "year"),
])
def test_period_parse(key, start, end, kind):
    period = Period.parse(key)
    assert (period.start, period.end, period.kind) == (start, end, kind)
    assert Period.parse(period.key) == period  # the key round-trips
    assert str(period) == period.key


@pytest.mark.parametrize("key", [None, "", "2026-13", "2026-00", "2026-Q0", "2026-Q5", "26-11",
                                 "2026-11-01", "2026/11", "1899", "9999-01", "２０２６", "2026-１１", "2026-1"])
def test_period_parse_refuses_what_names_no_period(key):
    assert Period.parse(key) is None


def test_period_parse_kinds():
    assert Period.parse("2026-Q4", kinds=("month",)) is None
    assert Period.parse("2026-11", kinds=("month",)).kind == "month"
    assert Period.parse("2026", kinds=("month", "quarter")) is None


def test_period_keys_months_and_contains():
    assert Period.month_of(date(2026, 3, 9)).key == "2026-03"
    assert Period.quarter_of(date(2026, 8, 31)).key == "2026-Q3"
    assert Period.year_of(date(2026, 12, 31)).key == "2026"
    q4 = Period.parse("2026-Q4")
    assert q4.months == 3 and Period.parse("2026").months == 12 and Period.parse("2026-11").months == 1
    assert q4.month_starts() == [date(2026, 10, 1), date(2026, 11, 1), date(2026, 12, 1)]
    assert q4.contains(date(2026, 12, 31)) and not q4.contains(date(2027, 1, 1))
    assert q4.is_quarter and not Period.parse("2026-11").is_quarter


@pytest.mark.parametrize("key, steps, shifted", [
    ("2026-12", 1, "2027-01"), ("2026-01", -1, "2025-12"), ("2026-11", 14, "2028-01"),
    ("2026-Q4", 1, "2027-Q1"), ("2026-Q1", -1, "2025-Q4"), ("2026-Q2", -6, "2024-Q4"),
    ("2026", -1, "2025"), ("2026", 0, "2026"),
])
def test_period_shifted(key, steps, shifted):
    assert Period.parse(key).shifted(steps).key == shifted


@pytest.mark.parametrize("day, months, expected", [
    (date(2026, 1, 31), 1, date(2026, 2, 28)),  # month end kept within February
    (date(2028, 1, 31), 1, date(2028, 2, 29)),  # leap year
    (date(2026, 3, 31), -1, date(2026, 2, 28)),
    (date(2026, 5, 31), 1, date(2026, 6, 30)),
    (date(2026, 12, 15), 1, date(2027, 1, 15)),  # year edge forwards
    (date(2026, 1, 15), -1, date(2025, 12, 15)),  # and backwards
    (date(2026, 11, 30), -23, date(2024, 12, 30)),
    (date(2026, 11, 30), 0, date(2026, 11, 30)),
])
def test_add_months(day, months, expected):
    assert add_months(day, months) == expected


def test_month_start_end_and_months_between():
    assert month_start(date(2026, 2, 17)) == date(2026, 2, 1)
    assert month_end(date(2026, 2, 1)) == date(2026, 2, 28)
    assert month_end(date(2024, 2, 1)) == date(2024, 2, 29)
    assert month_end(date(2026, 12, 5)) == date(2026, 12, 31)
    assert months_between(date(2026, 11, 15), date(2027, 2, 1)) == [
        date(2026, 11, 1), date(2026, 12, 1), date(2027, 1, 1), date(2027, 2, 1)]
    assert months_between(date(2026, 11, 15), date(2026, 10, 1)) == []


@pytest.mark.parametrize("language, month, quarter", [
    ("en", "Nov 2026", "Q4 2026"),
    ("zh", "2026年11月", "2026年第4季度"),
])
def test_period_label_in_the_readers_language(app, language, month, quarter):
    with app.test_request_context("/", headers={"Accept-Language": language}):
        assert Period.parse("2026-11").label == month
        assert Period.parse("2026").label == "2026"
        assert Period.parse("2026-Q4").label == quarter


# --- clock ---------------------------------------------------------------------------------------

def test_early_morning_in_beijing_is_already_today():
    """07:30 in Beijing on the 26th is 23:30 UTC on the 25th: the company's day is the 26th."""
    utc_moment = datetime(2026, 11, 25, 23, 30, tzinfo=timezone.utc)
    with clock.frozen(utc_moment):
        assert clock.today() == date(2026, 11, 26)
        assert clock.now().hour == 7 and clock.now().utcoffset().total_seconds() == 8 * 3600
        assert clock.utcnow() == datetime(2026, 11, 25, 23, 30)  # naive UTC, as stored
    # Each hour from 00:00 to 08:00 Beijing time, UTC still says yesterday.
    for hour in range(0, 8):
        with clock.frozen(datetime(2026, 11, 26, hour, 0, tzinfo=clock.zone())):
            assert clock.utcnow().date() == date(2026, 11, 25)
            assert clock.today() == date(2026, 11, 26)


def test_frozen_takes_a_date_or_a_naive_company_time_and_unfreezes():
    with clock.frozen(date(2026, 2, 28)) as moment:
        assert clock.today() == date(2026, 2, 28) and clock.now().hour == 9
        assert moment.tzinfo is not None
        with clock.frozen(datetime(2026, 12, 31, 23, 59)):  # naive: company time
            assert clock.today() == date(2026, 12, 31)
            assert clock.utcnow() == datetime(2026, 12, 31, 15, 59)
        assert clock.today() == date(2026, 2, 28)  # the outer freeze is back
    real = datetime.now(timezone.utc).astimezone(clock.zone())
    assert abs((clock.now() - real).total_seconds()) < 5


def test_time_zone_is_a_setting(app, monkeypatch):
    monkeypatch.setitem(app.config, "TIMEZONE", "Europe/London")
    with clock.frozen(datetime(2026, 11, 25, 23, 30, tzinfo=timezone.utc)):
        assert clock.today() == date(2026, 11, 25)
    monkeypatch.setitem(app.config, "TIMEZONE", "")
    assert clock.zone().key == "Asia/Shanghai"


# --- safe next -----------------------------------------------------------------------------------

@pytest.mark.parametrize("target", [
    "/%09/evil.example", "/\t/evil.example", "//evil", "//evil.example/x", "/\\evil",
    "/%5Cevil", "\\\\evil", "https://evil", "https://evil.example/x", "http:/evil", "javascript:alert(1)",
    "/\n/evil", "/x\r\nLocation: https://evil", "/\x00x", "/\x7fx", " /account", "/ /evil",
    "account", "customers/", "./x", "../x", "evil.example", "", None,
])
def test_safe_next_refuses(target):
    assert safe_next(target) is None


@pytest.mark.parametrize("target", ["/", "/account", "/customers/?q=1", "/customers/?q=1&page=2#top",
                                    "/customers/?q=%E6%9D%8E%20%E5%A8%9C", "/targets/2026-11"])
def test_safe_next_allows_paths_on_this_site(target):
    assert safe_next(target) == target


@pytest.mark.parametrize("target", ["/%09/evil.example", "//evil.example", "/%5Cevil.example",
                                    "https://evil.example/"])
def test_login_never_redirects_off_site(client, org, target):
    response = client.post("/login", query_string={"next": target},
                           data={"username": "staff1", "password": "portal-demo"})
    if response.status_code == 302:
        assert response.location == "/"
    else:
        assert response.status_code == 400  # the input guard refused the control character


# --- downloads -----------------------------------------------------------------------------------

def test_download_with_a_chinese_name():
    response = download(b"PK...", "销售明细-城东营业区-2026-11.xlsx")
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment; ")
    assert ("filename*=UTF-8''%E9%94%80%E5%94%AE%E6%98%8E%E7%BB%86-%E5%9F%8E%E4%B8%9C"
            "%E8%90%A5%E4%B8%9A%E5%8C%BA-2026-11.xlsx") in disposition
    assert 'filename="2026-11.xlsx"' in disposition  # the ASCII fallback keeps what it can
    disposition.encode("latin-1")  # a header must be Latin-1: no raw Chinese in it
    assert response.headers["Cache-Control"] == "private, no-store"
    assert response.content_type.startswith("application/vnd.openxmlformats")
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_download_ascii_name_kinds_and_caching():
    csv = download("a,b\r\n", "report.csv")
    assert csv.headers["Content-Disposition"] == (
        "attachment; filename=\"report.csv\"; filename*=UTF-8''report.csv")
    assert csv.content_type == "text/csv; charset=utf-8"
    public = download(b"%PDF", "brochure.pdf", private=False, inline=True)
    assert "Cache-Control" not in public.headers
    assert public.headers["Content-Disposition"].startswith("inline; ")
    assert public.content_type == "application/pdf"
    assert download(b"", "feed", kind="ics").content_type == "text/calendar; charset=utf-8"
    assert download(b"", "blob.bin").content_type == "application/octet-stream"
    assert b"".join(download(iter([b"a", b"b"]), "x.csv").response) == b"ab"  # streamed


def test_content_disposition_cannot_be_broken_out_of():
    value = content_disposition('a"\r\nSet-Cookie: x=1;/\\b.csv')
    assert "\r" not in value and "\n" not in value
    fallback = value.split('filename="', 1)[1].split('"', 1)[0]
    assert '"' not in fallback and "\\" not in fallback and "/" not in fallback
    assert 'filename="download"' in content_disposition("报表")
    assert 'filename="download.csv"' in content_disposition("报表.csv")


# --- lists ---------------------------------------------------------------------------------------

def make_listing(app, query_string):
    return Listing(filters=("status",), sorts={"name": User.display_name,
                                               "login": (User.username, User.id)},
                   default_sort="name")


def test_listing_reads_only_its_whitelist(app):
    url = ("/customers/?q=+李+&status=active&sort=-name&page=2&_anchor=x&_method=DELETE"
           "&_external=1&foo=bar")
    with app.test_request_context(url):
        listing = make_listing(app, url)
        assert g.listing is listing
        assert set(listing.args) == {"q", "status", "sort", "page"}
        assert listing.q == "李" and listing.get("status") == "active"
        assert listing.get("page", type=int) == 2
        with pytest.raises(AssertionError):
            listing.get("foo")
        assert listing.sort == "-name" and listing.descending
        for link in (listing.page_url(3), listing.sort_url("login"), page_url(3),
                     sort_url("name")):
            assert link.startswith("/customers/?") and "#" not in link
            assert "_anchor" not in link and "_method" not in link and "foo" not in link
            assert "_external" not in link
        assert "page=3" in page_url(3) and "status=active" in page_url(3)
        assert "sort=name" in sort_url("name")  # flips the direction
        assert "page=" not in sort_url("name")  # a new sort starts on the first page


def test_page_links_without_a_listing_drop_flasks_own_options(app):
    with app.test_request_context("/customers/?q=a&_anchor=x&_external=1&_scheme=https"):
        link = page_url(2)
        assert link.startswith("/customers/?") and "q=a" in link and "page=2" in link
        assert "_anchor" not in link and "#" not in link and "https" not in link


@pytest.mark.parametrize("asked, expected", [
    ("name", "name"), ("-login", "-login"), ("password_hash", "name"), ("-id", "name"), ("", "name"),
])
def test_sort_whitelist(app, asked, expected):
    with app.test_request_context("/customers/", query_string={"sort": asked}):
        listing = make_listing(app, "")
        assert listing.sort == expected
        sql = str(listing.order(select(User), User.id).compile())
        assert "password_hash" not in sql.split("ORDER BY")[1]


def test_order_applies_the_chosen_columns_and_tiebreak(app, org):
    with app.test_request_context("/customers/?sort=-login"):
        listing = make_listing(app, "")
        names = list(db.session.scalars(listing.order(select(User.username), User.id)))
    assert names == sorted(names, reverse=True)


def test_like_wildcards_in_the_search_are_literal(app, org):
    make_user("pct", display_name="完成100%")
    make_user("plain", display_name="完成1000单")
    make_user("under", display_name="a_b")
    make_user("any", display_name="axb")
    make_user("slash", display_name="c\\d")
    db.session.commit()

    def found(text):
        return set(db.session.scalars(select(User.username).where(
            matches(text, User.display_name, User.username))))

    assert found("100%") == {"pct"}
    assert found("a_b") == {"under"}
    assert found("c\\d") == {"slash"}
    assert found("AXB") == {"any"}  # case-insensitive
    assert like_pattern("50%_a\\") == "%50\\%\\_a\\\\%"
    with app.test_request_context("/customers/?q=100%25"):
        listing = make_listing(app, "")
        assert set(db.session.scalars(listing.search(select(User.username),
                                                     User.display_name))) == {"pct"}
    with app.test_request_context("/customers/?q=" + "长" * 500):
        assert len(make_listing(app, "").q) == 100


# --- markdown ------------------------------------------------------------------------------------

@pytest.mark.parametrize("text, gone", [
    ("<script>alert(1)</script>", "<script"),
    ("<script>alert(1)</script>", "alert(1)</"),
    ('<a href="/x" onclick="evil()">y</a>', "onclick"),
    ('<p hx-get="/admin" hx-trigger="load">y</p>', "hx-get"),
    ('<a href="/x" hx-post="/admin/users">y</a>', "hx-post"),
    ("[click](javascript:alert(1))", "javascript:"),
    ('<a href="JaVaScRiPt:alert(1)">x</a>', "avascript"),
    ('<img src="x" onerror="evil()">', "onerror"),
    ('<iframe src="https://evil.example"></iframe>', "iframe"),
    ('<p style="position:fixed">x</p>', "style"),
    ('<h2 id="x" class="y">t</h2>', "class="),
    ("<img src=x>", "<img"),
])
def test_markdown_drops_what_is_not_allowed(text, gone):
    assert gone not in str(render_markdown(text))


def test_markdown_keeps_formatting_and_links_open_without_the_opener():
    html = str(render_markdown("**先约**再访\n\n- 一\n- 二\n\n[官网](https://example.com/a?b=1)\n\n"
                               "| a | b |\n|---|---|\n| 1 | 2 |"))
    assert "<strong>先约</strong>" in html and "<li>一</li>" in html and "<table>" in html
    assert '<a href="https://example.com/a?b=1" rel="noopener noreferrer">官网</a>' in html
    assert str(render_markdown(None)) == "" and str(render_markdown("")) == ""
    assert 'rel="noopener noreferrer"' in str(render_markdown("<a href='mailto:a@b.c'>m</a>"))
    assert "<h2>做得好的</h2>" in str(render_markdown("## 做得好的"))  # best practices' headings


# --- audience ------------------------------------------------------------------------------------

@pytest.fixture
def declared_app(app):
    """A throw-away app with one route of each kind of audience, and one without any."""
    other = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"]})
    other.test_client_class = app.test_client_class

    @other.route("/k/undeclared")
    def undeclared_view():
        return "reached"

    @other.route("/k/public")
    @audience(PUBLIC)
    def public_view():
        return "public"

    @other.route("/k/signed-in")
    @audience(SIGNED_IN)
    def signed_in_view():
        return "signed in"

    @other.route("/k/hr-or-manager", methods=["GET", "POST"])
    @audience(Role.HR, Role.MANAGER)
    def hr_or_manager_view():
        return "hr or manager"

    return other


def test_audiences_are_enforced(declared_app, org):
    anonymous = declared_app.test_client()
    people = {who: login(declared_app.test_client(), who)
              for who in ("staff1", "manager1", "hr", "admin")}
    expected = {
        "/k/undeclared": {"staff1": 403, "manager1": 403, "hr": 403, "admin": 403},
        "/k/public": {"staff1": 200, "manager1": 200, "hr": 200, "admin": 200},
        "/k/signed-in": {"staff1": 200, "manager1": 200, "hr": 200, "admin": 200},
        "/k/hr-or-manager": {"staff1": 403, "manager1": 200, "hr": 200, "admin": 403},
    }
    for url, answers in expected.items():
        assert {who: c.get(url).status_code for who, c in people.items()} == answers, url
    # Not signed in: nothing undeclared is reachable, public is, the rest asks to sign in.
    assert anonymous.get("/k/undeclared").status_code == 403
    assert anonymous.get("/k/public").status_code == 200
    for url in ("/k/signed-in", "/k/hr-or-manager"):
        response = anonymous.get(url)
        assert response.status_code == 302 and "/login" in response.location
    assert people["staff1"].post("/k/hr-or-manager").status_code == 403  # POST too
    assert "reached" not in people["admin"].get("/k/undeclared").text


def test_audience_of_and_admits(declared_app, app, org):
    assert audience_of(declared_app, "undeclared_view") is None
    assert audience_of(declared_app, "public_view") == PUBLIC
    assert audience_of(declared_app, "static") == PUBLIC
    assert audience_of(declared_app, "hr_or_manager_view") == {Role.HR, Role.MANAGER}
    # Blueprint defaults, and a view that narrows its blueprint's audience.
    assert audience_of(app, "admin.users") == {Role.ADMIN}
    assert audience_of(app, "auth.login") == PUBLIC
    assert audience_of(app, "home.index") == SIGNED_IN
    lead = make_user("lead", roles=(Role.MANAGER, Role.STAFF))
    staff1, admin = org.users["staff1"], org.users["admin"]
    assert admits(PUBLIC, None) and not admits(SIGNED_IN, None)
    assert admits(SIGNED_IN, staff1) and not admits(frozenset({Role.HR}), None)
    assert admits(frozenset({Role.MANAGER}), lead) and not admits(frozenset({Role.HR}), admin)
    with pytest.raises(AssertionError):
        audience(PUBLIC, Role.HR)
    with pytest.raises(AssertionError):
        audience()
