"""Both languages: complete catalogues, the browser's language, the remembered choice."""
import pytest

from portal.catalogues import problems
from portal.extensions import db
from portal.i18n import locale_from_accept_language
from portal.models import User
from tests.conftest import login


def test_every_string_is_translated():
    """Fails when a string in the code is missing from its zh_Hans_CN catalogue or empty there."""
    assert problems() == []


@pytest.mark.parametrize("header, expected", [
    ("zh-CN,zh;q=0.9,en;q=0.8", "zh_Hans_CN"),
    ("zh-TW,zh;q=0.9", "zh_Hans_CN"),
    ("en-US,en;q=0.9,zh-CN;q=0.8", "en"),
    ("fr-FR,fr;q=0.9,en;q=0.5", "en"),
    ("de-DE", None),
])
def test_accept_language_mapping(header, expected):
    from werkzeug.datastructures import LanguageAccept
    from werkzeug.http import parse_accept_header

    assert locale_from_accept_language(parse_accept_header(header, LanguageAccept)) == expected


def test_chinese_browser_gets_chinese_and_english_browser_english(client):
    zh = client.get("/login", headers={"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.8"})
    assert "登录" in zh.text and '<html lang="zh-CN">' in zh.text
    en = client.get("/login", headers={"Accept-Language": "en-US,en;q=0.9"})
    assert "Sign in" in en.text and "登录" not in en.text and '<html lang="en">' in en.text


def test_choice_is_remembered_on_the_account(app, org):
    client = login(app.test_client(), "staff1")
    response = client.post("/language", data={"locale": "en", "next": "/account"})
    assert response.status_code == 303 and response.location == "/account"
    assert db.session.get(User, org.users["staff1"].id).locale == "en"
    # A new session on a Chinese browser still gets the account's choice.
    other = login(app.test_client(), "staff1")
    page = other.get("/", headers={"Accept-Language": "zh-CN,zh;q=0.9"})
    assert "Hello," in page.text


def test_choice_before_sign_in_lives_in_the_session(client):
    client.post("/language", data={"locale": "en", "next": "/login"})
    page = client.get("/login", headers={"Accept-Language": "zh-CN"})
    assert "Sign in" in page.text


def test_language_switch_refuses_unknown_locale_and_foreign_next(app, org):
    client = login(app.test_client(), "staff1")
    response = client.post("/language", data={"locale": "xx", "next": "https://evil.example/"})
    assert response.status_code == 303 and response.location == "/"
    assert db.session.get(User, org.users["staff1"].id).locale is None


def test_error_pages_in_both_languages(client):
    zh = client.get("/no-such-page", headers={"Accept-Language": "zh-CN"})
    assert zh.status_code == 404 and "未找到" in zh.text
    en = client.get("/no-such-page", headers={"Accept-Language": "en"})
    assert en.status_code == 404 and "Not found" in en.text


def test_no_string_reads_differently_in_two_catalogues():
    """Flask-Babel merges the catalogues into one table: a string translated two ways would show
    one of them everywhere. problems() reports such clashes; this shows the check can fail."""
    from portal import catalogues

    assert catalogues.clashes() == []
    core, customers = (next(d for d in catalogues.domains() if d.name == name)
                       for name in ("core", "customers"))
    real_load = catalogues.load

    def load_with_a_clash(path, locale):
        catalog = real_load(path, locale)
        for domain, text in ((customers, "邮件地址"), (core, "电子邮箱")):
            if path == catalogues.po_path(domain, locale):
                catalog.delete("Email")
                catalog.add("Email", text)
        return catalog

    catalogues.load = load_with_a_clash
    try:
        assert any("'Email'" in line for line in catalogues.clashes())
    finally:
        catalogues.load = real_load


def test_the_customer_form_says_name_of_a_thing_and_the_contact_form_of_a_person(client_as, org):
    from tests.customer_factories import make_customer

    customer = make_customer(org.users["staff1"])
    client = client_as("staff1")
    assert ">名称<" in client.get(f"/customers/{customer.id}/edit").text.replace("\n", "")
    page = client.get(f"/customers/{customer.id}/contacts/new").text
    assert ">姓名<" in page and ">职务<" in page
