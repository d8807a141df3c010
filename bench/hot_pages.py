#!/usr/bin/env python
"""cProfile the hot pages in-process, through the test client, and say where the time goes.

    /work/main/.venv/bin/python bench/hot_pages.py --database-url sqlite:///bench/results/data/scale-s-1.db \
        [--repeat 20] [--top 12] [--page manager1:/customers/visits ...]

For each (user, page): sign in, warm the page twice, then time `--repeat` requests (wall and CPU
milliseconds: CPU time is what counts on a loaded machine) and profile another `--repeat` with
cProfile. Prints the CPU split by layer (templates, ORM, SQLite/psycopg, Babel, Flask/Werkzeug,
the portal's own code) and the functions with most own time.
"""
import argparse
import cProfile
import os
import pstats
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # the portal package

PAGES = ["manager1:/", "manager1:/customers/visits", "manager1:/targets/", "manager1:/customers/",
         "hr:/targets/", "staff1:/"]

#: Layers by the file a function lives in (first match wins).
LAYERS = [("templates (Jinja)", ("jinja2", "/templates/", "<template>", "markupsafe")),
          ("ORM (SQLAlchemy)", ("sqlalchemy",)),
          ("database driver", ("sqlite3", "psycopg", "_sqlite")),
          ("Babel", ("babel", "flask_babel")),
          ("Flask/Werkzeug/login", ("flask", "werkzeug", "flask_login", "flask_wtf", "wtforms")),
          ("portal code", ("/portal/",))]


def layer_of(filename: str) -> str:
    for name, needles in LAYERS:
        if any(n in filename for n in needles):
            return name
    return "other (stdlib, builtins)"


def by_layer(stats: pstats.Stats) -> dict[str, float]:
    """Own time (tottime) summed by layer, in seconds."""
    totals: dict[str, float] = {}
    for (filename, _line, _name), (_cc, _nc, tottime, _ct, _callers) in stats.stats.items():
        totals[layer_of(filename)] = totals.get(layer_of(filename), 0.0) + tottime
    return totals


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--page", action="append", help="user:/path (default: the hot pages)")
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--top", type=int, default=12)
    args = parser.parse_args()
    os.environ["DATABASE_URL"] = args.database_url
    os.environ["PORTAL_INSTANCE_PATH"] = tempfile.mkdtemp(prefix="hot-pages-")
    from portal import create_app

    app = create_app({"SECRET_KEY": "profile", "WTF_CSRF_ENABLED": False,
                      "SESSION_COOKIE_SECURE": False})
    clients = {}
    for spec in args.page or PAGES:
        user, path = spec.split(":", 1)
        if user not in clients:
            clients[user] = app.test_client()
            response = clients[user].post("/login", data={"username": user,
                                                          "password": "portal-demo"})
            assert response.status_code == 302, f"cannot sign in as {user}"
        client = clients[user]
        for _ in range(2):
            assert client.get(path).status_code == 200, (user, path)
        wall, cpu = [], []
        for _ in range(args.repeat):
            w, c = time.perf_counter(), time.process_time()
            client.get(path)
            wall.append((time.perf_counter() - w) * 1000)
            cpu.append((time.process_time() - c) * 1000)
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(args.repeat):
            client.get(path)
        profiler.disable()
        stats = pstats.Stats(profiler)
        total = sum(by_layer(stats).values())
        print(f"\n=== {user} {path}: wall p50 {statistics.median(wall):.1f} ms, "
              f"CPU p50 {statistics.median(cpu):.1f} ms, {stats.total_calls // args.repeat:,} "
              "function calls a request")
        for name, seconds in sorted(by_layer(stats).items(), key=lambda kv: -kv[1]):
            print(f"  {name:28s} {seconds / total * 100:5.1f} %")
        stats.sort_stats("tottime").print_stats(args.top)


if __name__ == "__main__":
    main()
