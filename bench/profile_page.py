#!/usr/bin/env python
"""Profile one page as one user with pyinstrument, and list its SQL statements.

    /work/main/.venv/bin/python bench/profile_page.py --database-url sqlite:///bench/results/data/scale-m-1.db \
        --user manager1 /targets/ [--repeat 5] [--sql]

Signs in through the test client (no gunicorn), warms the page once, then profiles `--repeat`
requests and prints pyinstrument's text report (and with --sql each statement and its time).
"""
import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path")
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--user", default="manager1")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--sql", action="store_true", help="list the statements of one request")
    args = parser.parse_args()
    os.environ["DATABASE_URL"] = args.database_url
    os.environ["PORTAL_INSTANCE_PATH"] = tempfile.mkdtemp(prefix="profile-")
    from pyinstrument import Profiler
    from sqlalchemy import event

    from portal import create_app
    from portal.extensions import db

    app = create_app({"SECRET_KEY": "profile", "WTF_CSRF_ENABLED": False,
                      "SESSION_COOKIE_SECURE": False})
    import gc
    gc.collect()
    gc.freeze()  # as wsgi.py does: a full collection would land on whichever line allocates
    client = app.test_client()
    response = client.post("/login", data={"username": args.user, "password": "portal-demo"})
    assert response.status_code == 302, f"cannot sign in as {args.user}"
    assert client.get(args.path).status_code == 200
    statements = []
    if args.sql:
        with app.app_context():
            @event.listens_for(db.engine, "before_cursor_execute")
            def _before(conn, cursor, statement, *rest):
                conn.info["t"] = time.perf_counter()

            @event.listens_for(db.engine, "after_cursor_execute")
            def _after(conn, cursor, statement, *rest):
                statements.append((time.perf_counter() - conn.info["t"], statement))
        client.get(args.path)
        for took, statement in statements:
            print(f"{took * 1000:8.1f} ms  {' '.join(statement.split())[:300]}")
    profiler = Profiler(interval=0.0005)
    profiler.start()
    for _ in range(args.repeat):
        client.get(args.path)
    profiler.stop()
    print(profiler.output_text(unicode=True, color=False, show_all=os.environ.get("PROFILE_ALL") == "1"))


if __name__ == "__main__":
    main()
