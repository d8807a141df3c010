"""The visit kinds of service duties, measured on the customers module's visits and cadences:
"visit every customer of a tier at its cadence" and "do planned visits on time".

Registered with the targets module's duty kinds (it measures duties; we know the visits) when
the customers package is imported.
"""
from datetime import date, timedelta
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, or_, select

from portal.customers.services import cadence_months
from portal.extensions import db
from portal.kernel import clock
from portal.kernel.memo import per_request
from portal.kernel.periods import add_months
from portal.kernel.sql import days_between
from portal.models.customers import Customer, CustomerAssignment, Tier, Visit
from portal.models.sales import ServiceDuty
from portal.targets.services import one_decimal, register_duty_kind


def _percent(met: int, due: int) -> Decimal | None:
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


def _owned_and_visited(user_ids: list[int], start: date, end: date):
    """The people's customers (owner, customer, tier, owned from, owned until) and their visits
    done in [start, end] (person, customer, day): read once per request, whatever the number of
    tier duties measured on them, through Core (thousands of plain rows; no objects needed).

    The tier is checked by the caller, not in SQL: a condition on the tier leads SQLite to read
    every customer of the tier company-wide (its index looks selective) instead of the people's
    assignments; a person has a few hundred customers (22 ms against 2 at size L)."""
    def read():
        connection = db.session.connection()
        customers = connection.execute(
            select(CustomerAssignment.account_manager_id, Customer.id, Customer.tier,
                   CustomerAssignment.starts_on, CustomerAssignment.ends_on)
            .join(CustomerAssignment, CustomerAssignment.customer_id == Customer.id)
            .where(CustomerAssignment.account_manager_id.in_(user_ids))).all()
        visits = connection.execute(
            select(Visit.account_manager_id, Visit.customer_id, Visit.done_on).where(
                Visit.account_manager_id.in_(user_ids), Visit.done_on >= start,
                Visit.done_on <= end)).all()
        return customers, visits
    return per_request("_owned_and_visited", (tuple(user_ids), start, end), read)


def measure_tier_cadence_many(duty: ServiceDuty, user_ids: list[int], start: date, end: date
                              ) -> dict[int, Decimal | None]:
    """measure_tier_cadence for several people in two queries (shared by the tier duties)."""
    tier = Tier(duty.tier) if duty.tier else None
    cadences = per_request("cadence_months", None, cadence_months)  # a read per tier duty
    today = clock.today()
    tiers = {tier} if tier else set(Tier)
    owned, visits = _owned_and_visited(user_ids, start, end)
    customers = [row for row in owned if row.tier in tiers]
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
    """measure_plan_on_time for several people, counted by the database: a visit is met when
    done within the grace, due when met or when its grace ran out before today."""
    grace = duty.parameter or 0
    cutoff = clock.today() - timedelta(days=grace)  # planned before it: the grace has run out
    on_time = and_(Visit.done_on.is_not(None),
                   days_between(Visit.done_on, Visit.planned_on) <= grace)
    counts = {user_id: (met, due) for user_id, met, due in db.session.execute(
        select(Visit.account_manager_id, func.count().filter(on_time),
               func.count().filter(or_(on_time, Visit.planned_on < cutoff)))
        .where(Visit.account_manager_id.in_(user_ids), Visit.cancelled.is_(False),
               Visit.planned_on >= start, Visit.planned_on <= end)
        .group_by(Visit.account_manager_id))}
    return {u: _percent(*counts.get(u, (0, 0))) for u in user_ids}


register_duty_kind("visit_tier_cadence", _l("Visit every customer of a tier at its cadence"),
                   measure_tier_cadence, uses_tier=True, measure_many=measure_tier_cadence_many)
register_duty_kind("visit_plan_on_time", _l("Do planned visits on time"), measure_plan_on_time,
                   parameter_label=_l("Days of grace"), measure_many=measure_plan_on_time_many)
