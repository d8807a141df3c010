"""Benchmark the big lists' first page against a page far into the list (issue 16, point 2).

    PYTHONPATH=. .venv/bin/python bench/keyset_bench.py --database-url sqlite:///path/scale-m.db

The database must hold a generated company (`flask --app wsgi seed-scale --size m`). In-process
(Flask's test client), as hr (visits, sales, complaints) and admin (audit log): p50 and p95 of the
first page, of page --page by OFFSET (`?page=N`, what the lists did before keyset pages), and of
the same page by keyset (`?after=<key>~<id>` of the row before it). Run from an older checkout
(PYTHONPATH=that checkout) and the keyset URLs are the first page again (unknown argument).
"""
import argparse
import statistics
import time

PASSWORD = "portal-demo"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--requests", type=int, default=10)
    parser.add_argument("--page", type=int, default=200)
    args = parser.parse_args()

    from sqlalchemy import func, select

    from portal import create_app
    from portal.extensions import db
    from portal.models import AuditLog
    from portal.models.customers import Visit
    from portal.models.feedback import Complaint
    from portal.models.sales import SalesRecord

    app = create_app({"SQLALCHEMY_DATABASE_URI": args.database_url, "WTF_CSRF_ENABLED": False})
    per_page = app.config["PER_PAGE"]
    lists = [("hr", "/customers/visits", func.coalesce(Visit.done_on, Visit.planned_on), Visit.id),
             ("hr", "/targets/sales", SalesRecord.sold_on, SalesRecord.id),
             ("hr", "/complaints/", Complaint.received_at, Complaint.id),
             ("admin", "/admin/audit", AuditLog.at, AuditLog.id)]
    clients = {}
    for who, url, key, tiebreak in lists:
        with app.app_context():
            total = db.session.scalar(select(func.count()).select_from(tiebreak.class_))
            page = min(args.page, max(1, total // per_page))
            row = db.session.execute(select(key, tiebreak).order_by(key.desc(), tiebreak.desc())
                                     .offset((page - 1) * per_page - 1).limit(1)).first()
        cursor = f"{row[0].isoformat()}~{row[1]}" if row else ""
        if who not in clients:
            client = app.test_client()
            assert client.post("/login", data={"username": who, "password": PASSWORD}
                               ).status_code == 302
            clients[who] = client
        client = clients[who]
        for label, target in (("page 1", url), (f"page {page} OFFSET", f"{url}?page={page}"),
                              (f"page {page} keyset", f"{url}?after={cursor}")):
            client.get(target)
            times = []
            for _ in range(args.requests):
                started = time.perf_counter()
                response = client.get(target)
                times.append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200, (target, response.status_code)
            times.sort()
            print(f"{who:6} {url:18} {label:18} rows {total:8,d}  p50 "
                  f"{statistics.median(times):7.1f} ms  p95 "
                  f"{times[max(0, int(len(times) * .95) - 1)]:7.1f} ms")


if __name__ == "__main__":
    main()
