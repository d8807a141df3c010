"""Service duties and how each kind is measured.

A duty kind is a function (duty, user_id, start, end) -> fulfilment % (Decimal) or None when
nothing was due. The visit kinds live here; another module adds its own with
register_duty_kind(), e.g. the complaints module for "complaints_closed_on_time":

    register_duty_kind("complaints_closed_on_time", _l("Close complaints within the deadline"),
                       measure_complaints)
"""
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Callable

from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select

from portal.customers.services import add_months, cadence_months
from portal.extensions import db
from portal.models import User
from portal.models.customers import CustomerAssignment, Customer, Tier, Visit
from portal.models.sales import ServiceDuty


@dataclass(frozen=True)
class DutyKind:
    """A way of measuring a duty."""

    key: str
    label: object
    measure: Callable[[ServiceDuty, int, date, date], Decimal | None]
    #: Whether the duty's tier field means something for this kind.
    uses_tier: bool = False
    #: What the duty's parameter means for this kind, or None when unused.
    parameter_label: object = None


DUTY_KINDS: dict[str, DutyKind] = {}
#: Kinds another module will provide; duties of these kinds can be set up before it arrives.
PENDING_KINDS = {"complaints_closed_on_time": _l("Close complaints within the deadline")}


def register_duty_kind(key: str, label, measure, uses_tier: bool = False,
                       parameter_label=None) -> None:
    """Install a duty kind (other modules call this when they are imported)."""
    DUTY_KINDS[key] = DutyKind(key, label, measure, uses_tier, parameter_label)


def kind_label(key: str):
    """The name of a duty kind, installed or pending."""
    if key in DUTY_KINDS:
        return DUTY_KINDS[key].label
    return PENDING_KINDS.get(key, key)


def kind_choices() -> list[tuple[str, object]]:
    """Every kind a duty may be given."""
    keys = list(DUTY_KINDS) + [k for k in PENDING_KINDS if k not in DUTY_KINDS]
    return [(k, kind_label(k)) for k in keys]


def duties_for(user_id: int) -> list[ServiceDuty]:
    """The active duties that apply to a person by role and area."""
    user = db.session.get(User, user_id)
    if user is None:
        return []
    roles = [r.value for r in user.roles]
    return list(db.session.scalars(
        select(ServiceDuty).where(
            ServiceDuty.active.is_(True), ServiceDuty.role.in_(roles),
            or_(ServiceDuty.area_id.is_(None), ServiceDuty.area_id == user.area_id))
        .order_by(ServiceDuty.id)))


def measure(duty: ServiceDuty, user_id: int, start: date, end: date) -> Decimal | None:
    """A duty's fulfilment % for a person over [start, end]; None if nothing was due or the kind
    is not installed."""
    kind = DUTY_KINDS.get(duty.kind)
    return kind.measure(duty, user_id, start, end) if kind else None


def _percent(met: int, due: int) -> Decimal | None:
    from portal.targets.services import one_decimal

    return one_decimal(Decimal(met) * 100 / due) if due else None


def cadence_windows(start: date, end: date, months: int) -> list[tuple[date, date]]:
    """The calendar windows of `months` months (aligned on January) that [start, end] touches,
    clipped to it: monthly windows are months, quarterly ones quarters, six-monthly halves."""
    months = max(1, min(12, months))
    first = date(start.year, ((start.month - 1) // months) * months + 1, 1)
    windows = []
    while first <= end:
        last = add_months(first, months) - timedelta(days=1)
        windows.append((max(first, start), min(last, end)))
        first = add_months(first, months)
    return windows


def measure_tier_cadence(duty: ServiceDuty, user_id: int, start: date, end: date
                         ) -> Decimal | None:
    """Visit every customer of the tier once per cadence window.

    For each window (a month for a monthly tier, a quarter for quarterly, ...) clipped to the
    period, each customer of the tier that the person owned on the window's last day is due one
    visit done by the person within the window. Fulfilment = windows visited ÷ windows due.
    Windows that have not ended by today are counted only when already visited.
    """
    tier = Tier(duty.tier) if duty.tier else None
    cadences = cadence_months()
    today = date.today()
    tiers = [tier] if tier else list(Tier)
    customers = db.session.execute(
        select(Customer.id, Customer.tier, CustomerAssignment.starts_on, CustomerAssignment.ends_on)
        .join(CustomerAssignment, CustomerAssignment.customer_id == Customer.id)
        .where(CustomerAssignment.account_manager_id == user_id, Customer.tier.in_(tiers))).all()
    visits = db.session.execute(
        select(Visit.customer_id, Visit.done_on).where(
            Visit.account_manager_id == user_id, Visit.done_on >= start, Visit.done_on <= end)
    ).all()
    done: dict[int, list[date]] = {}
    for customer_id, day in visits:
        done.setdefault(customer_id, []).append(day)
    owed: set[tuple[int, date, date]] = set()  # a set: a customer may come back to its owner
    for customer_id, customer_tier, owned_from, owned_until in customers:
        for w_start, w_end in cadence_windows(start, end, cadences[customer_tier]):
            if ((owned_from is None or owned_from <= w_end)
                    and (owned_until is None or w_end < owned_until)):
                owed.add((customer_id, w_start, w_end))
    met = due = 0
    for customer_id, w_start, w_end in owed:
        if any(w_start <= d <= w_end for d in done.get(customer_id, [])):
            met += 1
            due += 1
        elif w_end < today:
            due += 1
    return _percent(met, due)


def measure_plan_on_time(duty: ServiceDuty, user_id: int, start: date, end: date
                         ) -> Decimal | None:
    """Do planned visits on time: of the person's visits planned in the period and not cancelled,
    the share done no later than the planned day plus the duty's parameter (days of grace)."""
    grace = timedelta(days=duty.parameter or 0)
    today = date.today()
    rows = db.session.execute(
        select(Visit.planned_on, Visit.done_on).where(
            Visit.account_manager_id == user_id, Visit.cancelled.is_(False),
            Visit.planned_on >= start, Visit.planned_on <= end)).all()
    met = due = 0
    for planned_on, done_on in rows:
        if done_on is not None and done_on <= planned_on + grace:
            met += 1
            due += 1
        elif planned_on + grace < today:
            due += 1
    return _percent(met, due)


register_duty_kind("visit_tier_cadence", _l("Visit every customer of a tier at its cadence"),
                   measure_tier_cadence, uses_tier=True)
register_duty_kind("visit_plan_on_time", _l("Do planned visits on time"), measure_plan_on_time,
                   parameter_label=_l("Days of grace"))
