"""Accessibility of the markup: ids are unique on a page (several forms' CSRF and version inputs
included), every aria-describedby/aria-labelledby/label-for points at an element of the page (never
"None"), and every visible form control has a label. The crawl checks every kind of page the demo
company's accounts reach."""
import re
from html.parser import HTMLParser

import pytest

from portal import create_app
from portal.extensions import db
from tests.comm_factories import make_one_on_one, make_series
from tests.conftest import TEST_CONFIG
from tests.factories import csrf_login
from tests.test_crawl import ACCOUNTS, LANGUAGES, demo_app, local  # noqa: F401 (fixture)

MAX_PAGES = 300  # two pages of each kind (path with ids as N) at most
CONTROLS = {"input", "select", "textarea"}
UNLABELLED_OK = {"hidden", "submit", "button", "reset", "image"}


class IdParser(HTMLParser):
    """Ids, references to ids, form controls and their labels, links to follow."""

    def __init__(self):
        super().__init__()
        self.ids: list[str] = []
        self.refs: list[tuple[str, str]] = []  # (attribute, id)
        self.label_for: set[str] = set()
        self.controls: list[dict] = []
        self.links: list[str] = []
        self._label_depth = 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if a.get("id") is not None:
            self.ids.append(a["id"])
        for name in ("aria-describedby", "aria-labelledby", "aria-controls"):
            if a.get(name) is not None:
                self.refs.extend((name, ref) for ref in a[name].split() or [""])
        if tag == "label":
            self._label_depth += 1
            if a.get("for") is not None:
                self.refs.append(("for", a["for"]))
                self.label_for.add(a["for"])
        if tag in CONTROLS and (a.get("type") or "text") not in UNLABELLED_OK:
            self.controls.append({**a, "_tag": tag, "_in_label": self._label_depth > 0})
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        if a.get("hx-get") and tag == "a":
            self.links.append(a["hx-get"])

    def handle_endtag(self, tag):
        if tag == "label" and self._label_depth:
            self._label_depth -= 1


def shape(url: str) -> str:
    """A page's kind: its path with the record ids and the query left out (/customers/N)."""
    return re.sub(r"\d+", "N", url.split("?")[0])


def problems(html: str) -> list[str]:
    page = IdParser()
    page.feed(html)
    found = []
    seen = set()
    for i in page.ids:
        if i in seen:
            found.append(f"duplicate id {i!r}")
        seen.add(i)
    for attribute, ref in page.refs:
        if ref not in seen:
            found.append(f"{attribute}={ref!r} names no element")
    for c in page.controls:
        labelled = (c["_in_label"] or c.get("id") in page.label_for or c.get("aria-label")
                    or c.get("aria-labelledby") or c.get("title"))
        if not labelled:
            found.append(f"<{c['_tag']} name={c.get('name')!r} id={c.get('id')!r}> has no label")
    return found


def test_the_checks_can_fail():
    assert problems('<label for="a">x</label><input id="a"><input id="a">') == [
        "duplicate id 'a'"]
    assert "aria-describedby='None' names no element" in problems(
        '<label>x <input aria-describedby="None"></label>')
    assert problems('<label for="t">Notes</label><textarea id="t"></textarea>') == []
    assert problems('<textarea name="notes"></textarea>') == [
        "<textarea name='notes' id=None> has no label"]


@pytest.fixture
def csrf_client(app):
    """A client of an app with CSRF on, as in production (every form has its token)."""
    csrf_app = create_app({**TEST_CONFIG, "WTF_CSRF_ENABLED": True,
                           "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"]})
    csrf_app.test_client_class = app.test_client_class
    return csrf_app.test_client()


def test_a_one_on_one_page_with_its_forms_repeats_no_id_and_labels_the_shared_notes(
        csrf_client, org):
    one = make_one_on_one(make_series(org.users["manager1"], org.users["staff1"]),
                          shared_notes="共享笔记")
    db.session.commit()
    token = csrf_login(csrf_client, "manager1")
    html = csrf_client.get(f"/one-on-ones/{one.id}").text
    assert html.count('name="csrf_token"') >= 3 and 'id="csrf_token"' not in html
    assert html.count('name="row_version"') >= 1 and 'id="row_version"' not in html
    assert problems(html) == []
    assert '<section class="card" id="shared_notes">' in html  # the htmx target and anchor
    assert '<label for="shared_notes_text">共享笔记</label>' in html
    assert re.search(r'<textarea [^>]*id="shared_notes_text" [^>]*name="shared_notes"', html)

    # A refused save: the textarea is described by its error, which exists once.
    r = csrf_client.post(f"/one-on-ones/{one.id}/notes", data={
        "csrf_token": token, "shared_notes": "x" * 10001, "row_version": "stale"},
        headers={"HX-Request": "true"})
    assert r.status_code == 422
    assert 'aria-describedby="shared_notes_text-error"' in r.text
    assert r.text.count('id="shared_notes_text-error"') == 1


def test_fields_are_described_only_by_what_exists(client_as):
    client = client_as("staff1")
    html = client.get("/account").text
    assert "None" not in html
    assert 'aria-describedby="new-hint"' in html and 'id="new-hint"' in html
    assert problems(html) == []
    r = client.post("/account", data={"current": "", "new": "short", "confirm": "other"})
    assert r.status_code == 422
    assert problems(r.text) == []
    # The new password is described by its hint, then its error(s).
    described = re.search(r'<input aria-describedby="([^"]+)"[^>]* id="new"', r.text).group(1)
    assert described.startswith("new-hint new-error")
    assert 'aria-describedby="current-error"' in r.text


@pytest.mark.slow  # every kind of page as every account
@pytest.mark.sqlite_only
@pytest.mark.parametrize("username", ACCOUNTS)
def test_every_page_has_unique_ids_and_labelled_fields(demo_app, username):
    client = demo_app.test_client()
    csrf_login(client, username)
    header = {"Accept-Language": LANGUAGES["zh"]}
    queue, seen, failures, shapes = ["/"], {"/"}, {}, {}
    while queue and len(seen) <= MAX_PAGES:
        url = queue.pop(0)
        response = client.get(url, headers=header)
        if response.status_code != 200 or "text/html" not in response.content_type:
            continue
        found = problems(response.text)
        if found:
            failures[url] = sorted(set(found))
        page = IdParser()
        page.feed(response.text)
        for link in page.links:
            target = local(link)
            if target and target not in seen and shapes.get(shape(target), 0) < 2:
                seen.add(target)
                shapes[shape(target)] = shapes.get(shape(target), 0) + 1
                queue.append(target)
    assert len(seen) > 5
    assert failures == {}, "\n".join(f"{u}: {p}" for u, p in failures.items())


@pytest.mark.parametrize("username", ["staff1", "manager1", "hr", "admin"])
def test_without_script_each_home_panel_link_names_its_panel(client_as, username):
    html = client_as(username).get("/", headers={"Accept-Language": "zh-CN"}).text
    links = re.findall(r'<noscript><a href="(/panels/[^"]+)">([^<]+)</a></noscript>', html)
    assert len(links) >= 2, html
    texts = [text for _, text in links]
    assert len(set(texts)) == len(texts), texts  # no two alike
    assert all(text.startswith("显示") and text != "显示此栏目" for text in texts), texts
    if username == "staff1":
        assert ("/panels/meetings", "显示“会议”") in links


def test_a_refused_grid_cell_is_described_by_its_message(client_as, org):
    staff1 = org.users["staff1"]
    client = client_as("manager1")
    page = client.post("/targets/grid?period=2026-Q4", data={f"cell-{staff1.id}-202611": "abc"})
    assert page.status_code == 422 and problems(page.text) == []
    error_id = f"cell-{staff1.id}-202611-error"
    assert f'aria-describedby="{error_id}"' in page.text and f'id="{error_id}"' in page.text
    cell = client.post("/targets/grid/cell", data={"user_id": staff1.id, "month": "2026-11-01",
                                                    "value": "abc"}, headers={"HX-Request": "true"})
    assert cell.status_code == 422 and f'aria-describedby="{error_id}"' in cell.text
    fine = client.post("/targets/grid/cell", data={"user_id": staff1.id, "month": "2026-11-01",
                                                    "value": "1000"}, headers={"HX-Request": "true"})
    assert fine.status_code == 200 and "aria-describedby" not in fine.text
