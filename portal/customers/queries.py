"""Scoped queries of the customers module: what a user may see is decided here only, and the
lists (filters, search, sort) are built here from a kernel Listing."""
from datetime import date, timedelta

from sqlalchemy import Select, func, or_, select, union
from sqlalchemy.orm import contains_eager, joinedload, selectinload

from portal import people_picker
from portal.access import (SMALL_SCOPE, among_visible_customers,  # noqa: F401
                           customer_scope, managed_user_ids, postgresql, reach, scope_sort_key,
                           visible_customer_ids, visible_customers)
from portal.extensions import db
from portal.kernel.lists import Listing
from portal.kernel.periods import add_months, month_start
from portal.models import Area, CustomerType, ProductLine, Role, User, UserRole
from portal.models.customers import (Customer, CustomerAssignment, CustomerContact,
                                     CustomerStatus, Tier, Visit, VisitMethod)
from portal.models.sales import SalesRecord


def get_customer_or_404(user: User, customer_id: int) -> Customer:
    """A customer the user may see, else 404."""
    # One row: the scope's rule as a condition, which both databases check for that row alone
    # (visible_customers on PostgreSQL reads the scope's ids first, for lists).
    return db.first_or_404(select(Customer).where(Customer.id == customer_id,
                                                  customer_scope(user)))


def visible_visits(user: User) -> Select:
    """Visits to customers the user may see, plus the user's own visits."""
    return visible_visits_where(user)


def visible_visits_where(user: User, *conditions) -> Select:
    """visible_visits(user) narrowed by the conditions on Visit, for big tables.

    The same rows, asked in the form each database plans well (docs/decisions.md, "The visit
    scope on each database"):
    - SQLite: a UNION of the visits to the user's customers and the user's own visits, each side
      filtered by the conditions, so each side uses an index (customer, done, planned, method;
      owner, planned). The single OR across the join made SQLite read every open (or every
      recent) visit of the company: 600 ms on the home page at size M.
    - PostgreSQL: the customers' ids are read first (at most an area's few thousand) and written
      into the statement, OR the user's own visits. With the ids in hand the planner knows the
      share and uses the customer or day index; given the UNION or a subquery it guessed half
      the company and read all 1 M visits, twice: 460 ms for a manager's list at size L.
    """
    own = Visit.account_manager_id == user.id
    if postgresql():
        to_my_customers = among_visible_customers(user, Visit.customer_id)
        return select(Visit).where(or_(to_my_customers, own), *conditions)
    to_my_customers = Visit.customer_id.in_(visible_customer_ids(user))
    ids = union(select(Visit.id).where(to_my_customers, *conditions),
                select(Visit.id).where(own, *conditions))
    return select(Visit).where(Visit.id.in_(ids))


def get_visit_or_404(user: User, visit_id: int) -> Visit:
    """A visit the user may see, else 404."""
    # One row: the rule as a condition on that row (see get_customer_or_404).
    return db.first_or_404(select(Visit).join(Visit.customer).where(
        Visit.id == visit_id, or_(Visit.account_manager_id == user.id, customer_scope(user))))


def area_staff(area_id: int) -> Select:
    """The active account managers of an area, by name."""
    return (select(User).join(UserRole)
            .where(User.area_id == area_id, User.active.is_(True), UserRole.role == Role.STAFF)
            .order_by(User.display_name))


@people_picker.scope("customers.owner")
def assignable_staff(manager: User) -> Select:
    """Account managers a manager may give customers to: the active staff of the areas they head
    (the people picker of a customer's owner offers them)."""
    headed = select(Area.id).where(Area.head_id == manager.id)
    return (select(User).join(UserRole)
            .where(User.area_id.in_(headed), User.active.is_(True), UserRole.role == Role.STAFF)
            .order_by(User.display_name))


# --- the customer list -------------------------------------------------------------------------

#: The customer list's own parameters and sort keys (see kernel.lists.Listing).
CUSTOMER_FILTERS = ("tier", "status", "type", "owner")
CUSTOMER_SORTS = {
    "name": Customer.name, "code": Customer.code, "tier": Customer.tier,
    "owner": User.display_name, "created": Customer.created_at,
}


def customer_list(viewer: User, listing: Listing) -> Select:
    """The visible customers with the list's search, filters and sort applied."""
    query = visible_customers(viewer).outerjoin(
        User, Customer.account_manager_id == User.id).options(
        contains_eager(Customer.account_manager), joinedload(Customer.type))
    query = listing.search(query, Customer.name, Customer.code, Customer.industry)
    tier = listing.get("tier")
    if tier in {t.value for t in Tier}:
        query = query.where(Customer.tier == Tier(tier))
    elif tier == "none":
        query = query.where(Customer.tier.is_(None))
    status = listing.get("status")
    if status in {s.value for s in CustomerStatus}:
        query = query.where(Customer.status == CustomerStatus(status))
    if listing.get("type", type=int):
        query = query.where(Customer.type_id == listing.get("type", type=int))
    if listing.get("owner", type=int):
        query = query.where(Customer.account_manager_id == listing.get("owner", type=int))
    return listing.order(query, Customer.id)


def owners_in_scope(viewer: User) -> list[User]:
    """The owners of the customers the viewer may see, by name."""
    return db.session.scalars(owner_people(viewer)).all()


@people_picker.scope("customers.owners_seen")
def owner_people(viewer: User) -> Select:
    """The owners of the customers the viewer may see, by name (the list's owner filter)."""
    # One CTE: SQLAlchemy refuses two named alike.
    return (select(User).where(User.id.in_(
        select(Customer.account_manager_id).where(customer_scope(viewer))))
        .order_by(User.display_name))


def customer_types(active_only: bool = False) -> list[CustomerType]:
    """The customer types by code (only the active ones for a form)."""
    query = select(CustomerType).order_by(CustomerType.code)
    if active_only:
        query = query.where(CustomerType.active.is_(True))
    return db.session.scalars(query).all()


# --- one customer ------------------------------------------------------------------------------

def assignment_history(customer: Customer) -> list[CustomerAssignment]:
    """Who owned a (visible) customer over time, the latest first (the people joined in)."""
    return db.session.scalars(
        select(CustomerAssignment).where(CustomerAssignment.customer_id == customer.id)
        .options(joinedload(CustomerAssignment.account_manager),
                 joinedload(CustomerAssignment.assigned_by))
        .order_by(CustomerAssignment.id.desc())).all()


def recent_visits(customer: Customer, limit: int = 20) -> list[Visit]:
    """A (visible) customer's latest visits, done or planned (the person joined in)."""
    return db.session.scalars(
        select(Visit).where(Visit.customer_id == customer.id)
        .options(joinedload(Visit.account_manager))
        .order_by(func.coalesce(Visit.done_on, Visit.planned_on).desc()).limit(limit)).all()


def customer_sales(customer: Customer) -> Select:
    """A (visible) customer's purchases, the latest first."""
    return (select(SalesRecord).where(SalesRecord.customer_id == customer.id)
            .options(selectinload(SalesRecord.product_line))
            .order_by(SalesRecord.sold_on.desc(), SalesRecord.id.desc()))


def sales_by_product_line(customer: Customer) -> list[tuple[ProductLine, object, int]]:
    """A (visible) customer's purchases per product line: (line, total, count)."""
    rows = db.session.execute(
        select(SalesRecord.product_line_id, func.sum(SalesRecord.amount), func.count())
        .where(SalesRecord.customer_id == customer.id)
        .group_by(SalesRecord.product_line_id)).all()
    lines = {p.id: p for p in db.session.scalars(select(ProductLine))}
    return [(lines[i], total, n) for i, total, n in rows]


def get_contact_or_404(viewer: User, customer_id: int, contact_id: int) -> CustomerContact:
    """A contact of a customer the viewer may see, else 404."""
    return db.first_or_404(select(CustomerContact).join(CustomerContact.customer).where(
        CustomerContact.id == contact_id, CustomerContact.customer_id == customer_id,
        customer_scope(viewer)))


# --- allocation --------------------------------------------------------------------------------

ALLOCATION_FILTERS = ("owner", "tier")


def allocation_list(viewer: User, listing: Listing) -> Select:
    """The visible customers a manager may move, narrowed by owner, tier and search, by name."""
    query = visible_customers(viewer).options(selectinload(Customer.account_manager))
    if listing.get("owner", type=int):
        query = query.where(Customer.account_manager_id == listing.get("owner", type=int))
    tier = listing.get("tier")
    if tier in {t.value for t in Tier}:
        query = query.where(Customer.tier == Tier(tier))
    query = listing.search(query, Customer.name, Customer.code)
    return listing.order(query, Customer.name, Customer.id)


def customers_by_ids(viewer: User, ids) -> list[Customer]:
    """The customers of these ids that the viewer may see (fewer when some are not)."""
    return db.session.scalars(visible_customers(viewer).where(Customer.id.in_(ids))).all()


def tier_loads(users: list[User]) -> dict[int, dict]:
    """Each person's customers by tier (and untiered), in one query."""
    loads = {u.id: {"A": 0, "B": 0, "C": 0, "-": 0, "total": 0} for u in users}
    if not users:
        return loads
    rows = db.session.execute(
        select(Customer.account_manager_id, Customer.tier, func.count())
        .where(Customer.account_manager_id.in_(list(loads)))
        .group_by(Customer.account_manager_id, Customer.tier))
    for owner_id, customer_tier, n in rows:
        loads[owner_id][customer_tier.value if customer_tier else "-"] += n
        loads[owner_id]["total"] += n
    return loads


# --- visits ------------------------------------------------------------------------------------

VISIT_FILTERS = ("who", "state", "method")
VISIT_DAY = func.coalesce(Visit.done_on, Visit.planned_on)
VISIT_SORTS = {"date": VISIT_DAY}


def visit_list_key(viewer: User, listing: Listing):
    """The visit list's day key for this viewer (access.scope_sort_key: a small scope, or a
    searched list, on PostgreSQL is kept off ix_visits_day)."""
    return scope_sort_key(viewer, VISIT_DAY, searched=bool(listing.q))


def _open_before(today: date):
    """Conditions of an overdue visit: neither done nor cancelled, planned before today."""
    return (Visit.done_on.is_(None), Visit.cancelled.is_(False), Visit.planned_on < today)


def walks_the_day_index(viewer: User, listing: Listing) -> bool:
    """Whether the visit list's page is read by walking ix_visits_day (SQLite; docs/decisions.md,
    "The visit scope on each database").

    SQLite answers the scope's UNION by reading every visit of the scope and sorting them: for a
    manager heading an area at size L, 26,000 visits for a page of 25 (50 ms, and its capped
    count 30 ms). A scope that wide (areas of SMALL_SCOPE customers or more) fills a page within
    the first few hundred visits of the day index, newest first (6 and 7 ms). A narrow one
    would walk most of the index for its page (an account manager's: 160 ms), and so would a
    filter few visits pass (overdue: 260 ms): they keep the UNION, as do the pages after the
    first, whose cursor the walk cannot seek to. (An area of many customers but hardly any
    visits, in a company of many, would walk far too; the customers are counted, not the
    visits, which is the cost the walk saves.)"""
    if postgresql() or not reach(viewer).areas or listing.q or listing.sort != "-date":
        return False
    if listing.get("who") or listing.get("state") or {"after", "before"} & listing.args.keys():
        return False
    headed = select(func.count()).where(Customer.area_id.in_(reach(viewer).areas))
    return db.session.scalar(headed) >= SMALL_SCOPE


def _visible_visits_by_day(user: User) -> Select:
    """visible_visits(user) as one OR whose terms no index matches (`+ 0`), so that SQLite reads
    the visits in the list's order (ix_visits_day) and stops at the page's end."""
    return select(Visit).where(or_((Visit.customer_id + 0).in_(visible_customer_ids(user)),
                                   Visit.account_manager_id + 0 == user.id))


def visit_list(viewer: User, listing: Listing, today: date) -> Select:
    """The visible visits narrowed by person, state, method and a customer search, by day."""
    scope = (_visible_visits_by_day(viewer) if walks_the_day_index(viewer, listing)
             else visible_visits(viewer))
    query = scope.join(Visit.customer).options(  # searched by customer name
        contains_eager(Visit.customer), joinedload(Visit.account_manager))
    who = listing.get("who", type=int)
    if who:
        query = query.where(Visit.account_manager_id == who)
    state = listing.get("state", default="")
    if state == "planned":
        query = query.where(Visit.done_on.is_(None), Visit.cancelled.is_(False),
                            Visit.planned_on >= today)
    elif state == "overdue":
        query = query.where(*_open_before(today))
    elif state == "done":
        query = query.where(Visit.done_on.is_not(None))
    method = listing.get("method")
    if method in {m.value for m in VisitMethod}:
        query = query.where(Visit.method == VisitMethod(method))
    query = listing.search(query, Customer.name)
    return listing.order(query, Visit.id)


def visits_done_per_month(viewer: User, today: date, months: int = 6):
    """The first days of the last `months` months, and visible visits done per (month, method)."""
    first = add_months(month_start(today), 1 - months)
    # Counted per day and method in the database: at most 183 × 4 rows, whatever the visits.
    done = (Visit.done_on >= first, Visit.done_on <= today)
    counted = (Visit.done_on, Visit.method, func.count())
    if postgresql():
        rows = db.session.execute(visible_visits_where(viewer, *done)
                                  .with_only_columns(*counted)
                                  .group_by(Visit.done_on, Visit.method)).all()
    else:
        # SQLite: the visits to the scope's customers, then one's own to other customers, each
        # read from its index alone (the customer index carries the method), instead of the
        # UNION's ids looked up row by row: 39 → 16 ms for an area at size L.
        customers = visible_customer_ids(viewer)
        rows = [*db.session.execute(select(*counted).where(Visit.customer_id.in_(customers), *done)
                                    .group_by(Visit.done_on, Visit.method)),
                *db.session.execute(select(*counted).where(Visit.account_manager_id == viewer.id,
                                                           Visit.customer_id.not_in(customers),
                                                           *done)
                                    .group_by(Visit.done_on, Visit.method))]
    starts = [add_months(first, i) for i in range(months)]
    counts = {(m, method): 0 for m in starts for method in VisitMethod}
    for done_on, method, n in rows:
        counts[(month_start(done_on), method)] += n
    return starts, counts


def week_visits(viewer: User, person: User, start: date) -> list[Visit]:
    """A person's visits in the seven days from start that the viewer may see, by day."""
    return db.session.scalars(
        visible_visits(viewer).where(
            Visit.account_manager_id == person.id,
            VISIT_DAY >= start, VISIT_DAY <= start + timedelta(days=6))
        .options(selectinload(Visit.customer))
        .order_by(VISIT_DAY, Visit.id)).all()


def overdue_by_person(viewer: User, today: date) -> list[tuple[User, int, date]]:
    """Visible overdue visits per person: (person with area, count, oldest planned day)."""
    per_person = db.session.execute(
        visible_visits_where(viewer, *_open_before(today))
        .with_only_columns(Visit.account_manager_id, func.count(), func.min(Visit.planned_on))
        .group_by(Visit.account_manager_id)).all()
    people = {u.id: u for u in db.session.scalars(
        select(User).where(User.id.in_([r[0] for r in per_person]))
        .options(selectinload(User.area)))}
    return [(people[o], n, oldest) for o, n, oldest in per_person]


def overdue_count(viewer: User, today: date) -> int:
    """How many visible visits are overdue."""
    return db.session.scalar(visible_visits_where(viewer, *_open_before(today))
                             .with_only_columns(func.count(Visit.id)))


def open_visits_until(user: User, until: date, limit: int = 10) -> list[Visit]:
    """The user's own open visits planned up to a day (overdue ones included), oldest first."""
    return db.session.scalars(
        select(Visit).where(Visit.account_manager_id == user.id, Visit.done_on.is_(None),
                            Visit.cancelled.is_(False), Visit.planned_on <= until)
        .options(selectinload(Visit.customer))
        .order_by(Visit.planned_on).limit(limit)).all()


def customer_count(viewer: User) -> int:
    """How many customers the viewer may see."""
    return db.session.scalar(visible_customers(viewer).with_only_columns(func.count(Customer.id)))
