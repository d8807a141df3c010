"""Scoped queries of the targets module: whose targets, sales and duties a viewer sees, and the
lists' filters. Sales belong to this module (portal/targets/sales.py holds the credit rule)."""
from datetime import date

from flask import abort
from sqlalchemy import Select, func, select
from sqlalchemy.orm import contains_eager, selectinload

from portal import customer_picker
from portal.access import (among_visible_customers, customer_scope, managed_user_ids, manages,
                           postgresql, visible_customer_ids, visible_customers,
                           visible_user_ids)
from portal.extensions import db
from portal.kernel.lists import Listing
from portal.kernel.periods import Period
from portal.models import Area, CustomerType, ProductLine, Role, User, UserRole
from portal.models.customers import Customer, CustomerAssignment
from portal.models.sales import SalesRecord, SalesTarget, ServiceDuty, TargetStatus
from portal.targets.sales import credit_join, credited_sales  # noqa: F401  (public here)


# --- people ------------------------------------------------------------------------------------

def visible_staff(user: User) -> Select:
    """The account managers whose targets and attainment this user may see."""
    return (select(User).join(UserRole)
            .where(UserRole.role == Role.STAFF, User.id.in_(visible_user_ids(user))))


def managed_staff(user: User) -> Select:
    """The account managers whose targets this user sets (their team)."""
    return (select(User).join(UserRole)
            .where(UserRole.role == Role.STAFF, User.active.is_(True),
                   User.id.in_(managed_user_ids(user)), User.id != user.id))


def attainment_people(viewer: User, area_id: int | None) -> Select:
    """The people of the attainment page, optionally of one area."""
    query = visible_staff(viewer)
    return query.where(User.area_id == area_id) if area_id else query


# --- targets -----------------------------------------------------------------------------------

def visible_targets(user: User) -> Select:
    """Targets of the people this user may see."""
    return select(SalesTarget).where(SalesTarget.user_id.in_(visible_user_ids(user)))


def get_target_or_404(user: User, target_id: int, check_manager: bool = False) -> SalesTarget:
    """A target the user may see, else 404; with check_manager, 403 unless they set it."""
    target = db.first_or_404(visible_targets(user).where(SalesTarget.id == target_id))
    if check_manager and not manages(user, target.user_id):
        abort(403)
    return target


def person_targets(viewer: User, user_id: int, period: Period) -> list[SalesTarget]:
    """A visible person's target rows over a period, by month."""
    return db.session.scalars(
        visible_targets(viewer).where(SalesTarget.user_id == user_id,
                                      SalesTarget.month >= period.start,
                                      SalesTarget.month <= period.end)
        .options(selectinload(SalesTarget.product_line), selectinload(SalesTarget.customer_type))
        .order_by(SalesTarget.month, SalesTarget.id)).all()


def grid_dimensions(line_id: int | None, type_id: int | None) -> tuple[int | None, int | None]:
    """The product line and customer type a grid edits (None: overall); 404 for unknown ones."""
    if line_id and db.session.get(ProductLine, line_id) is None:
        abort(404)
    if type_id and db.session.get(CustomerType, type_id) is None:
        abort(404)
    return line_id or None, type_id or None


def grid_targets(user_ids, months: list[date], line_id, type_id) -> dict:
    """{(user id, month): target} of the grid's dimension, in one query."""
    if not user_ids:
        return {}
    query = select(SalesTarget).where(
        SalesTarget.user_id.in_(user_ids), SalesTarget.month >= months[0],
        SalesTarget.month <= months[-1],
        SalesTarget.product_line_id.is_(None) if line_id is None
        else SalesTarget.product_line_id == line_id,
        SalesTarget.customer_type_id.is_(None) if type_id is None
        else SalesTarget.customer_type_id == type_id)
    return {(t.user_id, t.month): t for t in db.session.scalars(query)}


def team_drafts(viewer: User, period: Period) -> Select:
    """The draft targets of the viewer's team in a period."""
    team = select(User.id).where(User.id.in_(managed_staff(viewer).with_only_columns(User.id)))
    return select(SalesTarget).where(
        SalesTarget.user_id.in_(team), SalesTarget.status == TargetStatus.DRAFT,
        SalesTarget.month >= period.start, SalesTarget.month <= period.end)




# --- reference lists ---------------------------------------------------------------------------

def product_lines(active_only: bool = False) -> list[ProductLine]:
    """The product lines by code."""
    query = select(ProductLine).order_by(ProductLine.code)
    if active_only:
        query = query.where(ProductLine.active.is_(True))
    return db.session.scalars(query).all()


def customer_types() -> list[CustomerType]:
    """The customer types by code."""
    return db.session.scalars(select(CustomerType).order_by(CustomerType.code)).all()


def areas() -> list[Area]:
    """The areas by code."""
    return db.session.scalars(select(Area).order_by(Area.code)).all()


# --- sales -------------------------------------------------------------------------------------

def visible_sales(user: User) -> Select:
    """Sales records of the customers this user may see (by customer id, so the big table is
    read through its customer index: access.visible_customer_ids)."""
    return select(SalesRecord).join(SalesRecord.customer).where(_sales_scope(user))


def _sales_scope(user: User):
    if postgresql():  # the ids in the statement: docs/decisions.md, "The visit scope ..."
        return among_visible_customers(user, SalesRecord.customer_id)
    return SalesRecord.customer_id.in_(visible_customer_ids(user))


def get_sale_or_404(user: User, sale_id: int) -> SalesRecord:
    """A sales record the user may see, else 404."""
    # One row: the rule as a condition on that row (customers.queries.get_customer_or_404).
    return db.first_or_404(select(SalesRecord).join(SalesRecord.customer).where(
        SalesRecord.id == sale_id, customer_scope(user)))


def sales_listing() -> Listing:
    """The sales list's filters and sorts."""
    return Listing(filters=("line", "from", "to"), default_sort="-date",
                   sorts={"date": SalesRecord.sold_on, "amount": SalesRecord.amount,
                          "customer": Customer.name})


def _day(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text or "")
    except ValueError:
        return None


def filtered_sales(viewer: User, listing: Listing) -> Select:
    """Visible sales with the list's search, filters and sort applied."""
    query = (visible_sales(viewer).where(*_sales_filters(listing))
             .options(contains_eager(SalesRecord.customer),  # joined already (search, sort, export)
                      selectinload(SalesRecord.product_line)))
    query = listing.search(query, Customer.name, Customer.code, SalesRecord.reference)
    return listing.order(query, SalesRecord.id.desc())


def _sales_filters(listing: Listing) -> list:
    """The list's conditions on the sale itself: product line and days."""
    conditions = []
    line_id = listing.get("line", type=int)
    if line_id:
        conditions.append(SalesRecord.product_line_id == line_id)
    since, until = _day(listing.get("from")), _day(listing.get("to"))
    if since:
        conditions.append(SalesRecord.sold_on >= since)
    if until:
        conditions.append(SalesRecord.sold_on <= until)
    return conditions


def sales_total(viewer: User, listing: Listing):
    """The sum of the amounts the filtered list finds. Without a search text it reads the sales
    alone, through ix_sales_records_customer_day_amount: joined to the customers, PostgreSQL
    planned a parallel merge over all 200,000 of them (a manager's all-time total at size L,
    150 ms)."""
    total = func.coalesce(func.sum(SalesRecord.amount), 0)
    if listing.q:
        return db.session.scalar(filtered_sales(viewer, listing).with_only_columns(total)
                                 .order_by(None))
    return db.session.scalar(select(total).where(_sales_scope(viewer),
                                                 *_sales_filters(listing)))


def sales_count(viewer: User, listing: Listing) -> int:
    """How many sales the filtered list holds (to choose between a streamed and a queued export)."""
    return db.session.scalar(select(func.count()).select_from(
        filtered_sales(viewer, listing).order_by(None).with_only_columns(
            SalesRecord.id, maintain_column_froms=True).subquery()))


def sales_export_rows(viewer: User, listing: Listing, chunk: int = 1000):
    """The filtered sales as (id, day, customer code, product line code, amount, reference,
    customer name, credited to) tuples, streamed from the database a thousand at a time (plain
    columns, no ORM objects: 100,000 rows in linear time and flat memory)."""
    query = filtered_sales(viewer, listing).with_only_columns(
        SalesRecord.id, SalesRecord.sold_on, Customer.code, ProductLine.code, SalesRecord.amount,
        SalesRecord.reference, Customer.name, maintain_column_froms=True,
    ).join(ProductLine, ProductLine.id == SalesRecord.product_line_id).options()
    return _export_batches(query.execution_options(yield_per=chunk), chunk)


def _export_batches(query, chunk: int):
    batch = []
    for row in db.session.execute(query):
        batch.append(row)
        if len(batch) >= chunk:
            yield from _credited(batch)
            batch = []
    if batch:
        yield from _credited(batch)


def _credited(batch):
    names = credited_names(row[0] for row in batch)
    for row in batch:
        yield (*row, names.get(row[0], ""))


def credited_names(sale_ids) -> dict[int, str]:
    """Who each sale is credited to, in one query per 500 sales."""
    sale_ids, names = list(sale_ids), {}
    for chunk in range(0, len(sale_ids), 500):
        names.update(db.session.execute(
            select(SalesRecord.id, User.display_name)
            .join(CustomerAssignment, credit_join())
            .join(User, User.id == CustomerAssignment.account_manager_id)
            .where(SalesRecord.id.in_(sale_ids[chunk:chunk + 500]))).all())
    return names


@customer_picker.scope("targets.sale")
def sale_customers(viewer: User) -> Select:
    """The customers the viewer may record or import sales for."""
    return visible_customers(viewer)


def reference_taken(customer_id: int, reference: str) -> bool:
    """Whether a sale with this reference is already recorded for the customer."""
    return db.session.scalar(select(SalesRecord.id).where(
        SalesRecord.customer_id == customer_id, SalesRecord.reference == reference).limit(1)
    ) is not None


# --- service duties ----------------------------------------------------------------------------

def headed_area_ids(user: User) -> list[int]:
    """The areas this person heads."""
    return list(db.session.scalars(select(Area.id).where(Area.head_id == user.id)))


def can_add_duties(user: User) -> bool:
    """Administrators add duties for every area, managers for the areas they head."""
    return user.has_role(Role.ADMIN) or bool(headed_area_ids(user))


def editable_duties(user: User) -> Select:
    """Duties this user may change: administrators all, managers those of their areas."""
    if user.has_role(Role.ADMIN):
        return select(ServiceDuty)
    return select(ServiceDuty).where(ServiceDuty.area_id.in_(headed_area_ids(user) or [-1]))


def visible_duties(user: User) -> Select:
    """Service duties: every signed-in person may read them (they say what is expected)."""
    return select(ServiceDuty)


def get_duty_or_404(user: User, duty_id: int, check_editable: bool = False) -> ServiceDuty:
    """A duty by id, else 404; with check_editable, 403 unless the user may change it."""
    duty = db.first_or_404(visible_duties(user).where(ServiceDuty.id == duty_id))
    if check_editable and db.session.scalar(
            editable_duties(user).where(ServiceDuty.id == duty.id)
            .with_only_columns(ServiceDuty.id)) is None:
        abort(403)
    return duty


def all_duties(viewer: User) -> list[ServiceDuty]:
    """Every duty the viewer may read, with its area."""
    return db.session.scalars(visible_duties(viewer).options(selectinload(ServiceDuty.area))
                              .order_by(ServiceDuty.id)).all()


def editable_duty_ids(viewer: User) -> set[int]:
    """The ids of the duties the viewer may change."""
    return set(db.session.scalars(editable_duties(viewer).with_only_columns(ServiceDuty.id)))
