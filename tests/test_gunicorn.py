"""The portal under gunicorn with two workers: the login back-off holds across workers."""
import http.cookiejar
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import User
from portal.models.auth import LoginThrottle

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def serving(app, tmp_path, *options: str, start_tries: int = 100, stop_timeout: int = 10):
    """gunicorn wsgi:app with 2 sync workers (and `options`) on the test database, CSRF and all,
    as deployed: (base URL, master process) once /healthz answers."""
    db.session.commit()
    port = free_port()
    env = {**os.environ, "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
           "SECRET_KEY": "gunicorn-test", "PORTAL_INSTANCE_PATH": str(tmp_path),
           "PORTAL_SESSION_COOKIE_SECURE": "false"}
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-w", "2", "-b", f"127.0.0.1:{port}", *options,
         "wsgi:app"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    for _ in range(start_tries):
        try:
            urllib.request.urlopen(base + "/healthz", timeout=1)
            break
        except OSError:
            time.sleep(0.1)
    else:
        process.kill()
        pytest.fail("gunicorn did not start: " + process.stderr.read().decode()[-2000:])
    yield base, process
    process.terminate()
    process.wait(timeout=stop_timeout)


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


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


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
