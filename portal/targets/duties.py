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
    #: The same measure for many people in a few queries: (duty, user_ids, start, end) ->
    #: {user_id: % or None}; None: `measure` is called once per person.
    measure_many: Callable[[ServiceDuty, list[int], date, date], dict[int, Decimal | None]] | None = None


DUTY_KINDS: dict[str, DutyKind] = {}
#: Kinds another module will provide; duties of these kinds can be set up before it arrives.
PENDING_KINDS = {"complaints_closed_on_time": _l("Close complaints within the deadline")}


def register_duty_kind(key: str, label, measure, uses_tier: bool = False,
                       parameter_label=None, measure_many=None) -> None:
    """Install a duty kind (other modules call this when they are imported)."""
    DUTY_KINDS[key] = DutyKind(key, label, measure, uses_tier, parameter_label, measure_many)


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


def duties_for_people(users: list[User]) -> dict[int, list[ServiceDuty]]:
    """duties_for of several people (their roles loaded) in one query: {user id: duties}."""
    duties = list(db.session.scalars(select(ServiceDuty).where(ServiceDuty.active.is_(True))
                                     .order_by(ServiceDuty.id)))
    return {u.id: [d for d in duties if d.role in {r.value for r in u.roles}
                   and (d.area_id is None or d.area_id == u.area_id)] for u in users}


def measure_people(applying: dict[int, list[ServiceDuty]], start: date, end: date
                   ) -> dict[tuple[int, int], Decimal | None]:
    """measure() of every (duty, person) of `applying`, one batch per duty: {(duty id, user id): %}."""
    people_of: dict[int, list[int]] = {}
    duties: dict[int, ServiceDuty] = {}
    for user_id, user_duties in applying.items():
        for duty in user_duties:
            duties[duty.id] = duty
            people_of.setdefault(duty.id, []).append(user_id)
    values = {}
    for duty_id, user_ids in people_of.items():
        duty, kind = duties[duty_id], DUTY_KINDS.get(duties[duty_id].kind)
        if kind is None:
            measured = dict.fromkeys(user_ids)
        elif kind.measure_many:
            measured = kind.measure_many(duty, user_ids, start, end)
        else:
            measured = {u: kind.measure(duty, u, start, end) for u in user_ids}
        values.update({(duty_id, u): measured.get(u) for u in user_ids})
    return values


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
    return measure_tier_cadence_many(duty, [user_id], start, end)[user_id]


def measure_tier_cadence_many(duty: ServiceDuty, user_ids: list[int], start: date, end: date
                              ) -> dict[int, Decimal | None]:
    """measure_tier_cadence for several people in two queries."""
    tier = Tier(duty.tier) if duty.tier else None
    cadences = cadence_months()
    today = date.today()
    tiers = [tier] if tier else list(Tier)
    customers = db.session.execute(
        select(CustomerAssignment.account_manager_id, Customer.id, Customer.tier,
               CustomerAssignment.starts_on, CustomerAssignment.ends_on)
        .join(CustomerAssignment, CustomerAssignment.customer_id == Customer.id)
        .where(CustomerAssignment.account_manager_id.in_(user_ids), Customer.tier.in_(tiers))
    ).all()
    visits = db.session.execute(
        select(Visit.account_manager_id, Visit.customer_id, Visit.done_on).where(
            Visit.account_manager_id.in_(user_ids), Visit.done_on >= start, Visit.done_on <= end)
    ).all()
    done: dict[tuple[int, int], list[date]] = {}
    for user_id, customer_id, day in visits:
        done.setdefault((user_id, customer_id), []).append(day)
    windows = {t: cadence_windows(start, end, cadences[t]) for t in Tier}
    # a set per person: a customer may come back to its owner
    owed: dict[int, set[tuple[int, date, date]]] = {u: set() for u in user_ids}
    for user_id, customer_id, customer_tier, owned_from, owned_until in customers:
        for w_start, w_end in windows[customer_tier]:
            if ((owned_from is None or owned_from <= w_end)
                    and (owned_until is None or w_end < owned_until)):
                owed[user_id].add((customer_id, w_start, w_end))
    result = {}
    for user_id, windows_owed in owed.items():
        met = due = 0
        for customer_id, w_start, w_end in windows_owed:
            if any(w_start <= d <= w_end for d in done.get((user_id, customer_id), [])):
                met += 1
                due += 1
            elif w_end < today:
                due += 1
        result[user_id] = _percent(met, due)
    return result


def measure_plan_on_time(duty: ServiceDuty, user_id: int, start: date, end: date
                         ) -> Decimal | None:
    """Do planned visits on time: of the person's visits planned in the period and not cancelled,
    the share done no later than the planned day plus the duty's parameter (days of grace)."""
    return measure_plan_on_time_many(duty, [user_id], start, end)[user_id]


def measure_plan_on_time_many(duty: ServiceDuty, user_ids: list[int], start: date, end: date
                              ) -> dict[int, Decimal | None]:
    """measure_plan_on_time for several people in one query."""
    grace = timedelta(days=duty.parameter or 0)
    today = date.today()
    rows = db.session.execute(
        select(Visit.account_manager_id, Visit.planned_on, Visit.done_on).where(
            Visit.account_manager_id.in_(user_ids), Visit.cancelled.is_(False),
            Visit.planned_on >= start, Visit.planned_on <= end)).all()
    met = dict.fromkeys(user_ids, 0)
    due = dict.fromkeys(user_ids, 0)
    for user_id, planned_on, done_on in rows:
        if done_on is not None and done_on <= planned_on + grace:
            met[user_id] += 1
            due[user_id] += 1
        elif planned_on + grace < today:
            due[user_id] += 1
    return {u: _percent(met[u], due[u]) for u in user_ids}


register_duty_kind("visit_tier_cadence", _l("Visit every customer of a tier at its cadence"),
                   measure_tier_cadence, uses_tier=True, measure_many=measure_tier_cadence_many)
register_duty_kind("visit_plan_on_time", _l("Do planned visits on time"), measure_plan_on_time,
                   parameter_label=_l("Days of grace"), measure_many=measure_plan_on_time_many)
