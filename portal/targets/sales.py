"""Sales records, owned by the targets module: which assignment a sale is credited to, what a
customer bought, when a customer first bought.

Built on the models and the kernel only, so the customers module can read sales figures (tier
values, market expansion) without importing the rest of targets, which itself builds on the
customers module's scoping (see queries.visible_sales). Public through targets.queries and
targets.services.
"""
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import Select, and_, func, or_, select

from portal.extensions import db
from portal.kernel.periods import add_months
from portal.models.customers import CustomerAssignment
from portal.models.sales import SalesRecord


def credit_join():
    """The join condition crediting a sale to the assignment that owned its customer that day."""
    return and_(
        CustomerAssignment.customer_id == SalesRecord.customer_id,
        or_(CustomerAssignment.starts_on.is_(None),
            CustomerAssignment.starts_on <= SalesRecord.sold_on),
        or_(CustomerAssignment.ends_on.is_(None),
            SalesRecord.sold_on < CustomerAssignment.ends_on),
    )


def credited_sales(user_ids, start, end) -> Select:
    """Sales in [start, end] credited to these people, with the credited person's id."""
    return (select(SalesRecord, CustomerAssignment.account_manager_id.label("credited_to"))
            .join(CustomerAssignment, credit_join())
            .where(CustomerAssignment.account_manager_id.in_(user_ids),
                   SalesRecord.sold_on >= start, SalesRecord.sold_on <= end))


def sales_last_12_months(customer_ids: list[int], today: date) -> dict[int, Decimal]:
    """Each customer's sales in the 12 months up to today, in one query."""
    if not customer_ids:
        return {}
    since = add_months(today, -12) + timedelta(days=1)
    rows = db.session.execute(
        select(SalesRecord.customer_id, func.sum(SalesRecord.amount))
        .where(SalesRecord.customer_id.in_(customer_ids), SalesRecord.sold_on >= since,
               SalesRecord.sold_on <= today)
        .group_by(SalesRecord.customer_id))
    totals = {cid: Decimal(total or 0).quantize(Decimal("0.01")) for cid, total in rows}
    return {cid: totals.get(cid, Decimal("0.00")) for cid in customer_ids}


def first_sales(start: date, end: date) -> Select:
    """(customer id, date) of every customer whose first sale ever falls in [start, end]."""
    first = (select(SalesRecord.customer_id, func.min(SalesRecord.sold_on).label("first_on"))
             .group_by(SalesRecord.customer_id).subquery())
    return select(first.c.customer_id, first.c.first_on).where(
        first.c.first_on >= start, first.c.first_on <= end)
