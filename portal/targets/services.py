"""Targets, attainment and the at-risk rule: plain functions the pages and the appraisal call,
and the module's writes with their audit entries (target cells, approval, changes of approved
targets, sales, duties).

Attainment = sales credited to a person (to whoever owned the customer on the sale's date)
÷ the person's targets over the months of the period × 100, to one decimal.
"""
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import Select, and_, case, func, select

from portal import audit
from portal.extensions import db
from portal.kernel import clock
from portal.kernel.periods import Period, month_start, months_between
from portal.models import User
from portal.models.customers import Customer, CustomerAssignment
from portal.models.sales import (SalesRecord, SalesSummary, SalesTarget, ServiceDuty,
                                 TargetStatus)
from portal.targets import summary
from portal.targets.duties import duties_for, measure, register_duty_kind  # noqa: F401
from portal.targets.figures import ZERO, average_fulfilment, one_decimal, percent  # noqa: F401
from portal.targets.imports import parse_amount
from portal.targets.sales import (credit_join, first_sales,  # noqa: F401  (public here)
                                  sales_last_12_months)

DEFAULT_AT_RISK_PERCENT = Decimal("80")
CENTS = Decimal("0.01")


# --- periods -----------------------------------------------------------------------------------

def parse_period(key: str | None, today: date | None = None) -> Period:
    """A period from its key (month, quarter or year); the current quarter when the key is
    missing or wrong."""
    return Period.parse(key) or Period.quarter_of(today or clock.today())


def quarter_of_month(period: Period) -> Period:
    """A month's quarter; a quarter or year as it is (the grid and the charts edit quarters)."""
    return Period.quarter_of(period.start) if period.kind == "month" else period


def period_choices(today: date) -> list[Period]:
    """The periods offered in the selector: this and last year, their quarters and months."""
    found = []
    for year in (today.year, today.year - 1):
        first = date(year, 1, 1)
        found.append(Period.year_of(first))
        found += [Period.quarter_of(date(year, 3 * q - 2, 1)) for q in (1, 2, 3, 4)]
        found += [Period.month_of(date(year, m, 1)) for m in range(1, 13)]
    return found


# --- targets -----------------------------------------------------------------------------------

def month_targets(user_ids, first: date, last: date):
    """Each person-month's total target, as a subquery of (user_id, month, amount) over the
    months first..last: the overall row when there is one; else the sum of the rows split by
    product line only; else of the rows split by customer type only; else of the rows split by
    both. Summed by the database: company-wide pages would otherwise bring tens of thousands of
    target rows into Python."""
    line, kind = SalesTarget.product_line_id, SalesTarget.customer_type_id

    def total(*where):
        return func.sum(case((and_(*where), SalesTarget.amount)))

    return (select(SalesTarget.user_id, SalesTarget.month,
                   func.coalesce(total(line.is_(None), kind.is_(None)),
                                 total(line.is_not(None), kind.is_(None)),
                                 total(line.is_(None), kind.is_not(None)),
                                 total(line.is_not(None), kind.is_not(None))).label("amount"))
            .where(SalesTarget.user_id.in_(user_ids), SalesTarget.month >= first,
                   SalesTarget.month <= last)
            .group_by(SalesTarget.user_id, SalesTarget.month)
            .subquery("month_targets"))


def _cents(value) -> Decimal:
    return Decimal(str(value or 0)).quantize(CENTS)


def targets_by_person(user_ids, start: date, end: date) -> dict[int, Decimal]:
    """Each person's total target over the months of [start, end], in one query; absent if none."""
    months = months_between(start, end)
    per = month_targets(user_ids, months[0], months[-1])
    return {user_id: _cents(amount) for user_id, amount in db.session.execute(
        select(per.c.user_id, func.sum(per.c.amount)).group_by(per.c.user_id))}


def _raw_sales_by_person(user_ids, start: date, end: date):
    return db.session.execute(
        select(CustomerAssignment.account_manager_id, func.sum(SalesRecord.amount))
        .select_from(SalesRecord).join(CustomerAssignment, credit_join())
        .where(CustomerAssignment.account_manager_id.in_(user_ids),
               SalesRecord.sold_on >= start, SalesRecord.sold_on <= end)
        .group_by(CustomerAssignment.account_manager_id))


def sales_by_person(user_ids, start: date, end: date) -> dict[int, Decimal]:
    """Each person's credited sales in [start, end]: whole months from the monthly summary,
    partial months at the edges from the sales."""
    months, edges = summary.whole_months(start, end)
    totals: dict[int, Decimal] = defaultdict(lambda: ZERO)
    if months is not None:
        for uid, total in db.session.execute(
                select(SalesSummary.user_id, func.sum(SalesSummary.amount))
                .where(SalesSummary.user_id.in_(user_ids), SalesSummary.month >= months[0],
                       SalesSummary.month <= months[1])
                .group_by(SalesSummary.user_id)):
            totals[uid] += Decimal(str(total or 0))
    for edge_start, edge_end in edges:
        for uid, total in _raw_sales_by_person(user_ids, edge_start, edge_end):
            totals[uid] += Decimal(str(total or 0))
    return {uid: total.quantize(Decimal("0.01")) for uid, total in totals.items()}


def attainment_percent(user_id: int, start: date, end: date) -> Decimal | None:
    """Sales credited to the person in [start, end] ÷ their targets over its months × 100.

    One decimal; None when the person has no target in the period.
    """
    target = targets_by_person([user_id], start, end).get(user_id)
    if target is None:
        return None
    return percent(sales_by_person([user_id], start, end).get(user_id, ZERO), target)


# --- at risk -----------------------------------------------------------------------------------

def elapsed_fraction(start: date, end: date, today: date) -> Decimal:
    """How much of [start, end] has passed by the end of today, between 0 and 1."""
    if today < start:
        return Decimal(0)
    if today >= end:
        return Decimal(1)
    return Decimal((today - start).days + 1) / Decimal((end - start).days + 1)


def pro_rated_percent(sales: Decimal, target: Decimal | None, start: date, end: date,
                      today: date) -> Decimal | None:
    """Attainment against the share of the target that time has used up so far."""
    fraction = elapsed_fraction(start, end, today)
    if target is None or target <= 0 or fraction == 0:
        return None
    return percent(sales, target * fraction)


def at_risk_threshold() -> Decimal:
    """The pro-rated attainment below which a person is at risk (configurable)."""
    return Decimal(str(current_app.config.get("TARGET_AT_RISK_PERCENT", DEFAULT_AT_RISK_PERCENT)))


def is_at_risk(sales: Decimal, target: Decimal | None, start: date, end: date, today: date,
               threshold: Decimal | None = None) -> bool:
    """Whether attainment pro-rated to today is below the threshold."""
    value = pro_rated_percent(sales, target, start, end, today)
    if value is None:
        return False
    return value < (threshold if threshold is not None else at_risk_threshold())


@dataclass
class AttainmentRow:
    """One person's figures for a period."""

    user: object
    target: Decimal | None
    sales: Decimal
    percent: Decimal | None
    pro_rated: Decimal | None
    at_risk: bool


def attainment_rows(users, period: Period, today: date) -> list[AttainmentRow]:
    """Attainment of several people in two queries."""
    ids = [u.id for u in users]
    if not ids:
        return []
    targets = targets_by_person(ids, period.start, period.end)
    sales = sales_by_person(ids, period.start, period.end)
    threshold = at_risk_threshold()
    rows = []
    for user in users:
        target, sold = targets.get(user.id), sales.get(user.id, ZERO)
        rows.append(AttainmentRow(
            user, target, sold, percent(sold, target),
            pro_rated_percent(sold, target, period.start, period.end, today),
            is_at_risk(sold, target, period.start, period.end, today, threshold)))
    return rows


def team_total(rows: list[AttainmentRow]) -> AttainmentRow:
    """The team's line: summed targets and sales."""
    targets = [r.target for r in rows if r.target is not None]
    target = sum(targets, ZERO) if targets else None
    sold = sum((r.sales for r in rows), ZERO)
    return AttainmentRow(None, target, sold, percent(sold, target), None, False)


SalesBreakdown = list[tuple[date, int | None, int | None, Decimal]]


def sales_breakdown(user_ids, start: date, end: date) -> SalesBreakdown:
    """(day, product line id, customer type id, credited sales) of a team in [start, end], from
    which the team's line, the product lines, the customer types and the monthly chart are all
    summed: whole months come from the monthly summary as one row per month dated its first day
    (so windows taken from it must be whole months, as periods are), partial months at the edges
    per day from the sales (by the customer's type, as the summary keeps it)."""
    months, edges = summary.whole_months(start, end)
    rows: SalesBreakdown = []
    if months is not None:
        rows += [(month, line_id, type_id, Decimal(str(amount or 0)))
                 for month, line_id, type_id, amount in db.session.execute(
                     select(SalesSummary.month, SalesSummary.product_line_id,
                            SalesSummary.customer_type_id, func.sum(SalesSummary.amount))
                     .where(SalesSummary.user_id.in_(user_ids), SalesSummary.month >= months[0],
                            SalesSummary.month <= months[1])
                     .group_by(SalesSummary.month, SalesSummary.product_line_id,
                               SalesSummary.customer_type_id))]
    for edge_start, edge_end in edges:
        rows += [(sold_on, line_id, type_id, Decimal(str(amount or 0)))
                 for sold_on, line_id, type_id, amount in db.session.execute(
                     select(SalesRecord.sold_on, SalesRecord.product_line_id, Customer.type_id,
                            func.sum(SalesRecord.amount))
                     .join(CustomerAssignment, credit_join())
                     .join(Customer, SalesRecord.customer_id == Customer.id)
                     .where(CustomerAssignment.account_manager_id.in_(user_ids),
                            SalesRecord.sold_on >= edge_start, SalesRecord.sold_on <= edge_end)
                     .group_by(SalesRecord.sold_on, SalesRecord.product_line_id,
                               Customer.type_id))]
    return rows


def _within(breakdown: SalesBreakdown, start: date, end: date) -> SalesBreakdown:
    return [row for row in breakdown if start <= row[0] <= end]


def total_target(user_ids, start: date, end: date) -> Decimal | None:
    """The summed targets of people over the months of [start, end]; None when none has one."""
    months = months_between(start, end)
    per = month_targets(user_ids, months[0], months[-1])
    total = db.session.scalar(select(func.sum(per.c.amount)))
    return None if total is None else _cents(total)


def team_figures(user_ids, period: Period,
                 breakdown: SalesBreakdown | None = None) -> AttainmentRow:
    """The team's line over everyone in it (not only one page of people): two queries, or one
    with a sales_breakdown that covers the period. The ids may be a list or a query of ids."""
    target = total_target(user_ids, period.start, period.end)
    if breakdown is None:
        sold = sum(sales_by_person(user_ids, period.start, period.end).values(), ZERO)
    else:
        sold = sum((row[-1] for row in _within(breakdown, period.start, period.end)),
                   ZERO).quantize(CENTS)
    return AttainmentRow(None, target, sold, percent(sold, target), None, False)


def product_line_rows(user_ids, period: Period, breakdown: SalesBreakdown | None = None
                      ) -> list[tuple[int, Decimal | None, Decimal]]:
    """(product line id, target, credited sales) of a team in a period; two queries, or one
    with a sales_breakdown that covers the period."""
    months = months_between(period.start, period.end)
    targets: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for line_id, amount in db.session.execute(
            select(SalesTarget.product_line_id, func.sum(SalesTarget.amount))
            .where(SalesTarget.user_id.in_(user_ids), SalesTarget.product_line_id.is_not(None),
                   SalesTarget.month >= months[0], SalesTarget.month <= months[-1])
            .group_by(SalesTarget.product_line_id)):
        targets[line_id] = Decimal(amount)
    if breakdown is None:
        breakdown = sales_breakdown(user_ids, period.start, period.end)
    sales: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for _day, line_id, _type_id, amount in _within(breakdown, period.start, period.end):
        sales[line_id] += amount
    keys = sorted(set(targets) | set(sales))
    return [(k, targets.get(k), Decimal(sales.get(k) or 0)) for k in keys]


def customer_type_rows(user_ids, period: Period, breakdown: SalesBreakdown | None = None
                       ) -> list[tuple[int | None, int | None, Decimal | None, Decimal]]:
    """(product line id or None, customer type id or None, target, credited sales) of a team in
    a period: first one row per customer type (line None), then one per product line × customer
    type. Sales count by the customer's type (None: a customer without a type). A type's target
    per person-month is its row without a product line, else the sum of its product-line rows.
    Sales from a sales_breakdown covering the period (read here when not given)."""
    ids = user_ids if isinstance(user_ids, Select) else list(user_ids)
    if not isinstance(ids, Select) and not ids:
        return []
    months = months_between(period.start, period.end)
    line, kind = SalesTarget.product_line_id, SalesTarget.customer_type_id
    within = (SalesTarget.user_id.in_(ids), kind.is_not(None), SalesTarget.month >= months[0],
              SalesTarget.month <= months[-1])
    per_type = (select(kind.label("type_id"), func.coalesce(
        func.sum(case((line.is_(None), SalesTarget.amount))),
        func.sum(case((line.is_not(None), SalesTarget.amount)))).label("amount"))
        .where(*within).group_by(SalesTarget.user_id, SalesTarget.month, kind)
        .subquery("per_type"))
    type_target = {type_id: _cents(amount) for type_id, amount in db.session.execute(
        select(per_type.c.type_id, func.sum(per_type.c.amount)).group_by(per_type.c.type_id))}
    line_type_target = {(line_id, type_id): _cents(amount)
                        for line_id, type_id, amount in db.session.execute(
                            select(line, kind, func.sum(SalesTarget.amount))
                            .where(*within, line.is_not(None)).group_by(line, kind))}
    if breakdown is None:
        breakdown = sales_breakdown(ids, period.start, period.end)
    sold: dict[tuple, Decimal] = defaultdict(lambda: ZERO)
    for _day, line_id, type_id, amount in _within(breakdown, period.start, period.end):
        sold[(line_id, type_id)] += amount
    by_type: dict[int | None, Decimal] = defaultdict(lambda: ZERO)
    for (_line, type_id), amount in sold.items():
        by_type[type_id] += amount

    def order(key):
        return (key is None, key or 0)

    cents = Decimal("0.01")
    rows = [(None, t, type_target.get(t), by_type.get(t, ZERO).quantize(cents))
            for t in sorted(set(type_target) | set(by_type), key=order)]
    pairs = sorted(set(line_type_target) | set(sold),
                   key=lambda k: (order(k[0]), order(k[1])))
    rows += [(line, t, line_type_target.get((line, t)), sold.get((line, t), ZERO).quantize(cents))
             for line, t in pairs]
    return rows


def monthly_series(user_ids, start: date, end: date, breakdown: SalesBreakdown | None = None
                   ) -> list[tuple[date, Decimal | None, Decimal]]:
    """(month, target, credited sales) per month of [start, end], for the charts; the sales from
    a sales_breakdown when it covers the months."""
    months = months_between(start, end)
    per = month_targets(user_ids, months[0], months[-1])
    target_by_month = {month: _cents(amount) for month, amount in db.session.execute(
        select(per.c.month, func.sum(per.c.amount)).group_by(per.c.month))}
    sold_by_month: dict[date, Decimal] = defaultdict(lambda: ZERO)
    if breakdown is None:
        breakdown = sales_breakdown(user_ids, months[0], end)
    for sold_on, _line, _type, amount in _within(breakdown, months[0], end):
        sold_by_month[month_start(sold_on)] += amount
    cents = Decimal("0.01")
    return [(m, target_by_month.get(m), sold_by_month[m].quantize(cents)) for m in months]


# --- service duties (called by the appraisal module) -------------------------------------------

def duty_fulfilment_percent(user_id: int, start: date, end: date) -> Decimal | None:
    """The average measured fulfilment of the person's service duties over [start, end].

    Duties apply by role and area; a duty whose kind measures nothing for the person (no
    customer of the tier, no visit due, kind not installed) is left out. None when none applies.
    """
    return average_fulfilment([measure(d, user_id, start, end) for d in duties_for(user_id)])


def customer_count(user_id: int) -> int:
    """How many customers a person owns now."""
    return db.session.scalar(select(func.count(Customer.id))
                             .where(Customer.account_manager_id == user_id)) or 0


# --- target writes -----------------------------------------------------------------------------

TARGET_FIELDS = ["user_id", "month", "product_line_id", "customer_type_id", "amount", "status"]


def save_cell(user_id: int, month: date, line_id, type_id, text: str,
              existing: SalesTarget | None) -> str | None:
    """Validate and apply one cell of the grid; return the error text or None. Audited.

    An approved target is locked: the grid may only repeat its amount; a change goes through
    change_approved_target, with a reason.
    """
    text = (text or "").strip()
    if existing is not None and existing.status == TargetStatus.APPROVED:
        if text and parse_amount(text) == existing.amount:
            return None
        return _("Approved: change it with its own form.")
    if not text:
        if existing is not None:
            audit.record("target.delete", "sales_target", existing.id,
                         audit.snapshot(existing, TARGET_FIELDS), None)
            db.session.delete(existing)
        return None
    amount = parse_amount(text)
    if amount is None:
        return _("Enter a positive amount of yuan with at most two decimals.")
    if existing is None:
        target = SalesTarget(user_id=user_id, month=month, product_line_id=line_id,
                             customer_type_id=type_id, amount=amount)
        db.session.add(target)
        db.session.flush()
        audit.record("target.create", "sales_target", target.id, None,
                     audit.snapshot(target, TARGET_FIELDS))
    elif existing.amount != amount:
        before = audit.snapshot(existing, TARGET_FIELDS)
        existing.amount = amount
        audit.record("target.update", "sales_target", existing.id, before,
                     audit.snapshot(existing, TARGET_FIELDS))
    return None


def approve_targets(targets: list[SalesTarget], approver: User) -> int:
    """Approve and lock draft targets; each approval audited. Returns how many."""
    now = clock.utcnow()
    for target in targets:
        target.status = TargetStatus.APPROVED
        target.approved_by_id = approver.id
        target.approved_at = now
        audit.record("target.approve", "sales_target", target.id,
                     {"status": "draft"}, {"status": "approved"})
    return len(targets)


def change_approved_target(target: SalesTarget, amount: Decimal, reason: str) -> None:
    """Change a locked target's amount, the reason kept in the audit entry."""
    before = audit.snapshot(target, TARGET_FIELDS)
    target.amount = amount
    after = audit.snapshot(target, TARGET_FIELDS)
    after["reason"] = reason
    before["reason"] = None
    audit.record("target.change_approved", "sales_target", target.id, before, after)


# --- sale writes -------------------------------------------------------------------------------

SALE_FIELDS = ["customer_id", "sold_on", "product_line_id", "amount", "reference"]


def record_sale(customer_id: int, sold_on: date, product_line_id: int, amount: Decimal,
                reference: str, entered_by: User) -> SalesRecord:
    """Record one sale entered by hand; audited."""
    sale = SalesRecord(customer_id=customer_id, sold_on=sold_on, product_line_id=product_line_id,
                       amount=amount, reference=reference or "", entered_by_id=entered_by.id)
    db.session.add(sale)
    db.session.flush()
    audit.record("sale.create", "sales_record", sale.id, None, audit.snapshot(sale, SALE_FIELDS))
    return sale


def delete_sale(sale: SalesRecord) -> None:
    """Delete a wrong sale; audited."""
    audit.record("sale.delete", "sales_record", sale.id, audit.snapshot(sale, SALE_FIELDS), None)
    db.session.delete(sale)


# --- duty writes -------------------------------------------------------------------------------

DUTY_FIELDS = ["name", "name_en", "role", "area_id", "kind", "tier", "parameter",
               "expected_percent", "active"]


def _apply_duty(duty: ServiceDuty, values: dict) -> None:
    for name in ("name", "role", "kind", "parameter", "expected_percent", "active"):
        setattr(duty, name, values[name])
    duty.name_en = values.get("name_en") or ""
    duty.description = values.get("description") or ""
    duty.tier = values.get("tier") or None


def create_duty(values: dict, area_id: int | None) -> ServiceDuty:
    """Add a duty (area None: every area); audited."""
    duty = ServiceDuty(area_id=area_id)
    _apply_duty(duty, values)
    db.session.add(duty)
    db.session.flush()
    audit.record("duty.create", "service_duty", duty.id, None, audit.snapshot(duty, DUTY_FIELDS))
    return duty


def update_duty(duty: ServiceDuty, values: dict) -> None:
    """Change a duty; audited."""
    before = audit.snapshot(duty, DUTY_FIELDS)
    _apply_duty(duty, values)
    audit.record("duty.update", "service_duty", duty.id, before, audit.snapshot(duty, DUTY_FIELDS))
