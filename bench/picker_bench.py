"""Benchmark the pages that choose a person, and the people search behind their pickers (issue
16, point 3).

    PYTHONPATH=. .venv/bin/python bench/picker_bench.py --database-url sqlite:///path/scale-s.db

The database must hold a generated company (`flask --app wsgi seed-scale --size s`). Runs the app
in-process (Flask's test client, no server: the figures are the app's own time), signs in as
manager1, hr and admin, and times each picker page and the search endpoint: p50 and p95 over
--requests, and the page's size. Run it from an older checkout (PYTHONPATH=that checkout) for the
"before" figures: there the pages list every person in a select and the search does not exist.

Measured 1 December 2026 on a shared, loaded 2-core machine (load 5; only ratios count), SQLite,
p50 ms (page kB), before (77e21c4, every person in a select) → after (the pickers), 15 requests:

| page | S (31 people) | M (211 people) |
|---|---|---|
| manager1 /meetings/new | 40.7 (8.9) → 22.8 (7.8) | 34.4 (13.4) → 24.1 (7.8) |
| manager1 /customers/1/reassign | 45.2 (5.8) → 29.7 (6.0) | 36.3 (7.1) → 28.2 (6.0) |
| hr /meetings/new | 35.6 (10.6) → 22.9 (7.8) | 52.6 (33.7) → 17.0 (7.8) |
| hr /training/sessions/31 | 53.7 (9.4) → 49.5 (8.6) | 76.3 (20.3) → 28.4 (11.4) |
| hr /incentives/awards/nominate | 26.3 (7.0) → 23.6 (6.5) | 43.0 (13.5) → 5.8 (6.6) |
| admin /admin/departments | 32.6 (10.7) → 26.4 (7.5) | 55.5 (39.1) → 22.5 (7.5) |
| search, manager1 customers.owner "a" | — → 14.4 | — → 14.0 |
| search, hr meetings.attendee "a" | — → 15.6 | — → 12.2 |
| search, admin active people "staff" | — → 16.2 | — → 9.5 |

Before, the pages grew with the company (hr /meetings/new ×1.5, /admin/departments ×1.7 from S to
M, 211 options); after, they and the search stay flat (at most 20 matches are sent).
"""
import argparse
import json
import statistics
import time

PASSWORD = "portal-demo"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--json", help="write the figures to this file")
    args = parser.parse_args()

    from sqlalchemy import select

    from portal import create_app
    from portal.extensions import db
    from portal.models import User
    from portal.models.customers import Customer
    from portal.models.departments import Department
    from portal.models.training import TrainingSession

    app = create_app({"SQLALCHEMY_DATABASE_URI": args.database_url, "WTF_CSRF_ENABLED": False})
    with app.app_context():
        manager1 = db.session.scalar(select(User).where(User.username == "manager1"))
        customer = db.session.scalar(select(Customer.id).where(
            Customer.account_manager_id.in_(select(User.id).where(
                User.area_id == manager1.area_id))).limit(1))
        session = db.session.scalar(select(TrainingSession.id).limit(1))
        department = db.session.scalar(select(Department.id).limit(1))
        people = db.session.scalar(select(db.func.count(User.id)))
        try:
            from portal.models.incentives import PayRuleVersion
            version = db.session.scalar(select(PayRuleVersion.id).limit(1))
        except ImportError:
            version = None

    def search(scope, field, text):
        return f"/people/search?scope={scope}&field={field}&{field}={text}"

    cases = [
        ("manager1", "/meetings/new"),
        ("manager1", "/customers/allocation"),
        ("manager1", f"/customers/{customer}/reassign" if customer else None),
        ("manager1", "/incentives/awards/nominate"),
        ("hr", "/meetings/new"),
        ("hr", f"/training/sessions/{session}" if session else None),
        ("hr", "/incentives/awards/nominate"),
        ("hr", f"/incentives/rules/{version}" if version else None),
        ("admin", "/admin/departments"),
        ("admin", f"/admin/departments/{department}" if department else None),
        ("manager1", search("customers.owner", "account_manager_id", "a")),
        ("hr", search("meetings.attendee", "attendee_ids", "a")),
        ("hr", search("meetings.attendee", "attendee_ids", "")),
        ("hr", search("training.assignee", "user_id", "manager1")),
        ("admin", search("admin.active_people", "member_ids", "staff")),
    ]
    clients = {}
    results = []
    for who, url in cases:
        if url is None:
            continue
        if who not in clients:
            client = app.test_client()
            response = client.post("/login", data={"username": who, "password": PASSWORD})
            assert response.status_code == 302, f"sign-in as {who}: {response.status_code}"
            clients[who] = client
        client = clients[who]
        headers = {"HX-Request": "true"} if url.startswith("/people/") else {}
        first = client.get(url, headers=headers)
        if first.status_code != 200:
            results.append({"who": who, "url": url, "status": first.status_code})
            print(f"{who:9} {url:70} {first.status_code}")
            continue
        times = []
        for _ in range(args.requests):
            started = time.perf_counter()
            response = client.get(url, headers=headers)
            times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200
        times.sort()
        row = {"who": who, "url": url, "status": 200,
               "p50_ms": round(statistics.median(times), 1),
               "p95_ms": round(times[max(0, int(len(times) * 0.95) - 1)], 1),
               "kb": round(len(first.data) / 1024, 1),
               "options": first.get_data(as_text=True).count("<option")}
        results.append(row)
        print(f"{who:9} {url:70} p50 {row['p50_ms']:7.1f} ms  p95 {row['p95_ms']:7.1f} ms  "
              f"{row['kb']:7.1f} kB  {row['options']:5d} <option>")
    print(f"people in the company: {people}")
    if args.json:
        with open(args.json, "w") as out:
            json.dump({"people": people, "database": args.database_url.split("/")[-1],
                       "pages": results}, out, indent=1)


if __name__ == "__main__":
    main()
