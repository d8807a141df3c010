"""People's names lead to their person page, and the audit log reads as words, in a real
browser at desktop and phone width (no sideways scrolling, no console error). Screenshots of
both pages go to $PHONE_SHOTS when set (not committed)."""
import os
from datetime import date

import pytest
from playwright.sync_api import expect

from portal import audit
from portal.extensions import db

from tests.browser.test_login_language import sign_in
from tests.comm_factories import make_series
from tests.customer_factories import make_customer, make_target

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}
SHOTS = os.environ.get("PHONE_SHOTS")


def _records(org):
    staff1, manager1, manager2 = (org.users[u] for u in ("staff1", "manager1", "manager2"))
    make_customer(staff1, name="上海长江精密机械制造有限公司")
    make_series(manager1, staff1)
    target = make_target(staff1, date(2026, 12, 1), "50000")
    audit.record("target.approve", "sales_target", target.id, {"status": "draft"},
                 {"status": "approved"})
    audit.record("user.update", "user", staff1.id,
                 {"manager_id": manager1.id, "area_id": org.areas[0].id, "phone": "13800000000"},
                 {"manager_id": manager2.id, "area_id": org.areas[1].id, "phone": "13911112222"})
    audit.record("appraisal.review", "appraisal", 7, {"manager_comment": ""},
                 {"manager_comment": "草稿"})
    audit.record("customer.update", "customer", 3, {"name": "甲"}, {"name": "乙"})
    db.session.commit()


def _open(browser, live_server, username, viewport, lang="zh-CN"):
    context = browser.new_context(viewport=viewport, locale=lang,
                                  extra_http_headers={"Accept-Language": lang})
    page = context.new_page()
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.console_errors = errors
    sign_in(page, live_server, username)
    return context, page


def _shot(page, name):
    if SHOTS:
        os.makedirs(SHOTS, exist_ok=True)
        page.screenshot(path=os.path.join(SHOTS, name + ".png"), full_page=True)


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_from_the_team_table_to_a_person_and_on_to_their_records(browser, live_server, org,
                                                                  viewport):
    _records(org)
    context, page = _open(browser, live_server, "manager1", viewport)
    try:
        page.locator("a.person", has_text="李娜").first.click()
        expect(page.locator("h1")).to_have_text("李娜")
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
        _shot(page, f"person-{viewport['width']}-zh-CN")
        page.get_by_role("link", name="职业发展规划").click()
        expect(page.locator("h1")).to_contain_text("李娜")
        assert page.console_errors == []
    finally:
        context.close()


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_the_audit_log_reads_as_words(browser, live_server, org, viewport):
    _records(org)
    context, page = _open(browser, live_server, "admin", viewport)
    try:
        page.goto(f"{live_server}/admin/audit")
        rows = page.locator("table.audit-log tbody")
        expect(rows).to_contain_text("批准目标")
        expect(rows).to_contain_text("李娜的销售目标")
        expect(rows).to_contain_text("张伟")  # the manager before, by name
        assert "{" not in rows.inner_text() and "target.approve" not in rows.inner_text()
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
        _shot(page, f"audit-{viewport['width']}-zh-CN")
        assert page.console_errors == []
    finally:
        context.close()


def test_english_screenshots(browser, live_server, org):
    """Only when $PHONE_SHOTS is set: the person page and the audit log in English."""
    if not SHOTS:
        pytest.skip("set PHONE_SHOTS=DIR to take screenshots")
    _records(org)
    for viewport in (DESKTOP, PHONE):
        context, page = _open(browser, live_server, "manager1", viewport, "en")
        page.goto(f"{live_server}/people/{org.users['staff1'].id}")
        _shot(page, f"person-{viewport['width']}-en")
        context.close()
        context, page = _open(browser, live_server, "admin", viewport, "en")
        page.goto(f"{live_server}/admin/audit")
        _shot(page, f"audit-{viewport['width']}-en")
        context.close()
