"""Sign-in rush: N browsers sign in at once against gunicorn (2 workers) on a fresh SQLite database.

    .venv/bin/python bench/signin_rush.py [--users 50] [--workers 2] [--argon2-time-cost 3]
    .venv/bin/python bench/signin_rush.py --directory [--rounds 2]
    .venv/bin/python bench/signin_rush.py --hashed-at 3,65536,4 --rounds 2

With --directory the people are in a company directory (slapd started by scripts/ldap-server,
as the tests do) and the password is checked by binding as their entry, as for the 2,000
account managers of a directory deployment; the first round creates their accounts, later rounds
sign in to existing ones. Without it, local accounts with an argon2 hash; with --hashed-at their
hashes were made at another cost (time, memory KiB, lanes: 3,65536,4 was production's until
1 December 2026), so the first round checks at that cost and remakes each hash at the configured
one, as on the first morning after a cost change, and later rounds sign in at the new cost.

Each browser fetches the sign-in page (CSRF token), then all post their username and password
at the same moment (a barrier). Reports errors (anything but the redirect home), p50/p95/max of
the POST, and wall time. Issue 16's goal: 0 errors, p95 ≤ 3 s. Production argon2 cost by default
(~130 ms a check on this machine), CSRF on, as deployed.
"""
import argparse
import http.cookiejar
import json
import os
import re
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
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PASSWORD = "signin-rush-password"


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


PEOPLE, GROUPS = "ou=people,dc=example,dc=com", "ou=groups,dc=example,dc=com"


def directory_ldif(users: int) -> str:
    """A directory of N account managers in the portal's staff group, and the service account."""
    people = "".join(
        f"dn: uid=rush{i},{PEOPLE}\nobjectClass: inetOrgPerson\nuid: rush{i}\ncn: 压测{i}\n"
        f"sn: 压\ndisplayName: 压测{i}\nmail: rush{i}@example.com\nuserPassword: {PASSWORD}\n\n"
        for i in range(users))
    members = "".join(f"member: uid=rush{i},{PEOPLE}\n" for i in range(users))
    return (f"dn: dc=example,dc=com\nobjectClass: dcObject\nobjectClass: organization\n"
            f"o: Example\ndc: example\n\ndn: {PEOPLE}\nobjectClass: organizationalUnit\n"
            f"ou: people\n\ndn: {GROUPS}\nobjectClass: organizationalUnit\nou: groups\n\n"
            f"dn: uid=svc-portal,{PEOPLE}\nobjectClass: inetOrgPerson\nuid: svc-portal\n"
            f"cn: service\nsn: service\nuserPassword: svc-secret\n\n{people}"
            f"dn: cn=portal-staff,{GROUPS}\nobjectClass: groupOfNames\ncn: portal-staff\n"
            f"{members}")


def start_directory(tmp: str, users: int) -> tuple[str, dict]:
    """slapd with the rush's people; (its folder, the PORTAL_LDAP_* environment)."""
    ldif = os.path.join(tmp, "rush.ldif")
    Path(ldif).write_text(directory_ldif(users), encoding="utf-8")
    done = subprocess.run([str(ROOT / "scripts" / "ldap-server")], capture_output=True, text=True,
                          env={**os.environ, "LDAP_LDIF": ldif, "LDAP_PORT": str(free_port())},
                          check=True)
    values = dict(line.split("=", 1) for line in done.stdout.split())
    return values["DIR"], {
        "PORTAL_LDAP_URL": values["URL"], "PORTAL_LDAP_BIND_DN": f"uid=svc-portal,{PEOPLE}",
        "PORTAL_LDAP_BIND_PASSWORD": "svc-secret", "PORTAL_LDAP_USER_BASE": PEOPLE,
        "PORTAL_LDAP_GROUP_ROLES": json.dumps({f"cn=portal-staff,{GROUPS}": "staff"})}


def prepare(url: str, users: int, hashed_at: tuple[int, int, int] | None = None) -> None:
    """The schema and N accounts with the production password hash cost, or the one given
    (users=0: none)."""
    from argon2 import PasswordHasher
    from flask_migrate import upgrade

    from portal import create_app
    from portal.extensions import db
    from portal.models import Role, User
    from portal.passwords import hash_password

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"})
    with app.app_context():
        upgrade()
        # One hash, shared: the check costs the same.
        digest = (PasswordHasher(*hashed_at).hash(PASSWORD) if hashed_at
                  else hash_password(PASSWORD))
        for i in range(users):
            user = User(username=f"rush{i}", display_name=f"Rush {i}", password_hash=digest)
            user.roles = [Role.STAFF]
            db.session.add(user)
        db.session.commit()


def sign_in(base: str, username: str, barrier: threading.Barrier, out: list) -> None:
    opener = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), NoRedirect)
    try:
        page = opener.open(base + "/login", timeout=60).read().decode()
        token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
        data = urllib.parse.urlencode({"username": username, "password": PASSWORD,
                                       "csrf_token": token}).encode()
    except Exception as error:  # noqa: BLE001 - a failed page is an error of the run
        barrier.wait()
        out.append((None, repr(error)))
        return
    barrier.wait()
    start = time.perf_counter()
    try:
        status = opener.open(base + "/login", data=data, timeout=180).status
    except urllib.error.HTTPError as error:
        status = error.code
    except Exception as error:  # noqa: BLE001
        status = repr(error)
    out.append((time.perf_counter() - start, status))


def rush(base: str, users: int) -> tuple[list, float]:
    """N sign-ins at the same moment: [(seconds or None, status)], and the wall time."""
    barrier = threading.Barrier(users + 1)
    out: list = []
    threads = [threading.Thread(target=sign_in, args=(base, f"rush{i}", barrier, out))
               for i in range(users)]
    for thread in threads:
        thread.start()
    barrier.wait()
    wall = time.perf_counter()
    for thread in threads:
        thread.join()
    return out, time.perf_counter() - wall


def report(out: list, wall: float, what: str) -> bool:
    """Print one round's figures; whether it met the goal."""
    times = sorted(t for t, status in out if t is not None)
    errors = [status for _t, status in out if status != 302]
    p95 = times[max(0, int(len(times) * 0.95 + 0.5) - 1)] if times else float("nan")
    print(what)
    print(f"  errors {len(errors)} {sorted(set(map(str, errors)))}")
    if times:
        print(f"  p50 {statistics.median(times):.2f} s  p95 {p95:.2f} s  max {times[-1]:.2f} s  "
              f"wall {wall:.2f} s")
    met = not errors and p95 <= 3
    print(f"  goal (issue 16): 0 errors, p95 <= 3 s: {'met' if met else 'MISSED'}")
    return not errors


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--directory", action="store_true",
                        help="the people sign in with the company directory (slapd)")
    parser.add_argument("--rounds", type=int, default=1, help="rushes one after the other")
    parser.add_argument("--argon2-time-cost", type=int, default=None,
                        help="lower the hash cost (default: production's)")
    parser.add_argument("--argon2-memory-cost", type=int, default=None)
    parser.add_argument("--hashed-at", default=None, metavar="T,M,P",
                        help="make the accounts' hashes at this argon2 cost (time,memory,lanes)")
    args = parser.parse_args()
    cost = {}
    if args.argon2_time_cost:
        cost["PORTAL_ARGON2_TIME_COST"] = str(args.argon2_time_cost)
    if args.argon2_memory_cost:
        cost["PORTAL_ARGON2_MEMORY_COST"] = str(args.argon2_memory_cost)
    os.environ.update(cost)
    ok = True
    with tempfile.TemporaryDirectory() as tmp:
        url = "sqlite:///" + os.path.join(tmp, "rush.db")
        hashed_at = tuple(int(n) for n in args.hashed_at.split(",")) if args.hashed_at else None
        prepare(url, 0 if args.directory else args.users, hashed_at)
        directory, ldap_env = start_directory(tmp, args.users) if args.directory else (None, {})
        port = free_port()
        env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "bench-rush",
               "PORTAL_INSTANCE_PATH": tmp, "PORTAL_SESSION_COOKIE_SECURE": "false", **ldap_env}
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-w", str(args.workers), "-b",
             f"127.0.0.1:{port}", "--timeout", "300", "wsgi:app"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        base = f"http://127.0.0.1:{port}"
        try:
            for _ in range(200):
                try:
                    urllib.request.urlopen(base + "/healthz", timeout=1)
                    break
                except OSError:
                    time.sleep(0.1)
            else:
                print(server.stderr.read().decode()[-2000:])
                return 2
            how = ("the company directory (slapd)" if args.directory
                   else f"local passwords, argon2 {cost or 'production cost'}"
                   + (f", hashed at {args.hashed_at}" if hashed_at else ""))
            for round_ in range(1, args.rounds + 1):
                out, wall = rush(base, args.users)
                first = " (accounts created)" if args.directory and round_ == 1 else ""
                ok &= report(out, wall, f"sign-in rush, round {round_}{first}: {args.users} "
                             f"simultaneous sign-ins, gunicorn {args.workers} workers, SQLite, "
                             f"{how}, load average {os.getloadavg()[0]:.1f}")
        finally:
            server.terminate()
            server.wait(timeout=30)
            if directory:
                subprocess.run([str(ROOT / "scripts" / "ldap-server"), "stop", directory])
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
