"""The sign-in page says why signing in would do nothing: a plain-HTTP request while the session
cookie is Secure (the browser drops it). It names the setting that changes it."""
import pytest

from portal import create_app
from tests.conftest import TEST_CONFIG

SETTING = "PORTAL_SESSION_COOKIE_SECURE=false"


@pytest.fixture
def make_client(app):
    def make(**config):
        other = create_app({**TEST_CONFIG, **config,
                            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"]})
        other.test_client_class = app.test_client_class
        return other.test_client()
    return make


def test_plain_http_with_a_secure_cookie_gets_a_notice_naming_the_setting(make_client, org):
    client = make_client(TESTING=False)  # outside development and tests the cookie is Secure
    page = client.get("/login", headers={"Accept-Language": "en"})
    assert page.status_code == 200
    assert 'id="cookie-notice"' in page.text and SETTING in page.text
    assert "plain HTTP" in page.text
    # What it warns of: the cookie a successful sign-in sets would only travel over HTTPS.
    signed = client.post("/login", data={"username": "staff1", "password": "portal-demo"})
    assert signed.status_code == 302 and "Secure" in signed.headers["Set-Cookie"]
    zh = make_client(TESTING=False).get("/login", headers={"Accept-Language": "zh-CN,zh;q=0.9"}).text
    assert SETTING in zh and "HTTP" in zh and "plain HTTP" not in zh  # in Chinese


def test_a_failed_sign_in_over_plain_http_keeps_the_notice(make_client, org):
    client = make_client(TESTING=False)
    r = client.post("/login", data={"username": "staff1", "password": "wrong-wrong"},
                    headers={"Accept-Language": "en"})
    assert r.status_code == 422 and SETTING in r.text


@pytest.mark.parametrize("how", ["https", "proxy", "setting off", "tests"])
def test_no_notice_when_the_browser_keeps_the_cookie(make_client, org, how, monkeypatch):
    if how == "https":
        r = make_client(TESTING=False).get("/login", base_url="https://portal.example.com")
    elif how == "proxy":  # a proxy in front ended TLS
        r = make_client(TESTING=False).get("/login", headers={"X-Forwarded-Proto": "https"})
    elif how == "setting off":  # the setting the notice names, from the environment
        monkeypatch.setenv("PORTAL_SESSION_COOKIE_SECURE", "false")
        r = make_client(TESTING=False).get("/login")
    else:
        r = make_client().get("/login")
    assert r.status_code == 200 and 'name="password"' in r.text
    assert 'id="cookie-notice"' not in r.text and SETTING not in r.text
