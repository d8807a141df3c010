"""The tasks board in a real browser: four quadrants as a 2 × 2 grid (stacked on a phone); a task
moves to another quadrant by one button press or by dragging it, and up and down within one; the
buttons work without JavaScript too. Screenshots go to $PHONE_SHOTS when set (not committed)."""
import os

import pytest
from playwright.sync_api import expect

from portal.extensions import db

from tests.browser.test_login_language import sign_in
from tests.comm_factories import make_task

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}
SHOTS = os.environ.get("PHONE_SHOTS")


def _tasks(org):
    staff1 = org.users["staff1"]
    for i, (title, urgent, important) in enumerate([
            ("回复华润物业的报价咨询", True, True), ("准备月底业绩汇报", True, True),
            ("制定下季度大客户拜访计划", False, True), ("预订客户答谢会场地", True, False),
            ("清理邮箱", False, False)]):
        make_task(staff1, title=title, urgent=urgent, important=important, position=i)
    db.session.commit()


def _titles(page, quadrant):
    return page.locator(f'[data-quadrant="{quadrant}"] .board-task .item-title').all_inner_texts()


def _open(browser, live_server, viewport, lang="zh-CN", javascript=True):
    context = browser.new_context(viewport=viewport, locale=lang, java_script_enabled=javascript,
                                  extra_http_headers={"Accept-Language": lang})
    page = context.new_page()
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.console_errors = errors
    sign_in(page, live_server, "staff1")
    page.goto(f"{live_server}/tasks/")
    return context, page


def test_move_by_button_and_by_drag_on_a_desktop(browser, live_server, org):
    _tasks(org)
    context, page = _open(browser, live_server, DESKTOP)
    try:
        # 2 × 2: the first two quadrants side by side, the next two below them.
        boxes = [page.locator(f'[data-quadrant="{q}"]').bounding_box()
                 for q in ("do", "plan", "delegate", "drop")]
        assert boxes[0]["y"] == boxes[1]["y"] and boxes[0]["x"] < boxes[1]["x"]
        assert boxes[2]["y"] > boxes[0]["y"] and boxes[2]["x"] == boxes[0]["x"]
        assert boxes[3]["y"] == boxes[2]["y"]

        # One button press moves a task to another quadrant; focus stays on the moved task.
        task = page.locator(".board-task", has_text="准备月底业绩汇报")
        task.locator('button[name=quadrant][value="plan"]').click()
        expect(page.locator('[data-quadrant="plan"] .board-task', has_text="准备月底业绩汇报")).to_be_visible()
        assert _titles(page, "plan") == ["制定下季度大客户拜访计划", "准备月底业绩汇报"]
        focused = page.evaluate("document.activeElement.closest('.board-task') && "
                                "document.activeElement.closest('.board-task').id")
        assert focused == task.get_attribute("id")

        # Up within the quadrant.
        page.locator(".board-task", has_text="准备月底业绩汇报").locator('button[value="up"]').click()
        expect(page.locator('[data-quadrant="plan"] .board-task').first).to_contain_text("准备月底业绩汇报")

        # Drag a task onto another quadrant's heading: it goes to the top.
        page.locator(".board-task", has_text="清理邮箱").drag_to(page.locator('[data-quadrant="do"] h2'))
        expect(page.locator('[data-quadrant="do"] .board-task').first).to_contain_text("清理邮箱")
        assert _titles(page, "drop") == []

        # Drag onto the top half of a task: placed before it.
        page.locator(".board-task", has_text="预订客户答谢会场地").drag_to(
            page.locator(".board-task", has_text="回复华润物业的报价咨询"),
            target_position={"x": 20, "y": 4})
        expect(page.locator('[data-quadrant="do"] .board-task').nth(1)).to_contain_text("预订客户答谢会场地")
        assert _titles(page, "do") == ["清理邮箱", "预订客户答谢会场地", "回复华润物业的报价咨询"]

        # What was moved is kept.
        page.reload()
        assert _titles(page, "do") == ["清理邮箱", "预订客户答谢会场地", "回复华润物业的报价咨询"]
        assert _titles(page, "plan") == ["准备月底业绩汇报", "制定下季度大客户拜访计划"]
        assert page.console_errors == []
    finally:
        context.close()


def test_on_a_phone_the_quadrants_stack_and_the_buttons_move(browser, live_server, org):
    _tasks(org)
    context, page = _open(browser, live_server, PHONE)
    try:
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        do, plan = (page.locator(f'[data-quadrant="{q}"]').bounding_box() for q in ("do", "plan"))
        assert plan["y"] >= do["y"] + do["height"] and plan["width"] > 300
        button = page.locator(".board-task", has_text="清理邮箱").locator('button[value="do"]')
        assert button.bounding_box()["height"] >= 32  # a finger's target
        button.click()
        expect(page.locator('[data-quadrant="do"] .board-task', has_text="清理邮箱")).to_be_visible()
        assert page.console_errors == []
    finally:
        context.close()


def test_without_javascript_the_buttons_are_plain_forms(browser, live_server, org):
    _tasks(org)
    context, page = _open(browser, live_server, DESKTOP, javascript=False)
    try:
        page.locator(".board-task", has_text="清理邮箱").locator('button[value="plan"]').click()
        page.wait_for_url(f"{live_server}/tasks/")
        assert _titles(page, "plan") == ["制定下季度大客户拜访计划", "清理邮箱"]
        page.locator(".board-task", has_text="清理邮箱").locator('button[value="up"]').click()
        page.wait_for_url(f"{live_server}/tasks/")
        assert _titles(page, "plan") == ["清理邮箱", "制定下季度大客户拜访计划"]
    finally:
        context.close()


def test_board_screenshots(browser, live_server, org):
    """Only when $PHONE_SHOTS is set: the board in both languages at both widths."""
    if not SHOTS:
        pytest.skip("set PHONE_SHOTS=DIR to take screenshots")
    _tasks(org)
    os.makedirs(SHOTS, exist_ok=True)
    for viewport in (PHONE, DESKTOP):
        for lang in ("zh-CN", "en"):
            context, page = _open(browser, live_server, viewport, lang)
            page.screenshot(path=os.path.join(SHOTS, f"tasks-{viewport['width']}-{lang}.png"),
                            full_page=True)
            context.close()
