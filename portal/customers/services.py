"""Rules of the customers module and their audit entries: customer profiles (code uniqueness),
who owns a customer when, tiers, visit plans and cadence, market expansion.

Plain functions; the views commit. The appraisal module calls market_expansion().
"""
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from flask import current_app
from sqlalchemy import func, select

from portal import audit
from portal.extensions import db
from portal.kernel import clock
from portal.models import Role, User
from portal.models.customers import (Customer, CustomerAssignment, CustomerStatus, Tier, Visit,
                                     VisitCadence)
from portal.models.sales import SalesRecord
from portal.kernel.periods import add_months  # moved: periods belong to the kernel
from portal.targets.services import credit_join  # moved: sales belong to targets
from portal.targets.services import first_sales as _first_sales  # moved: sales belong to targets
from portal.targets.services import sales_last_12_months  # moved: sales belong to targets

#: Months between visits when no cadence is configured: A monthly, B quarterly, C twice a year.
DEFAULT_CADENCE = {Tier.A: 1, Tier.B: 3, Tier.C: 6}
#: Sales of the last 12 months from which a customer is of high / medium value (yuan).
DEFAULT_VALUE_HIGH = Decimal("500000")
DEFAULT_VALUE_MEDIUM = Decimal("100000")


# --- profiles ----------------------------------------------------------------------------------

#: The profile fields recorded in the audit log.
CUSTOMER_FIELDS = ["code", "name", "type_id", "industry", "address", "status", "preferences",
                   "needs", "account_manager_id"]
#: The fields a profile form sets (the owner and the tier have their own rules).
PROFILE_FIELDS = ("code", "name", "type_id", "industry", "address", "status", "preferences",
                  "needs")


def code_taken(code: str, customer_id: int | None = None) -> bool:
    """Whether another customer has this code (codes are unique regardless of case)."""
    query = select(Customer.id).where(func.lower(Customer.code) == code.lower())
    if customer_id:
        query = query.where(Customer.id != customer_id)
    return db.session.scalar(query) is not None


def _apply_profile(customer: Customer, profile: dict) -> None:
    """Copy the profile fields onto the customer (empty texts stored as "", no type as None)."""
    customer.code = profile["code"]
    customer.name = profile["name"]
    customer.type_id = profile.get("type_id") or None
    customer.status = CustomerStatus(profile["status"])
    for name in ("industry", "address", "preferences", "needs"):
        setattr(customer, name, profile.get(name) or "")


def create_customer(profile: dict, owner: User, actor: User) -> Customer:
    """A new customer of the owner's area, owned by them since always, audited."""
    customer = Customer(area_id=owner.area_id)
    _apply_profile(customer, profile)
    start_ownership(customer, owner, actor)
    db.session.add(customer)
    db.session.flush()
    audit.record("customer.create", "customer", customer.id, None,
                 audit.snapshot(customer, CUSTOMER_FIELDS))
    return customer


def create_customers(items: list[tuple[dict, User]], actor: User) -> list[Customer]:
    """Several new customers (profile, owner) as create_customer makes them, in one flush
    (an import: a flush per customer cost ~10 ms each), each audited."""
    made = []
    for profile, owner in items:
        customer = Customer(area_id=owner.area_id)
        _apply_profile(customer, profile)
        start_ownership(customer, owner, actor)
        made.append(customer)
    db.session.add_all(made)
    db.session.flush()
    for customer in made:
        audit.record("customer.create", "customer", customer.id, None,
                     audit.snapshot(customer, CUSTOMER_FIELDS))
    return made


def update_customer(customer: Customer, profile: dict) -> None:
    """Change a customer's profile, audited."""
    before = audit.snapshot(customer, CUSTOMER_FIELDS)
    _apply_profile(customer, profile)
    audit.record("customer.update", "customer", customer.id, before,
                 audit.snapshot(customer, CUSTOMER_FIELDS))


def set_tier(customer: Customer, tier: Tier | None, potential: int) -> None:
    """The manager's decision on a customer's tier and potential, audited."""
    before = audit.snapshot(customer, ["tier", "potential"])
    customer.tier = tier
    customer.potential = potential
    audit.record("customer.tier", "customer", customer.id, before,
                 audit.snapshot(customer, ["tier", "potential"]))


# --- ownership over time -----------------------------------------------------------------------

class AllocationError(ValueError):
    """A reassignment the rules refuse; the message says why."""


def owner_on(customer_id: int, day: date) -> int | None:
    """The id of the account manager who owned the customer on that day."""
    row = db.session.scalar(
        select(CustomerAssignment.account_manager_id).where(
            CustomerAssignment.customer_id == customer_id,
            (CustomerAssignment.starts_on.is_(None)) | (CustomerAssignment.starts_on <= day),
            (CustomerAssignment.ends_on.is_(None)) | (CustomerAssignment.ends_on > day),
        ).order_by(CustomerAssignment.id.desc()).limit(1))
    return row


def start_ownership(customer: Customer, owner: User, actor: User | None = None) -> None:
    """Give a new customer its first owner: owned since always, so earlier sales count for them."""
    customer.account_manager = owner
    customer.assignments.append(CustomerAssignment(account_manager=owner, starts_on=None,
                                                   assigned_by=actor))


def reassign(customer: Customer, new_owner: User, actor: User | None, effective: date,
             note: str = "") -> CustomerAssignment | None:
    """Move a customer to another account manager of its area from `effective` on, audited.

    The current stretch of ownership ends the day before `effective` (ends_on = effective,
    exclusive); planned visits from that day on move to the new owner. Nothing happens when the
    customer already belongs to new_owner.
    """
    if new_owner.area_id != customer.area_id:
        raise AllocationError("outside_area")
    if not new_owner.active or not new_owner.has_role(Role.STAFF):
        raise AllocationError("not_staff")
    if effective > clock.today():
        raise AllocationError("future")  # the current owner would change before the move
    if customer.account_manager_id == new_owner.id:
        return None
    current = db.session.scalar(
        select(CustomerAssignment).where(CustomerAssignment.customer_id == customer.id,
                                         CustomerAssignment.ends_on.is_(None))
        .order_by(CustomerAssignment.id.desc()).limit(1))
    if current is not None and current.starts_on is not None and effective < current.starts_on:
        raise AllocationError("before_current")
    before = {"account_manager_id": customer.account_manager_id}
    if current is not None:
        current.ends_on = effective
    assignment = CustomerAssignment(customer=customer, account_manager_id=new_owner.id,
                                    starts_on=effective, note=note,
                                    assigned_by_id=actor.id if actor else None)
    db.session.add(assignment)
    customer.account_manager_id = new_owner.id
    for visit in db.session.scalars(select(Visit).where(
            Visit.customer_id == customer.id, Visit.done_on.is_(None),
            Visit.cancelled.is_(False), Visit.planned_on >= effective)):
        visit.account_manager_id = new_owner.id
    audit.record("customer.reassign", "customer", customer.id, before,
                 {"account_manager_id": new_owner.id, "effective": effective.isoformat(),
                  "note": note})
    return assignment


def reassign_all(customers: list[Customer], new_owner: User, actor: User | None,
                 effective: date, note: str = "") -> None:
    """Reassign every customer, or none: on a refusal the session is rolled back and the
    AllocationError raised."""
    try:
        for customer in customers:
            reassign(customer, new_owner, actor, effective, note)
    except AllocationError:
        db.session.rollback()
        raise


# --- tiers -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class TierSuggestion:
    """The tier the portal suggests, and why."""

    tier: Tier
    value: Decimal
    #: "high", "medium" or "low": the value band of the last 12 months' sales.
    value_band: str
    potential: int


def value_band(value: Decimal, high: Decimal | None = None, medium: Decimal | None = None) -> str:
    """The value band of a customer's last 12 months of sales."""
    if high is None:
        high = Decimal(str(current_app.config.get("TIER_VALUE_HIGH", DEFAULT_VALUE_HIGH)))
    if medium is None:
        medium = Decimal(str(current_app.config.get("TIER_VALUE_MEDIUM", DEFAULT_VALUE_MEDIUM)))
    if value >= high:
        return "high"
    if value >= medium:
        return "medium"
    return "low"


def suggest_tier(value: Decimal, potential: int, high: Decimal | None = None,
                 medium: Decimal | None = None) -> TierSuggestion:
    """Value × potential → tier: A for high value, or medium value with high potential;
    B for medium value, or high potential; C otherwise."""
    band = value_band(value, high, medium)
    if band == "high" or (band == "medium" and potential >= 3):
        tier = Tier.A
    elif band == "medium" or potential >= 3:
        tier = Tier.B
    else:
        tier = Tier.C
    return TierSuggestion(tier, value, band, potential)


# --- visit plans -------------------------------------------------------------------------------

def cadence_months() -> dict[Tier, int]:
    """Months between visits for each tier, configured or by default."""
    configured = {row.tier: row.interval_months for row in db.session.scalars(select(VisitCadence))}
    return {tier: configured.get(tier, DEFAULT_CADENCE[tier]) for tier in Tier}


def save_cadence(wanted: dict[Tier, int]) -> None:
    """Set the months between visits of each tier, audited."""
    months = cadence_months()
    for tier, value in wanted.items():
        row = db.session.get(VisitCadence, tier) or VisitCadence(tier=tier)
        row.interval_months = value
        db.session.add(row)
    audit.record("visit_cadence.update", "visit_cadence", None,
                 {t.value: months[t] for t in Tier}, {t.value: v for t, v in wanted.items()})


def next_visit_due(last_done: date | None, months: int, today: date) -> date:
    """When the next visit is due: `months` after the last one; today when there was none."""
    if last_done is None:
        return today
    return add_months(last_done, months)


def plan_visits(customers: list[Customer], today: date, actor: User | None = None) -> int:
    """Plan the next visit of every active, tiered, owned customer that has none planned.

    Returns how many visits were planned. A due date already past is planned as it is, so the
    visit shows as overdue.
    """
    if not customers:
        return 0
    ids = [c.id for c in customers]
    last_done = dict(db.session.execute(
        select(Visit.customer_id, func.max(Visit.done_on))
        .where(Visit.customer_id.in_(ids), Visit.done_on.is_not(None))
        .group_by(Visit.customer_id)).all())
    open_plans = set(db.session.scalars(
        select(Visit.customer_id).where(Visit.customer_id.in_(ids), Visit.done_on.is_(None),
                                        Visit.cancelled.is_(False))))
    months = cadence_months()
    planned = 0
    for customer in customers:
        if (customer.tier is None or customer.account_manager_id is None
                or customer.status != CustomerStatus.ACTIVE or customer.id in open_plans):
            continue
        due = next_visit_due(last_done.get(customer.id), months[customer.tier], today)
        db.session.add(Visit(customer_id=customer.id, account_manager_id=customer.account_manager_id,
                             planned_on=due, from_plan=True,
                             created_by_id=actor.id if actor else None))
        planned += 1
    return planned


def new_visit(customer: Customer, actor: User) -> Visit:
    """A visit to the customer by its account manager (who must exist), added to the session."""
    visit = Visit(customer_id=customer.id, account_manager_id=customer.account_manager_id,
                  created_by_id=actor.id)
    db.session.add(visit)
    return visit


# --- market expansion (called by the appraisal module) -----------------------------------------

def market_expansion(user_id: int, start: date, end: date) -> dict:
    """New customers and new product lines a person brought in over [start, end].

    - new_customers: customers whose first sale ever falls in the period and is credited to the
      person (they owned the customer on that day);
    - new_product_lines: product lines with sales credited to the person in the period and none
      credited to them in the 12 months before `start`.
    """
    new_customers = 0
    for customer_id, first_on in db.session.execute(_first_sales(start, end)):
        if owner_on(customer_id, first_on) == user_id:
            new_customers += 1

    def lines(since: date, until: date) -> set[int]:
        query = (select(SalesRecord.product_line_id).distinct()
                 .join(CustomerAssignment, credit_join())
                 .where(CustomerAssignment.account_manager_id == user_id,
                        SalesRecord.sold_on >= since, SalesRecord.sold_on <= until))
        return set(db.session.scalars(query))

    before = lines(add_months(start, -12), start - timedelta(days=1))
    return {"new_customers": new_customers,
            "new_product_lines": len(lines(start, end) - before)}
