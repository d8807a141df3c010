"""The portal served by gunicorn for tests, and an opener that does not follow redirects."""
import os
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest

from portal.extensions import db

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


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None
