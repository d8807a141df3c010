"""In a real browser: sign in, switch language, see Chinese, inline-edit with htmx, sign out."""
import pytest

from portal.extensions import db
from portal.models import Area

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def sign_in(page, base, username):
    page.goto(f"{base}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "portal-demo")
    page.click("form[action^='/login'] button[type=submit]")
    page.wait_for_url(f"{base}/")


def test_login_language_switch_and_logout(page, live_server, org):
    page.goto(f"{live_server}/login")
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    assert page.locator("h1").inner_text() == "登录"
    sign_in(page, live_server, "staff1")
    assert "您好，李娜" in page.locator("h1").inner_text()

    page.click("button[value=en]")
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert "Hello, 李娜" in page.locator("h1").inner_text()

    page.click("button[value=zh_Hans_CN]")
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    assert page.get_by_role("link", name="首页").count() == 1

    page.click("text=退出登录")
    page.wait_for_url(f"{live_server}/login")
    assert "您已退出登录" in page.content()
    page.goto(f"{live_server}/")
    assert page.url.startswith(f"{live_server}/login")
    assert page.console_errors == []  # no CSP violation, no script error


def test_inline_edit_of_an_area_with_htmx(page, live_server, org):
    sign_in(page, live_server, "admin")
    page.goto(f"{live_server}/admin/areas")
    row = page.locator(f"#areas-{org.areas[0].id}")
    row.get_by_role("link", name="编辑").click()
    name = row.locator("input[name=name]")
    name.wait_for()
    name.fill("")
    row.get_by_role("button", name="保存").click()
    row.locator(".error").wait_for()  # 422 swapped in beside the field
    assert "必填" in row.locator(".error").inner_text()
    row.locator("input[name=name]").fill("城东新区")
    row.get_by_role("button", name="保存").click()
    row.get_by_role("link", name="编辑").wait_for()
    assert "城东新区" in row.inner_text()
    assert page.url == f"{live_server}/admin/areas"  # no navigation: htmx swapped the row
    db.session.rollback()  # end the test's read transaction to see what the server wrote
    assert db.session.get(Area, org.areas[0].id).name == "城东新区"
    assert page.console_errors == []
