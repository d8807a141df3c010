"""A generated company at three sizes, for benchmarks: `flask --app wsgi seed-scale --size s|m|l`.

The demo company (portal.demo, with every module's demo data and the demo accounts) comes first,
so the benchmark signs in as the same people. Then more areas, their managers and account
managers, and per account manager the same amount of data at every size (customers, sales,
visits, one-on-ones, meetings, enrolments, appraisals, survey answers, complaints, tasks): a
bigger size is a bigger province, not busier people. Rows are written in bulk on the raw
connection (executemany on SQLite, COPY on PostgreSQL) with ids chosen here, so the result is
the same for the same seed and day.
"""
from dataclasses import dataclass


@dataclass(frozen=True)
class Size:
    """How big a generated company is: areas and account managers; the rest is per person."""

    areas: int
    account_managers: int


SIZES = {"s": Size(2, 20), "m": Size(5, 200), "l": Size(50, 2000)}

#: Rows per account manager, the same at every size (L: 2,000 account managers).
PER_PERSON = {
    "customers": 100,  # 200,000 at L
    "sales": 1000,  # 2,000,000
    "visits": 500,  # 1,000,000
    "one_on_ones": 25,  # 50,000
    "meetings": 10,  # 20,000 (per area: 10 per member)
    "enrolments": 50,  # 100,000
    "survey_responses": 20,  # 5 answers each: 200,000
    "complaints": 3,
    "tasks": 10,
}
