"""Service duties and how each kind is measured.

A duty kind is a function (duty, user_id, start, end) -> fulfilment % (Decimal) or None when
nothing was due. This module is the registry and imports no other module, so any module may
register its kinds (through portal.targets.services): the customers module adds the visit kinds
(portal/customers/duties.py), the complaints module "complaints_closed_on_time":

    register_duty_kind("complaints_closed_on_time", _l("Close complaints within the deadline"),
                       measure_complaints)
"""
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Callable

from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select

from portal.extensions import db
from portal.models import User
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
