"""A crawl of the demo company as every demo account, in English and in Chinese.

It follows every link (and every hx-get) on the site and checks each page: no server error,
`<html lang>` present, a CSRF token in every POST form, Chinese text for a Chinese browser.
"""
from datetime import date
from html.parser import HTMLParser
from urllib.parse import urldefrag, urlsplit

import pytest
from sqlalchemy import select

from portal import create_app
from portal.demo import seed_demo_company
from portal.extensions import db
from portal.models import User
from tests.conftest import TEST_CONFIG
from tests.factories import csrf_login

pytestmark = pytest.mark.slow  # every page as every account

ACCOUNTS = ["admin", "hr", "manager1", "manager2", "staff1", "staff2", "staff3"]
LANGUAGES = {"en": "en", "zh": "zh-CN,zh;q=0.9,en;q=0.8"}
MAX_PAGES = 200


class PageParser(HTMLParser):
    """Links, htmx GET targets, and POST forms with whether they carry a CSRF token."""

    def __init__(self):
        super().__init__()
        self.links, self.hx_gets, self.post_forms = [], [], []
        self.html_lang = None
        self._form = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "html":
            self.html_lang = a.get("lang")
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        if a.get("hx-get"):
            self.hx_gets.append(a["hx-get"])
        if tag == "form" and (a.get("method") or "get").lower() == "post":
            self._form = {"action": a.get("action"), "csrf": False}
            self.post_forms.append(self._form)
        if tag == "input" and self._form is not None and a.get("name") == "csrf_token" \
                and a.get("value"):
            self._form["csrf"] = True

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None


def local(url: str) -> str | None:
    """The path and query of a link on this site, or None for other sites and files."""
    url = urldefrag(url)[0]
    parts = urlsplit(url)
    if parts.scheme or parts.netloc or not url.startswith("/") or url.startswith("/static/"):
        return None
    return url


@pytest.fixture
def demo_app(app):
    """The full demo company (every module's demo data) behind an app with CSRF on."""
    seed_demo_company(date.today())
    db.session.commit()
    crawl_app = create_app({**TEST_CONFIG, "WTF_CSRF_ENABLED": True,
                            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"]})
    crawl_app.test_client_class = app.test_client_class
    return crawl_app


@pytest.mark.parametrize("language", sorted(LANGUAGES))
def test_crawl_every_page_as_every_account(demo_app, language):
    header = {"Accept-Language": LANGUAGES[language]}
    visited_total = 0
    for username in ACCOUNTS:
        client = demo_app.test_client()
        csrf_login(client, username)
        # The account's stored choice wins over the browser's (staff2 chose English).
        stored = db.session.scalar(select(User.locale).where(User.username == username))
        expect_zh = stored == "zh_Hans_CN" or (stored is None and language == "zh")
        queue, seen = ["/"], {"/"}
        while queue and len(seen) <= MAX_PAGES:
            url = queue.pop(0)
            is_partial = url.startswith("hx:")
            path = url[3:] if is_partial else url
            headers = {**header, **({"HX-Request": "true"} if is_partial else {})}
            response = client.get(path, headers=headers)
            where = f"{username} {language} {url}"
            assert response.status_code < 500, where
            assert response.status_code in (200, 302, 303, 403, 404), where
            if response.status_code != 200 or "text/html" not in response.content_type:
                continue
            page = PageParser()
            page.feed(response.text)
            if not is_partial:
                assert page.html_lang in ("en", "zh-CN"), where
                assert page.html_lang == ("zh-CN" if expect_zh else "en"), where
                if expect_zh:
                    assert "首页" in response.text, where
            for form in page.post_forms:
                assert form["csrf"], f"{where}: POST form to {form['action']} without CSRF token"
            for link in page.links:
                target = local(link)
                if target and target not in seen:
                    seen.add(target)
                    queue.append(target)
            for link in page.hx_gets:
                target = local(link)
                if target and "hx:" + target not in seen:
                    seen.add("hx:" + target)
                    queue.append("hx:" + target)
        visited_total += len(seen)
        assert len(seen) >= 2, f"{username} reached almost nothing"
    assert visited_total >= len(ACCOUNTS) * 2
