"""The portal under gunicorn with two workers: the login back-off holds across workers."""
import http.cookiejar
import re
import urllib.error
import urllib.parse
import urllib.request

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import User
from portal.models.auth import LoginThrottle
from tests.server_factories import NoRedirect, serving

pytestmark = pytest.mark.slow  # starts gunicorn


@pytest.fixture
def gunicorn(app, org, tmp_path):
    """The portal served by gunicorn: its base URL."""
    with serving(app, tmp_path) as (base, _process):
        yield base


def attempt(base: str, username: str, password: str) -> int:
    """One sign-in from a new browser (new cookies, new connection): the status it gets."""
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(
        http.cookiejar.CookieJar()), NoRedirect)
    page = opener.open(base + "/login").read().decode()
    token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
    data = urllib.parse.urlencode({"username": username, "password": password,
                                   "csrf_token": token}).encode()
    try:
        return opener.open(base + "/login", data=data).status
    except urllib.error.HTTPError as error:
        return error.code


def test_login_backoff_holds_across_two_workers(app, gunicorn):
    free = app.config["LOGIN_FREE_ATTEMPTS"]
    statuses = [attempt(gunicorn, "staff1", "wrong-password") for _ in range(free + 3)]
    assert statuses == [422] * (free + 3)
    # Whichever worker answers, the right password now waits.
    assert [attempt(gunicorn, "staff1", "portal-demo") for _ in range(4)] == [422] * 4
    db.session.rollback()
    row = db.session.scalar(select(LoginThrottle).where(
        LoginThrottle.key == "pair:staff1|127.0.0.1"))
    # Every failure before the wait was counted, whichever worker saw it; tries during the wait
    # are refused and not counted.
    assert row.failures == free
    assert row.locked_until is not None
    # Another account is not affected.
    assert attempt(gunicorn, "staff2", "portal-demo") == 302
