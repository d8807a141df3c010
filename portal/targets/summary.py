"""The monthly sales summary (models.sales.SalesSummary): credited sales per person × month ×
product line × customer type, so attainment and the roll-ups read a few hundred rows instead of
scanning millions of sales.

How it is kept (in the same transaction as the write, whatever module makes it):

- Session events on every flush collect what changed: a sale added, deleted or changed (its
  customer and month, before and after); an assignment added, deleted or changed (its customer,
  every month, and the people before and after); a customer's type changed (every month).
- After the flush the affected **cells** (person, month) are recomputed from the sales: every
  person who ever owned an affected customer (plus the people an assignment had before the
  change), for each affected month. A cell holds all of a person's customers, so a cell is
  deleted and summed again whole; recomputing one that did not change gives the same rows.
- A reassignment therefore rebuilds the cells of the customer's old and new owners over the
  months the customer has sales: crediting follows the assignment dates, as credit_join does.
- Writes that bypass the ORM (the scale generator's bulk inserts, SQL by hand) are not seen:
  they call rebuild() (`flask --app wsgi rebuild-sales-summary`), which recomputes everything.

The same flush keeps the pairs of customer and product line bought (CustomerProductLine): the
customers whose sales changed have theirs read again from their sales.

The customer type is the customer's current type, as the figures by customer type read it.
"""
from collections import defaultdict
from datetime import date, timedelta

from sqlalchemy import Date, cast, delete, event, func, insert, literal, select
from sqlalchemy.orm import Session, attributes

from portal.extensions import db
from portal.kernel.periods import add_months, month_start
from portal.models.customers import Customer, CustomerAssignment
from portal.models.sales import CustomerProductLine, SalesRecord, SalesSummary
from portal.targets.sales import credit_join

_KEY = "sales_summary_dirty"
_CHUNK = 500
_COLUMNS = ("user_id", "month", "product_line_id", "customer_type_id", "amount", "sales_count")


def _credited(month_column):
    """Credited sales grouped into summary rows, the month given by month_column."""
    return (select(CustomerAssignment.account_manager_id, month_column,
                   SalesRecord.product_line_id, Customer.type_id,
                   func.sum(SalesRecord.amount), func.count())
            .select_from(SalesRecord)
            .join(CustomerAssignment, credit_join())
            .join(Customer, Customer.id == SalesRecord.customer_id))


def _month_expression(dialect: str):
    if dialect == "postgresql":
        return cast(func.date_trunc("month", SalesRecord.sold_on), Date)
    return func.date(SalesRecord.sold_on, "start of month")


def rebuild(session=None) -> int:
    """Recompute the whole summary from the sales; returns the rows written."""
    session = session or db.session
    connection = session.connection()
    month = _month_expression(connection.dialect.name)
    connection.execute(delete(SalesSummary.__table__))
    query = _credited(month).group_by(CustomerAssignment.account_manager_id, month,
                                      SalesRecord.product_line_id, Customer.type_id)
    connection.execute(insert(SalesSummary.__table__).from_select(_COLUMNS, query))
    recompute_pairs(connection, None)
    return connection.execute(select(func.count()).select_from(SalesSummary.__table__)).scalar()


def _pairs(where=None):
    query = select(SalesRecord.customer_id, SalesRecord.product_line_id).distinct()
    return query if where is None else query.where(where)


def recompute_pairs(connection, customers: set[int] | None) -> None:
    """Read again the product lines these customers bought (None: every customer's)."""
    table = CustomerProductLine.__table__
    columns = ("customer_id", "product_line_id")
    if customers is None:
        connection.execute(delete(table))
        connection.execute(insert(table).from_select(columns, _pairs()))
        return
    ids = sorted(customers)
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start:start + _CHUNK]
        connection.execute(delete(table).where(table.c.customer_id.in_(chunk)))
        connection.execute(insert(table).from_select(
            columns, _pairs(SalesRecord.customer_id.in_(chunk))))


def _month_end(month: date) -> date:
    return add_months(month, 1) - timedelta(days=1)


def recompute_cells(connection, cells: dict[date, set[int]]) -> None:
    """Delete and sum again the (person, month) cells given as month → people."""
    table = SalesSummary.__table__
    for month, people in sorted(cells.items()):
        people = sorted(people)
        for start in range(0, len(people), _CHUNK):
            chunk = people[start:start + _CHUNK]
            connection.execute(delete(table).where(table.c.user_id.in_(chunk),
                                                   table.c.month == month))
            query = (_credited(literal(month, Date))
                     .where(CustomerAssignment.account_manager_id.in_(chunk),
                            SalesRecord.sold_on >= month, SalesRecord.sold_on <= _month_end(month))
                     .group_by(CustomerAssignment.account_manager_id,
                               SalesRecord.product_line_id, Customer.type_id))
            connection.execute(insert(table).from_select(_COLUMNS, query))


# --- keeping it: session events ----------------------------------------------------------------

def _dirty(session) -> dict:
    return session.info.setdefault(_KEY, {"cells": set(), "customers": set(), "people":
                                          defaultdict(set), "new": []})


def _changed(obj, *names: str) -> bool:
    return any(attributes.get_history(obj, n).has_changes() for n in names)


@event.listens_for(Session, "before_flush")
def _before_flush(session, _context, _instances) -> None:
    """Note what the flush changes while the old values can still be read."""
    dirty = None
    for obj in session.new:
        if isinstance(obj, (SalesRecord, CustomerAssignment)):
            dirty = dirty or _dirty(session)
            dirty["new"].append(obj)  # its ids are known only after the flush
    # Changed rows are noted in "new" too: their values after the flush are read then.
    for obj in session.deleted:
        if isinstance(obj, SalesRecord):
            dirty = dirty or _dirty(session)
            dirty["cells"].add((obj.customer_id, month_start(obj.sold_on)))
        elif isinstance(obj, CustomerAssignment):
            dirty = dirty or _dirty(session)
            dirty["customers"].add(obj.customer_id)
            dirty["people"][obj.customer_id].add(obj.account_manager_id)
    changed_sales, changed_assignments = [], []
    for obj in session.dirty:
        if isinstance(obj, SalesRecord) and _changed(obj, "customer_id", "sold_on",
                                                     "product_line_id", "amount"):
            changed_sales.append(obj)
        elif isinstance(obj, CustomerAssignment) and _changed(
                obj, "customer_id", "account_manager_id", "starts_on", "ends_on"):
            changed_assignments.append(obj)
        elif isinstance(obj, Customer) and _changed(obj, "type_id"):
            dirty = dirty or _dirty(session)
            dirty["customers"].add(obj.id)
    if changed_sales or changed_assignments:
        # The values before the change, from the database: an attribute set on an expired object
        # has no old value in its history.
        dirty = dirty or _dirty(session)
        connection = session.connection()
        for obj in changed_sales:
            dirty["new"].append(obj)
            stored = connection.execute(select(SalesRecord.customer_id, SalesRecord.sold_on)
                                        .where(SalesRecord.id == obj.id)).first()
            if stored is not None:
                dirty["cells"].add((stored.customer_id, month_start(stored.sold_on)))
        for obj in changed_assignments:
            dirty["new"].append(obj)
            stored = connection.execute(
                select(CustomerAssignment.customer_id, CustomerAssignment.account_manager_id)
                .where(CustomerAssignment.id == obj.id)).first()
            if stored is not None:
                dirty["customers"].add(stored.customer_id)
                dirty["people"][stored.customer_id].add(stored.account_manager_id)


@event.listens_for(Session, "after_flush")
def _after_flush(session, _context) -> None:
    """Recompute the cells the flush touched, on the flush's own connection."""
    dirty = session.info.pop(_KEY, None)
    if not dirty:
        return
    cells, customers, people = dirty["cells"], dirty["customers"], dirty["people"]
    for obj in dirty["new"]:
        if isinstance(obj, SalesRecord):
            cells.add((obj.customer_id, month_start(obj.sold_on)))
        else:
            customers.add(obj.customer_id)
            people[obj.customer_id].add(obj.account_manager_id)
    connection = session.connection()
    sold_to = {c for c, _m in cells}
    if sold_to:
        recompute_pairs(connection, sold_to)
    all_customers = sold_to | customers
    owners: dict[int, set[int]] = defaultdict(set)
    months_of: dict[int, set[date]] = defaultdict(set)
    ids = sorted(all_customers)
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start:start + _CHUNK]
        for customer_id, user_id in connection.execute(
                select(CustomerAssignment.customer_id, CustomerAssignment.account_manager_id)
                .where(CustomerAssignment.customer_id.in_(chunk))):
            owners[customer_id].add(user_id)
        whole = [c for c in chunk if c in customers]
        if whole:
            for customer_id, day in connection.execute(
                    select(SalesRecord.customer_id, SalesRecord.sold_on).distinct()
                    .where(SalesRecord.customer_id.in_(whole))):
                months_of[customer_id].add(month_start(day))
    for customer_id in customers:
        for month in months_of[customer_id]:
            cells.add((customer_id, month))
    by_month: dict[date, set[int]] = defaultdict(set)
    for customer_id, month in cells:
        by_month[month] |= owners[customer_id] | people.get(customer_id, set())
    by_month = {m: {p for p in persons if p is not None} for m, persons in by_month.items()}
    recompute_cells(connection, {m: p for m, p in by_month.items() if p})


@event.listens_for(Session, "after_rollback")
def _after_rollback(session) -> None:
    session.info.pop(_KEY, None)


def summed_sales(user_ids, first_month: date, last_month: date):
    """(person, month, product line, customer type, amount, count) rows of the summary for these
    people over whole months [first_month, last_month]."""
    return select(SalesSummary.user_id, SalesSummary.month, SalesSummary.product_line_id,
                  SalesSummary.customer_type_id, SalesSummary.amount,
                  SalesSummary.sales_count).where(
        SalesSummary.user_id.in_(user_ids), SalesSummary.month >= first_month,
        SalesSummary.month <= last_month)


Span = tuple[date, date]


def whole_months(start: date, end: date) -> tuple[Span | None, list[Span]]:
    """[start, end] split into its whole months (first and last month's first day, or None) and
    the partial edges, which are summed from the sales."""
    first = start if start.day == 1 else add_months(month_start(start), 1)
    last = month_start(end)
    if end != _month_end(last):
        last = add_months(last, -1)
    if first > last:
        return None, [(start, end)] if start <= end else []
    edges = []
    if start < first:
        edges.append((start, first - timedelta(days=1)))
    if _month_end(last) < end:
        edges.append((add_months(last, 1), end))
    return (first, last), edges
