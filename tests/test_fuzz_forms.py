"""Property-based fuzzing of every POST form the crawl can reach (Hypothesis).

For each form found on the pages each demo account can open, random hostile values are posted in
its fields: Unicode (Chinese, emoji, right-to-left, control characters), very long text, negative
and huge numbers, malformed dates and decimals, fields left out or sent twice. The portal must
never answer 5xx, and a rejected submission must leave the database exactly as it was.
"""
import re
import threading
from datetime import date
from html.parser import HTMLParser
from urllib.parse import urldefrag, urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import event
from werkzeug.datastructures import MultiDict

from portal.demo import seed_demo_company
from portal.extensions import db
from tests.conftest import login

ACCOUNTS = ["admin", "hr", "manager1", "staff1"]
#: Forms that end the session or act on it rather than on records.
SKIP_ACTIONS = ("/logout", "/language", "/login")
MAX_PAGES = 120

HOSTILE_TEXT = st.one_of(
    st.text(max_size=30),
    st.sampled_from(["", " ", "李娜", "𠀀𪚥", "😀👍🏽", "\u202eevil\u202c", "\x00", "\x07bell",
                     "a\r\nb", "<script>alert(1)</script>", "=1+2", "' OR 1=1 --",
                     "9" * 400, "x" * 5000, "-1", "0", "1e309", "NaN", "-99999999999999999999",
                     "2026-02-30", "2026-13-01", "31/12/2026", "12.345.6", "¥1,000", "1,5"]),
)


class FormParser(HTMLParser):
    """POST forms with their field names and the values a select or checkbox offers."""

    def __init__(self):
        super().__init__()
        self.forms, self.links = [], []
        self._form = None
        self._select = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        if tag == "form" and (a.get("method") or "").lower() == "post":
            self._form = {"action": a.get("action") or "", "fields": {}}
            self.forms.append(self._form)
        if self._form is None:
            return
        name = a.get("name")
        if tag in ("input", "textarea") and name and a.get("type") != "submit":
            options = self._form["fields"].setdefault(name, [])
            if a.get("value"):
                options.append(a["value"])
        if tag == "select" and name:
            self._select = self._form["fields"].setdefault(name, [])
        if tag == "option" and self._select is not None and a.get("value") is not None:
            self._select.append(a["value"])
        if tag == "button" and name and a.get("value"):
            self._form["fields"].setdefault(name, []).append(a["value"])

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        if tag == "select":
            self._select = None


def local(url):
    url = urldefrag(url)[0]
    parts = urlsplit(url)
    if parts.scheme or parts.netloc or not url.startswith("/") or url.startswith("/static/"):
        return None
    return url


def reachable_forms(client):
    """(page, form) for every POST form on the pages this client can reach."""
    queue, seen, found, actions, visited = ["/"], {"/"}, [], set(), 0
    while queue and visited < MAX_PAGES:
        url = queue.pop(0)
        visited += 1
        response = client.get(url)
        if response.status_code != 200 or "text/html" not in response.content_type:
            continue
        parser = FormParser()
        parser.feed(response.text)
        for form in parser.forms:
            action = form["action"] or url
            # One form per route: /users/5/edit and /users/6/edit are the same form.
            key = (re.sub(r"/\d+", "/<id>", urlsplit(action).path), tuple(sorted(form["fields"])))
            if key not in actions and not urlsplit(action).path.endswith(SKIP_ACTIONS):
                actions.add(key)
                found.append((url, {**form, "action": action}))
        for link in parser.links:
            target = local(link)
            if target and target not in seen and "page=" not in target and "sort=" not in target:
                seen.add(target)
                queue.append(target)
    return found


class CommittedWrites:
    """The INSERT/UPDATE/DELETE statements that were committed while it listened.

    Cheaper and stricter than comparing every row before and after: a rejected submission that
    rewrote a row with the same values, or wrote and deleted, shows here too. Statements of a
    transaction that was rolled back do not count: they left the database as it was. Only this
    thread's statements count (the test client runs the request in it); a print job's worker
    thread left over from another test writes on its own.
    """

    DML = re.compile(r"^\s*(INSERT|UPDATE|DELETE)", re.I)

    def __init__(self, engine):
        self.engine, self.pending, self.committed = engine, {}, []
        self.thread = threading.get_ident()

    def __enter__(self):
        event.listen(self.engine, "before_cursor_execute", self.executed)
        event.listen(self.engine, "commit", self.commit)
        event.listen(self.engine, "rollback", self.rollback)
        return self

    def __exit__(self, *exc):
        event.remove(self.engine, "before_cursor_execute", self.executed)
        event.remove(self.engine, "commit", self.commit)
        event.remove(self.engine, "rollback", self.rollback)

    def executed(self, conn, cursor, statement, parameters, context, executemany):
        if threading.get_ident() == self.thread and self.DML.match(statement):
            self.pending.setdefault(id(conn), []).append(statement)

    def commit(self, conn):
        self.committed.extend(self.pending.pop(id(conn), []))

    def rollback(self, conn):
        self.pending.pop(id(conn), None)


def field_values(form):
    """A strategy for one submission: each field hostile, typed, offered, missing or doubled."""
    parts = {}
    for name, offered in form["fields"].items():
        if name == "csrf_token":
            continue
        choices = [HOSTILE_TEXT, st.just(None)]
        if offered:
            choices.append(st.sampled_from(offered))
        value = st.one_of(*choices)
        parts[name] = st.one_of(value, st.lists(value, min_size=2, max_size=3))
    return st.fixed_dictionaries(parts)


def post_data(values):
    """The form body: None leaves a field out; a list sends it several times."""
    data = []
    for name, value in values.items():
        for v in (value if isinstance(value, list) else [value]):
            if v is not None:
                data.append((name, v))
    return data


@pytest.mark.slow  # Hypothesis over every form
@pytest.mark.parametrize("username", ACCOUNTS)
def test_fuzz_every_form(app, username):
    seed_demo_company(date.today())
    db.session.commit()
    client = login(app.test_client(), username)
    forms = reachable_forms(client)
    assert forms or username != "admin", "the admin must reach some forms"
    examples = 0
    for page, form in forms:

        @settings(max_examples=12, deadline=None, derandomize=True,
                  suppress_health_check=list(HealthCheck))
        @given(values=field_values(form))
        def submit(values):
            nonlocal examples
            examples += 1
            with CommittedWrites(db.engine) as writes:
                response = client.post(form["action"], data=MultiDict(post_data(values)))
            where = f"{username} {form['action']} (from {page}) {values!r:.300}"
            assert response.status_code < 500, where
            if response.status_code not in (200, 302, 303):
                assert not writes.committed, f"rejected but wrote {writes.committed}: {where}"

        submit()
    assert examples >= len(forms)
    print(f"{username}: {len(forms)} forms, {examples} submissions")


def test_the_write_detector_sees_committed_writes_only(app, org):
    """The check above can fail: a committed write is seen, a rolled-back one is not."""
    from portal.models import Area

    with CommittedWrites(db.engine) as writes:
        db.session.add(Area(code="ZZ", name="临时"))
        db.session.flush()
        db.session.rollback()
    assert writes.committed == []
    with CommittedWrites(db.engine) as writes:
        db.session.add(Area(code="ZZ", name="临时"))
        db.session.commit()
    assert any(s.lstrip().upper().startswith("INSERT") for s in writes.committed)
