"""Benchmark the portal as deployed: gunicorn with 2 workers on loopback, against a database.

    .venv/bin/python bench/run.py [--database-url URL] [--requests 30] [--writers 20 --write-seconds 30]

Signs in as admin, hr, manager1 and staff1, discovers every page each can reach (one URL per
route), and measures for each: p50 and p95 server time (from Server-Timing) and SQL statements per
request (X-SQL-Statements). Also: the floor (the sign-in page, a trivial template, no database),
`wrk` throughput of a mixed read load, and concurrent writers (errors and lost writes). Prints a
table and writes JSON to bench/results/.
"""
import argparse
import http.cookiejar
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from datetime import datetime, timezone
from html.parser import HTMLParser
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ROLES = ["admin", "hr", "manager1", "staff1"]
PASSWORD = "portal-demo"


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links = []

    def handle_starttag(self, tag, attrs):
        href = dict(attrs).get("href")
        if tag == "a" and href and href.startswith("/") and not href.startswith("/static/"):
            self.links.append(href.split("#")[0])


class Session:
    """One signed-in browser: cookies, CSRF token, measured GETs."""

    def __init__(self, base: str, username: str | None):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), NoRedirect)
        self.opener.addheaders = [("Accept-Language", "en")]
        self.token = None
        if username:
            self.token = self._token(self.get("/login")[2])
            status = self.post("/login", {"username": username, "password": PASSWORD})
            if status != 302:
                raise SystemExit(f"cannot sign in as {username}: {status}")
            self.token = self._token(self.get("/")[2])

    @staticmethod
    def _token(html: str) -> str | None:
        match = re.search(r'name="csrf-token" content="([^"]+)"', html)
        return match.group(1) if match else None

    def get(self, path: str):
        """(status, headers, body) of a GET."""
        try:
            with self.opener.open(self.base + path, timeout=60) as response:
                return response.status, response.headers, response.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as error:
            return error.code, error.headers, ""

    def post(self, path: str, data: dict) -> int:
        body = urllib.parse.urlencode({**data, "csrf_token": self.token or ""}).encode()
        try:
            with self.opener.open(self.base + path, data=body, timeout=60) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code

    def cookie_header(self) -> str:
        return "; ".join(f"{c.name}={c.value}" for c in self.jar)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_gunicorn(database_url: str | None, instance: str) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = {**os.environ, "PORTAL_MEASURE_REQUESTS": "true", "SECRET_KEY": "bench",
           "PORTAL_SESSION_COOKIE_SECURE": "false", "PORTAL_INSTANCE_PATH": instance}
    if database_url:
        env["DATABASE_URL"] = database_url
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-w", "2", "-b", f"127.0.0.1:{port}", "wsgi:app"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            urllib.request.urlopen(base + "/healthz", timeout=1)
            return process, base
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise SystemExit("gunicorn did not start")


def route_of(path: str) -> str:
    """The route a URL belongs to: numbers become <id>, the query is dropped."""
    return re.sub(r"/\d+", "/<id>", path.split("?")[0])


def discover(session: Session, limit: int = 200) -> list[str]:
    """One URL per route reachable from the home page, without pagination or sorting."""
    queue, seen, routes, pages = ["/"], {"/"}, set(), []
    while queue and len(seen) < limit:
        path = queue.pop(0)
        status, headers, body = session.get(path)
        if status != 200 or "text/html" not in headers.get("Content-Type", ""):
            continue
        if route_of(path) not in routes:
            routes.add(route_of(path))
            pages.append(path)
        parser = Links()
        parser.feed(body)
        for link in parser.links:
            if link not in seen and "page=" not in link and "sort=" not in link \
                    and route_of(link) not in routes:
                seen.add(link)
                queue.append(link)
    return pages


def measure(session: Session, path: str, n: int) -> dict:
    """n GETs of one page: server-time percentiles and SQL statements."""
    session.get(path)  # warm
    times, statements, statuses = [], [], set()
    for _ in range(n):
        status, headers, _body = session.get(path)
        statuses.add(status)
        timing = re.search(r"dur=([\d.]+)", headers.get("Server-Timing", ""))
        if timing:
            times.append(float(timing.group(1)))
        statements.append(int(headers.get("X-SQL-Statements", 0)))
    times.sort()
    return {"p50_ms": round(statistics.median(times), 2),
            "p95_ms": round(times[max(0, int(len(times) * 0.95) - 1)], 2),
            "sql": max(statements), "status": sorted(statuses)}


def run_wrk(base: str, session: Session, paths: list[str], seconds: int) -> float | None:
    """Requests per second of a mixed read load (the pages, round robin) with wrk."""
    if not shutil.which("wrk"):
        return None
    script = Path(tempfile.mkdtemp()) / "mixed.lua"
    urls = ", ".join(json.dumps(p) for p in paths)
    script.write_text(
        "local paths = {" + urls + "}\nlocal i = 0\n"
        "request = function()\n  i = i % #paths + 1\n"
        f"  return wrk.format('GET', paths[i], {{Cookie = {json.dumps(session.cookie_header())}}})\n"
        "end\n")
    out = subprocess.run(["wrk", "-t2", "-c8", f"-d{seconds}s", "-s", str(script), base],
                         capture_output=True, text=True).stdout
    match = re.search(r"Requests/sec:\s+([\d.]+)", out)
    return float(match.group(1)) if match else None


def run_writers(base: str, writers: int, seconds: int) -> dict:
    """Writers adding product lines at once for a while: errors, and writes the database lost."""
    sessions = [Session(base, "admin") for _ in range(writers)]
    ok, errors = [0] * writers, [0] * writers
    stamp = int(time.time()) % 100000
    deadline = time.time() + seconds

    def work(i):
        n = 0
        while time.time() < deadline:
            n += 1
            status = sessions[i].post("/admin/product-lines",
                                      {"code": f"W{stamp}-{i}-{n}", "name": "压测", "active": "y"})
            if status == 303:
                ok[i] += 1
            else:
                errors[i] += 1

    threads = [threading.Thread(target=work, args=(i,)) for i in range(writers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    body = sessions[0].get(f"/admin/product-lines?q=W{stamp}-")[2]
    found = re.search(r"(\d[\d,]*)\s*in all", body)
    stored = int(found.group(1).replace(",", "")) if found else None
    return {"writers": writers, "seconds": seconds, "writes": sum(ok), "errors": sum(errors),
            "lost": (sum(ok) - stored) if stored is not None else None}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"))
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--wrk-seconds", type=int, default=10)
    parser.add_argument("--writers", type=int, default=20)
    parser.add_argument("--write-seconds", type=int, default=30)
    parser.add_argument("--label", default="")
    args = parser.parse_args()

    instance = tempfile.mkdtemp()
    process, base = start_gunicorn(args.database_url, instance)
    try:
        anonymous = Session(base, None)
        floor = measure(anonymous, "/login", args.requests)
        pages = []
        for role in ROLES:
            session = Session(base, role)
            for path in discover(session):
                pages.append({"role": role, "path": path, **measure(session, path, args.requests)})
        manager = Session(base, "manager1")
        mixed = run_wrk(base, manager, [p["path"] for p in pages if p["role"] == "manager1"],
                        args.wrk_seconds)
        writers = run_writers(base, args.writers, args.write_seconds) if args.writers else None
    finally:
        process.terminate()
        process.wait(timeout=10)

    result = {"when": datetime.now(timezone.utc).isoformat(timespec="seconds"),
              "commit": subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT,
                                       capture_output=True, text=True).stdout.strip(),
              "database": "postgresql" if (args.database_url or "").startswith("postgres")
              else "sqlite", "label": args.label, "floor": floor, "pages": pages,
              "mixed_read_rps": mixed, "writers": writers}
    print(f"floor /login: p50 {floor['p50_ms']} ms, p95 {floor['p95_ms']} ms")
    print(f"{'role':9} {'page':48} {'p50 ms':>8} {'p95 ms':>8} {'SQL':>4} {'×floor':>7}")
    for p in pages:
        ratio = p["p50_ms"] / floor["p50_ms"] if floor["p50_ms"] else 0
        print(f"{p['role']:9} {p['path'][:48]:48} {p['p50_ms']:8.1f} {p['p95_ms']:8.1f} "
              f"{p['sql']:4d} {ratio:7.1f}")
    print(f"mixed read (wrk, 2 workers): {mixed} requests/s")
    print(f"writers: {writers}")
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"{result['database']}-{result['commit']}{('-' + args.label) if args.label else ''}.json"
    path.write_text(json.dumps(result, indent=1, ensure_ascii=False))
    print(f"written to {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
