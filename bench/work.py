#!/usr/bin/env python
"""The work a page costs, counted rather than timed: Python function calls and SQL statements.

    /work/main/.venv/bin/python bench/work.py --database-url sqlite:////abs/path/scale-s-1.db \
        [--pages-from bench/results/sqlite-s-latest.json] [--role manager1 ...]

Timings on this shared two-core machine move by a fifth from one run to the next, which hides
the gain of any one change to the per-request Python. The number of function calls a request
makes (cProfile's count) and the statements it runs do not move: this script signs each role
in through the test client, opens each of its pages of a bench/run.py result twice (warm-up),
then once under cProfile, and prints per role the mean calls and statements per page, with the
CPU time for reference. Results go to bench/results/work-<commit>.json.
"""
import argparse
import cProfile
import json
import os
import pstats
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # the portal package


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--pages-from", default=str(HERE / "results" / "sqlite-s-latest.json"),
                        help="a bench/run.py result: its pages and roles")
    parser.add_argument("--role", action="append", help="only these roles (default: all)")
    args = parser.parse_args()
    os.environ["DATABASE_URL"] = args.database_url
    os.environ["PORTAL_INSTANCE_PATH"] = tempfile.mkdtemp(prefix="work-")
    from portal import create_app

    app = create_app({"SECRET_KEY": "work", "WTF_CSRF_ENABLED": False,
                      "SESSION_COOKIE_SECURE": False, "MEASURE_REQUESTS": True})
    import gc
    gc.collect()
    gc.freeze()  # as wsgi.py does
    pages = json.loads(Path(args.pages_from).read_text())["pages"]
    roles = args.role or list(dict.fromkeys(p["role"] for p in pages))
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=HERE.parent,
                            capture_output=True, text=True).stdout.strip()
    result = {"commit": commit, "database": args.database_url.split(":")[0],
              "pages_from": Path(args.pages_from).name, "roles": {}}
    print(f"{'role':10s} {'pages':>5s} {'calls/page':>11s} {'SQL/page':>9s} {'CPU ms/page':>12s}")
    for role in roles:
        paths = [p["path"] for p in pages if p["role"] == role]
        client = app.test_client()
        response = client.post("/login", data={"username": role, "password": "portal-demo"})
        assert response.status_code == 302, f"cannot sign in as {role}"
        statements = []
        for path in paths:
            client.get(path)
            response = client.get(path)
            assert response.status_code == 200, (role, path, response.status_code)
            statements.append(int(response.headers["X-SQL-Statements"]))
        started = time.process_time()
        profiler = cProfile.Profile()
        profiler.enable()
        for path in paths:
            client.get(path)
        profiler.disable()
        cpu = (time.process_time() - started) / len(paths) * 1000
        calls = pstats.Stats(profiler).total_calls / len(paths)
        result["roles"][role] = {"pages": len(paths), "calls_per_page": round(calls),
                                 "sql_per_page": round(statistics.mean(statements), 2),
                                 "cpu_ms_per_page_profiled": round(cpu, 2)}
        print(f"{role:10s} {len(paths):5d} {calls:11,.0f} {statistics.mean(statements):9.2f} "
              f"{cpu:12.1f}")
    out = HERE / "results" / f"work-{commit}.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(result, indent=1))
    print(f"written to {out.relative_to(HERE.parent)}")


if __name__ == "__main__":
    main()
