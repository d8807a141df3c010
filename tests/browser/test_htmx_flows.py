"""The htmx flows in a real browser, as a person sees them, with an axe-core scan of every page
visited (and of what a swap brought in): active search and the Back button, the target grid's
cell saves, a one-on-one's sections, allocation, print-job polling, the notification bell."""
import re
from datetime import datetime
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from portal.extensions import db
from portal.models.customers import Customer
from portal.models.appraisals import PrintJob, PrintJobState
from portal.models.notifications import Notification
from tests.browser.a11y import assert_accessible
from tests.browser.test_login_language import sign_in
from tests.comm_factories import make_one_on_one, make_series
from tests.customer_factories import make_customer

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}


@pytest.fixture(params=["desktop", "phone"])
def width_page(request, page):
    """The test's page at a desktop's width, then at a phone's."""
    page.set_viewport_size(DESKTOP if request.param == "desktop" else PHONE)
    return page


def query_is(q):
    """A URL predicate: the address's search query is q (absent for None)."""
    return lambda url: parse_qs(urlsplit(url).query).get("q") == ([q] if q else None)


def visit(page, url):
    """Go to a page, let its htmx requests settle, and scan it."""
    page.goto(url)
    page.wait_for_load_state("networkidle")
    assert_accessible(page)


def test_active_search_then_back_shows_the_query_the_results_are_filtered_by(
        width_page, live_server, org):
    page = width_page
    staff1 = org.users["staff1"]
    for name in ("长江精密机械", "长城电子科技", "黄河物流"):
        make_customer(staff1, name=name)
    db.session.commit()
    sign_in(page, live_server, "staff1")
    visit(page, f"{live_server}/customers/")
    results = page.locator("#results")
    box = page.locator("#q")

    box.fill("长")  # active search: results follow the typing, the address too
    page.wait_for_url(query_is("长"))
    expect(results).not_to_contain_text("黄河物流")
    expect(results).to_contain_text("长江精密机械")
    box.fill("长江")
    page.wait_for_url(query_is("长江"))
    expect(results).not_to_contain_text("长城电子科技")
    assert_accessible(page)

    page.go_back()  # htmx restores the page of "长"
    page.wait_for_url(query_is("长"))
    expect(results).to_contain_text("长城电子科技")
    expect(page.locator("#q")).to_have_value("长")  # the box says what the list is filtered by

    page.go_back()  # the list before any search
    page.wait_for_url(query_is(None))
    expect(page.locator("#results")).to_contain_text("黄河物流")
    expect(page.locator("#q")).to_have_value("")

    page.go_forward()
    page.wait_for_url(query_is("长"))
    expect(page.locator("#q")).to_have_value("长")
    assert_accessible(page)
    assert page.console_errors == []


def test_a_target_grid_cell_saves_itself_when_left(width_page, live_server, org):
    page = width_page
    sign_in(page, live_server, "manager1")
    visit(page, f"{live_server}/targets/grid")
    cell = page.locator("td.cell input").first
    name = cell.get_attribute("name")
    cell.fill("123456")
    page.locator("h1").click()  # focus leaves the cell: htmx posts it and swaps the cell back
    saved = page.locator(f"input[name='{name}'][aria-invalid='false']")
    expect(saved).to_have_value(re.compile(r"^123,?456(\.00)?$"))
    assert page.url == f"{live_server}/targets/grid"  # no navigation
    assert_accessible(page)
    visit(page, f"{live_server}/targets/grid")  # kept: a fresh page shows it
    expect(page.locator(f"input[name='{name}']")).to_have_value(re.compile(r"^123,?456(\.00)?$"))
    assert page.console_errors == []


def test_one_on_one_sections_change_in_place(width_page, live_server, org):
    page = width_page
    one = make_one_on_one(make_series(org.users["manager1"], org.users["staff1"]),
                          shared_notes="上次：讨论了续约")
    db.session.commit()
    sign_in(page, live_server, "staff1")
    url = f"{live_server}/one-on-ones/{one.id}"
    visit(page, url)

    agenda = page.locator("#agenda")
    agenda.get_by_label("议题").fill("下季度的培训计划")
    agenda.get_by_role("button", name="添加", exact=True).click()
    expect(page.locator("#agenda")).to_contain_text("下季度的培训计划")
    page.locator("#agenda").get_by_role("button", name="标记为已讨论").first.click()
    expect(page.locator("#agenda .item-done")).to_contain_text("下季度的培训计划")

    notes = page.get_by_label("共享笔记")  # the textarea, by its label
    notes.fill("上次：讨论了续约。本次：培训计划")
    page.get_by_role("button", name="保存共享笔记").click()
    expect(page.locator("#shared_notes textarea")).to_have_value("上次：讨论了续约。本次：培训计划")

    page.locator("#mood").get_by_label("4").check()
    page.locator("#mood").get_by_role("button").click()
    expect(page.locator("#mood .mood-4")).to_be_visible()
    assert page.url == url  # every change came back as its section
    assert_accessible(page)
    visit(page, url)
    expect(page.locator("#shared_notes textarea")).to_have_value("上次：讨论了续约。本次：培训计划")
    assert page.console_errors == []


def test_allocation_moves_the_ticked_customers(page, live_server, org):
    staff1, staff2 = org.users["staff1"], org.users["staff2"]
    moving = make_customer(staff1, name="待转交客户甲")
    make_customer(staff1, name="留下的客户乙")
    db.session.commit()
    sign_in(page, live_server, "manager1")
    visit(page, f"{live_server}/customers/allocation?owner={staff1.id}")
    page.locator(f"#pick-{moving.id}").check()
    # the new owner is a people picker: type, then choose from what the search offers
    page.get_by_role("combobox", name="新客户经理").fill(staff2.username)
    page.locator(f"#account_manager_id-option-{staff2.id}").click()
    page.get_by_role("button", name="重新分配").click()
    page.wait_for_load_state("networkidle")
    assert_accessible(page)
    expect(page.locator(".flashes .flash-success")).to_be_visible()
    db.session.rollback()
    owner = db.session.scalar(select(Customer.account_manager_id).where(Customer.id == moving.id))
    assert owner == staff2.id
    visit(page, f"{live_server}/customers/allocation?owner={staff2.id}")
    expect(page.locator("main")).to_contain_text("待转交客户甲")
    assert page.console_errors == []


def test_a_print_job_page_polls_until_the_pdf_is_ready(page, live_server, org):
    job = PrintJob(requested_by_id=org.users["hr"].id, appraisal_ids=[], locale="zh_Hans_CN",
                   total=3, done=0, state=PrintJobState.QUEUED)
    db.session.add(job)
    db.session.commit()
    sign_in(page, live_server, "hr")
    visit(page, f"{live_server}/appraisals/print-jobs/{job.id}")
    block = page.locator("#print-job")
    expect(block.locator("progress")).to_have_attribute("value", "0")
    assert block.get_by_role("link", name="下载 PDF").count() == 0

    job = db.session.get(PrintJob, job.id)
    job.state, job.done = PrintJobState.RUNNING, 2  # a worker's progress, seen by the next poll
    db.session.commit()
    expect(block.locator("progress")).to_have_attribute("value", "2")

    job.state, job.done, job.pdf, job.size = PrintJobState.DONE, 3, b"%PDF-1.4 test", 13
    job.finished_at = datetime.utcnow()
    db.session.commit()
    expect(page.locator("#print-job a[href$='/download']")).to_be_visible()
    assert page.locator("#print-job").get_attribute("hx-trigger") is None  # polling stopped
    assert_accessible(page)
    assert page.console_errors == []


def test_the_bell_counts_unread_and_marking_read_updates_it(width_page, live_server, org):
    page = width_page
    staff1 = org.users["staff1"]
    for title in ("季度客户满意度调查", "培训反馈问卷"):
        db.session.add(Notification(user_id=staff1.id, kind="survey_waiting",
                                    params={"title": title}, link="/surveys/"))
    db.session.commit()
    sign_in(page, live_server, "staff1")
    bell = page.locator("#bell")
    expect(bell.locator(".badge")).to_have_text("2")  # fetched after the page
    if page.viewport_size["width"] < 640:
        expect(bell).to_be_visible()  # the bell stays in the compact header
    bell.click()
    page.wait_for_url(f"{live_server}/notifications/")
    page.wait_for_load_state("networkidle")
    assert_accessible(page)
    page.locator("li.unread").first.get_by_role("button", name="标为已读").click()
    expect(page.locator("li.unread")).to_have_count(1)
    expect(page.locator("#bell .badge")).to_have_text("1")  # the bell heard of it
    assert_accessible(page)
    assert page.console_errors == []


def test_the_skip_link_is_the_first_stop_and_moves_the_focus_to_the_content(page, live_server, org):
    sign_in(page, live_server, "staff1")
    visit(page, f"{live_server}/customers/")
    page.keyboard.press("Tab")
    skip = page.locator(".skip-link")
    expect(skip).to_be_focused()
    box = skip.bounding_box()
    assert box["x"] >= 0 and box["y"] >= 0  # on screen once focused
    page.keyboard.press("Enter")
    expect(page.locator("main#main")).to_be_focused()
    page.keyboard.press("Tab")  # the next stop is inside the content, past the menu
    assert page.evaluate("document.activeElement.closest('main') !== null")
    assert page.console_errors == []
