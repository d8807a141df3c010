"""In a real browser: the home page's module panels arrive after the page, through htmx."""
import pytest

from portal.extensions import db

from tests.browser.test_login_language import sign_in
from tests.comm_factories import make_task

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_the_managers_panels_load_after_the_page_and_empty_ones_leave_no_slot(
        page, live_server, org):
    make_task(org.users["manager1"], title="准备季度复盘材料")
    db.session.commit()  # the server's requests run on their own connections
    sign_in(page, live_server, "manager1")
    page.locator(".panel-slot").first.wait_for(state="detached")  # every slot replaced
    assert page.locator(".panel-slot").count() == 0
    assert page.locator("#dash-team").inner_text().startswith("今日团队概览")  # inline
    tasks = page.locator("main .card", has_text="我的待办")  # fetched after the page
    assert "准备季度复盘材料" in tasks.inner_text()
    assert page.locator("main .card").count() >= 4
    assert page.console_errors == []
