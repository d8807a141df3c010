"""Words and numbers: the Chinese catalogue keeps the glossary's words and Chinese typography, and
percentages, hours and a label's colon have one format per locale (issue 23, point 4)."""
import re
from contextlib import contextmanager
from datetime import timedelta
from decimal import Decimal

import pytest
from babel.messages.catalog import Catalog
from flask_babel import force_locale

from portal import ROOT
from portal.catalogues import AVOIDED_WORDS, load, wording_problems
from portal.kernel.formats import colon, comma, hours, join_list, percent
from tests.feedback_factories import make_complaint, make_customer

ZH = {"Accept-Language": "zh-CN,zh;q=0.9"}
EN = {"Accept-Language": "en"}


@contextmanager
def reading(app, locale: str):
    """A request whose reader reads this locale (Flask-Babel caches the locale per app
    context, so it is forced rather than negotiated from a header)."""
    with app.test_request_context(), force_locale(locale):
        yield


def test_the_chinese_catalogue_keeps_the_glossary_and_chinese_typography():
    assert wording_problems(load("zh_Hans_CN")) == []


def test_the_wording_check_fails_on_each_kind_of_problem():
    """wording_problems must be able to fail: one bad entry of each kind, and good ones beside."""
    catalog = Catalog(locale="zh_Hans_CN")
    bad = {
        "Complaint #%(id)d: %(subject)s": "投诉 #%(id)d: %(subject)s",      # half-width colon
        "Sort by:": "排序方式:",                                             # half-width colon
        "%(manager)s and %(report)s": "%(manager)s 与 %(report)s",          # spaces by names
        "%(name)s has not checked in yet.": "%(name)s 还没有填写心情。",       # space by a name
        "%(n)d customers": "%(n)d 个客户",                                    # space by a number
        "Payout statement": "工资单",                                         # a payslip
        "Reviews": "持续优化",                                                # the old menu word
        "One-on-ones": "一对一沟通",                                          # the other variant
        "Customer name": "姓名",                                              # a person's name
        "Why?": "为什么?",                                                    # half-width ?
        "Print (PDF)": "打印(PDF)",                                           # half-width brackets
    }
    good = {
        "Complaint #%(id)d: %(subject)s ": "投诉 #%(id)d：%(subject)s",
        "%(manager)s and %(report)s ": "%(manager)s与%(report)s",
        "E-mail is sent through %(server)s:%(port)s.": "邮件通过%(server)s:%(port)s发送。",
        "Name": "姓名",                                                       # a person's: right
        "Opens at 10:00 (PDF)": "10:00 开放（PDF）",
        "Sign in": "Sign in",                                                 # no Chinese: skipped
    }
    for english, chinese in {**bad, **good}.items():
        catalog.add(english, chinese)
    catalog.add("Name", "姓名", context="thing")                              # a thing's: wrong
    found = wording_problems(catalog)
    flagged = {re.match(r"(?:thing\|)?'(.*?)': ", line).group(1) for line in found}
    assert flagged == set(bad) | {"Name"}, found
    assert any(line.startswith("thing|'Name'") for line in found)
    assert any("says 工资单, the glossary says 激励结算单" in line for line in found)


def test_the_glossary_lists_every_avoided_word_with_its_replacement():
    glossary = (ROOT / "docs" / "glossary.md").read_text()
    for old, new in AVOIDED_WORDS.items():
        assert old in glossary and new in glossary, old


@pytest.mark.parametrize("value, en, zh", [
    (Decimal("80"), "80%", "80%"),
    (Decimal("80.0"), "80%", "80%"),
    (Decimal("82.45"), "82.5%", "82.5%"),
    (Decimal("575"), "575%", "575%"),
    (Decimal("1234.5"), "1,234.5%", "1,234.5%"),
    (0, "0%", "0%"),
    (None, "—", "—"),
])
def test_percent_has_one_format_per_locale(app, value, en, zh):
    with reading(app, "en"):
        assert percent(value) == en
    with reading(app, "zh_Hans_CN"):
        assert percent(value) == zh


@pytest.mark.parametrize("value, en, zh", [
    (8, "8 hours", "8小时"),
    (1, "1 hour", "1小时"),
    (Decimal("1.5"), "1.5 hours", "1.5小时"),
    (240, "240 hours", "240小时"),
    (None, "—", "—"),
])
def test_hours_have_one_format_per_locale(app, value, en, zh):
    with reading(app, "en"):
        assert hours(value) == en
    with reading(app, "zh_Hans_CN"):
        assert hours(value) == zh


def test_a_label_colon_and_a_run_on_list_per_locale(app):
    with reading(app, "en"):
        assert colon("Sort by") == "Sort by: " and colon("<b>") == "&lt;b&gt;: "
        assert join_list(["a", "b"]) == "a, b" and comma() == ", "
    with reading(app, "zh_Hans_CN"):
        assert colon("排序方式") == "排序方式：" and join_list(["甲", "乙"]) == "甲；乙"
        assert comma() == "、"


def _outside_tags(template: str) -> str:
    """A template's text with its {% … %} tags and {# … #} comments taken out."""
    return re.sub(r"\{#.*?#\}|\{%.*?%\}", "", template, flags=re.S)


def test_no_template_writes_its_own_percent_sign_hours_or_colon_after_a_label():
    """Every % and duration goes through the filters, every label's colon through |colon: a
    number followed by " %", "%" or " h", or a translated label followed by ":", is a bug."""
    offenders = []
    for path in sorted((ROOT / "templates").glob("**/*.html")):
        text = _outside_tags(path.read_text())
        # a length in per cent of a chart's width (x="{{ x }}%") is geometry, not a figure
        text = re.sub(r'\b(?:x|x1|x2|y|y1|y2|width|height)="[^"]*"', "", text)
        for pattern in (r"\}\}(\s|&nbsp;)*%", r"\}\}\s*h\b", r"_\([^{}]*\)\s*\}\}\s*:",
                        r"\|(number|round|int)\s*\}\}\s*%"):
            for match in re.finditer(pattern, text):
                offenders.append(f"{path.relative_to(ROOT)}: {match.group(0)!r}")
    assert offenders == []


def test_the_complaint_form_gives_deadlines_in_hours_of_each_language(org, client_as):
    client = client_as("staff1")
    zh = client.get("/complaints/new", headers=ZH).text
    assert re.search(r"：24小时；[^<]*：72小时", zh), zh
    assert " h," not in zh and "24 h" not in zh
    en = client.get("/complaints/new", headers=EN).text
    assert re.search(r": 24 hours, [^<]*: 72 hours", en)


def test_a_complaint_title_has_a_full_width_colon_in_chinese(org, client_as):
    complaint = make_complaint(make_customer(org.users["staff1"]), subject="宽带经常掉线")
    from portal.extensions import db

    db.session.commit()
    client = client_as("staff1")
    zh = client.get(f"/complaints/{complaint.id}", headers=ZH).text
    assert f"投诉 #{complaint.id}：宽带经常掉线" in zh
    en = client.get(f"/complaints/{complaint.id}", headers=EN).text
    assert f"#{complaint.id}: 宽带经常掉线" in en


def test_a_meetings_departments_are_listed_with_the_enumeration_comma_in_chinese(org, client_as):
    from tests.test_meetings import valid_form

    client = client_as("manager1")
    created = client.post("/meetings/new",
                          data=valid_form(org, kind="cross", departments="市场部，网络运维部"))
    assert created.status_code == 303
    zh = client.get(created.location, headers=ZH).text
    assert "<dd>市场部、网络运维部</dd>" in zh
    en = client.get(created.location, headers=EN).text
    assert "<dd>市场部, 网络运维部</dd>" in en


def test_the_time_a_department_holds_complaints_is_written_in_hours_of_each_language(
        org, client_as):
    from portal.complaints import services
    from portal.extensions import db
    from portal.kernel.clock import utcnow
    from tests.dept_factories import department_person, make_department

    finance = make_department("FIN", head=department_person("fin-head"))
    complaint = make_complaint(make_customer(org.users["staff1"]), status="in_progress",
                               received_at=utcnow() - timedelta(hours=30))
    services.hand_off(complaint, finance, org.users["staff1"].id, "退费",
                      now=utcnow() - timedelta(hours=24))
    db.session.commit()
    client = client_as("manager1")
    zh = client.get("/complaints/figures", headers=ZH).text
    assert "在部门的平均处理时长" in zh and re.search(r"<td[^>]*>2[45](\.\d)?小时</td>", zh)
    en = client.get("/complaints/figures", headers=EN).text
    assert re.search(r"<td[^>]*>2[45](\.\d)? hours</td>", en)


def test_a_sales_import_error_names_its_column_with_the_readers_colon(org, client_as):
    from tests.test_sales_import import FILES, _post

    client = client_as("staff1")
    content = (FILES / "sales-semicolons-bom.csv").read_bytes()
    zh = _post(client, content, "s.csv", lang="zh").get_data(as_text=True)
    assert re.search(r"customer：您的客户中没有编号为\s*NOPE\s*的客户", zh), zh
    en = _post(client, content, "s.csv", lang="en").get_data(as_text=True)
    assert "customer: no customer of yours has the code NOPE" in en
