"""Both languages: complete catalogues, the browser's language, the remembered choice."""
from decimal import Decimal

import pytest

from portal.catalogues import problems
from portal.extensions import db
from portal.i18n import locale_from_accept_language
from portal.models import User
from tests.conftest import login


def test_every_string_is_translated():
    """Fails when a string in the code is missing from the zh_Hans_CN catalogue, or is empty or
    fuzzy there."""
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


def test_the_check_fails_on_a_missing_an_untranslated_and_a_fuzzy_string():
    """problems() is what `i18n check` and the test above rely on: it must be able to fail."""
    from portal.catalogues import load

    catalog = load("zh_Hans_CN")
    catalog.delete("Sign in")
    catalog["Sign out"].string = ""
    catalog["Customers"].flags.add("fuzzy")
    catalog.get("Name", "thing").flags.add("fuzzy")
    found = problems({"zh_Hans_CN": catalog})
    assert "zh_Hans_CN missing: 'Sign in' (templates/auth/login.html)" in found
    assert any(line.startswith("zh_Hans_CN untranslated: 'Sign out'") for line in found)
    assert any(line.startswith("zh_Hans_CN fuzzy: 'Customers'") for line in found)
    assert any(line.startswith("zh_Hans_CN fuzzy: thing|'Name'") for line in found)
    assert len(found) == 4


def test_one_catalogue_whose_contexts_keep_readings_apart():
    """One catalogue, no per-module ones; the same English in two contexts reads differently."""
    from portal import ROOT
    from portal.catalogues import load

    assert list((ROOT / "portal").glob("**/*.po")) == []
    assert [p.relative_to(ROOT).as_posix() for p in (ROOT / "translations").glob("**/*.po")] == [
        "translations/zh_Hans_CN/LC_MESSAGES/messages.po"]
    catalog = load("zh_Hans_CN")
    assert catalog.get("Name").string == "姓名" and catalog.get("Name", "thing").string == "名称"


def test_the_customer_form_says_name_of_a_thing_and_the_contact_form_of_a_person(client_as, org):
    from tests.customer_factories import make_customer

    customer = make_customer(org.users["staff1"])
    client = client_as("staff1")
    assert ">名称<" in client.get(f"/customers/{customer.id}/edit").text.replace("\n", "")
    page = client.get(f"/customers/{customer.id}/contacts/new").text
    assert ">姓名<" in page and ">职务<" in page


def test_a_missing_or_stale_compiled_catalogue_is_compiled_at_start(tmp_path):
    """A checkout started any way (gunicorn wsgi:app after pip install .) compiles the .po."""
    import os
    import shutil

    from babel.messages.mofile import read_mo

    from portal import ROOT
    from portal.i18n import translation_directory

    po = tmp_path / "translations" / "zh_Hans_CN" / "LC_MESSAGES" / "messages.po"
    po.parent.mkdir(parents=True)
    shutil.copy(ROOT / "translations" / "zh_Hans_CN" / "LC_MESSAGES" / "messages.po", po)
    mo = po.with_suffix(".mo")

    assert translation_directory(tmp_path, str(tmp_path / "instance")) == str(po.parents[2])
    with mo.open("rb") as f:
        assert read_mo(f).get("Sign in").string == "登录"

    po.write_text(po.read_text().replace('msgstr "登录"', 'msgstr "登入"', 1))
    os.utime(mo, (0, 0))  # older than the .po: stale
    translation_directory(tmp_path, str(tmp_path / "instance"))
    with mo.open("rb") as f:
        assert read_mo(f).get("Sign in").string == "登入"

    # Where the checkout's .mo cannot be written (a read-only checkout; here a folder stands in
    # its way, since root may write anywhere), the catalogue is compiled into the instance folder.
    mo.unlink()
    mo.mkdir()
    where = translation_directory(tmp_path, str(tmp_path / "instance"))
    assert where == str(tmp_path / "instance" / "translations")
    with (tmp_path / "instance" / "translations" / "zh_Hans_CN" / "LC_MESSAGES"
          / "messages.mo").open("rb") as f:
        assert read_mo(f).get("Sign in").string == "登入"
    assert list(po.parent.glob("messages.mo.*")) == []


def test_templates_look_translations_up_once_yet_follow_a_forced_language(app):
    """Jinja's `_` keeps the request's translations (bench/hot_pages.py: looked up on every call
    before), and a block in another language (an e-mail, a printed form) still gets its own,
    then the request's again."""
    from flask import render_template_string
    from flask_babel import force_locale

    from portal import templating

    page = "{{ _('Customer') }}|{{ pgettext('thing', 'Name') }}|{{ ngettext('%(num)d day', '%(num)d days', 2) }}"
    # Each request in an app context of its own, as on a server (the test holds one open).
    with app.app_context(), app.test_request_context("/", headers={"Accept-Language": "zh-CN,zh;q=0.9"}):
        chinese = render_template_string(page)
        assert templating.translations() is templating.translations()  # once per request
        with force_locale("en"):
            english = render_template_string(page)
        again = render_template_string(page)
    assert english == "Customer|Name|2 days"
    assert chinese == again and "Customer" not in chinese and "客户" in chinese
    with app.app_context(), app.test_request_context("/", headers={"Accept-Language": "en"}):
        assert render_template_string(page) == english  # a new request, its own language


def test_money_and_days_write_what_babel_writes_in_both_languages(app):
    """The `money` and `date` filters remember the locale's shape and the days they wrote; what
    they write is Babel's (format_currency, Flask-Babel's format_date), in both languages, for
    signs, zero, half-cents and long amounts, and a datetime still moves to the reader's zone."""
    import random
    from datetime import date, datetime, timedelta

    from babel.numbers import format_currency
    from flask_babel import force_locale, format_date

    from portal.templating import date_filter, money

    rng = random.Random(16)
    amounts = [Decimal(v) for v in ("0", "-0", "-0.004", "0.005", "0.015", "0.125", "1",
                                    "-1", "999.995", "-999.995", "1234567.891", "1e12")]
    amounts += [Decimal(rng.randint(-10**12, 10**12)) / 1000 for _ in range(300)]
    days = [date(2026, 1, 1) + timedelta(days=rng.randint(0, 2000)) for _ in range(50)]
    with app.test_request_context("/"):
        for locale in ("zh_Hans_CN", "en"):
            with force_locale(locale):
                for amount in amounts:
                    assert money(amount) == format_currency(amount, "CNY", locale=locale), amount
                assert money(12.5) == format_currency(Decimal("12.5"), "CNY", locale=locale)
                for day in days:
                    for fmt in ("medium", "short", "long", "yyyy-MM"):
                        assert date_filter(day, fmt) == format_date(day, fmt)
                late = datetime(2026, 3, 31, 20, 0)  # UTC: already 1 April in Shanghai
                assert date_filter(late) == format_date(date(2026, 4, 1))
        assert money(None) == "" and date_filter(None) == ""
