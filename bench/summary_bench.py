"""Benchmark the monthly sales summary against scanning the sales (issue 16, point 1).

    PYTHONPATH=. .venv/bin/python bench/summary_bench.py --database-url sqlite:///path/s.db

The database must hold a generated company (`flask --app wsgi seed-scale --size s --today
2026-11-26`) at the current schema. Times, for every account manager of the company at once
(what the company-wide /targets/ sums): the year's credited sales per person and the quarter's
breakdown by product line, from the summary and from the sales (the old queries), checks that
both give the same figures, and times a full rebuild of the summary. Best of --repeat runs.

Measured 1 December 2026 on a shared, loaded 2-core machine (ratios count), SQLite:

| size | sales | people | year per person: sales → summary | quarter breakdown | rebuild |
|---|---|---|---|---|---|
| S | 23,487 | 23 | 13.3 → 3.6 ms | 13.5 → 2.8 ms (285 → 10 rows) | 5,614 rows, 0.08 s |
| M | 200,487 | 200 | 259.5 → 12.0 ms | 243.1 → 9.5 ms (285 → 10 rows) | 48,575 rows, 1.09 s |
"""
import argparse
import json
import time
from datetime import date
from decimal import Decimal


def best(fn, repeat: int):
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - started)
    return min(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--today", default="2026-11-26")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    from sqlalchemy import func, select

    from portal import create_app
    from portal.extensions import db
    from portal.kernel.periods import Period
    from portal.models.customers import CustomerAssignment
    from portal.models.sales import SalesRecord
    from portal.targets import services, summary
    from portal.targets.sales import credit_join

    app = create_app({"SQLALCHEMY_DATABASE_URI": args.database_url})
    today = date.fromisoformat(args.today)
    year, quarter = Period.year_of(today), Period.quarter_of(today)
    with app.app_context():
        people = list(db.session.scalars(select(CustomerAssignment.account_manager_id).distinct()))

        def raw_by_person():
            return {uid: Decimal(str(t)).quantize(Decimal("0.01")) for uid, t in db.session.execute(
                select(CustomerAssignment.account_manager_id, func.sum(SalesRecord.amount))
                .select_from(SalesRecord).join(CustomerAssignment, credit_join())
                .where(CustomerAssignment.account_manager_id.in_(people),
                       SalesRecord.sold_on >= year.start, SalesRecord.sold_on <= year.end)
                .group_by(CustomerAssignment.account_manager_id))}

        def raw_breakdown():
            return list(db.session.execute(
                select(SalesRecord.sold_on, SalesRecord.product_line_id,
                       func.sum(SalesRecord.amount))
                .join(CustomerAssignment, credit_join())
                .where(CustomerAssignment.account_manager_id.in_(people),
                       SalesRecord.sold_on >= quarter.start, SalesRecord.sold_on <= quarter.end)
                .group_by(SalesRecord.sold_on, SalesRecord.product_line_id)))

        figures = {}
        figures["people"] = len(people)
        figures["sales"] = db.session.scalar(select(func.count(SalesRecord.id)))
        t_raw, raw = best(raw_by_person, args.repeat)
        t_sum, summed = best(lambda: services.sales_by_person(people, year.start, year.end),
                             args.repeat)
        assert raw == summed, "the summary and the sales disagree"
        figures["year_by_person_ms"] = {"sales": round(t_raw * 1000, 1),
                                        "summary": round(t_sum * 1000, 1)}
        t_raw, raw_rows = best(raw_breakdown, args.repeat)
        t_sum, rows = best(lambda: services.sales_breakdown(people, quarter.start, quarter.end),
                           args.repeat)
        assert sum(r[2] for r in rows) == sum(Decimal(str(r[2])) for r in raw_rows)
        figures["quarter_breakdown_ms"] = {"sales": round(t_raw * 1000, 1),
                                           "summary": round(t_sum * 1000, 1),
                                           "rows": {"sales": len(raw_rows), "summary": len(rows)}}
        started = time.perf_counter()
        figures["rebuild_rows"] = summary.rebuild()
        figures["rebuild_s"] = round(time.perf_counter() - started, 2)
        db.session.rollback()
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
