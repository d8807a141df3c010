"""Scoped queries of the incentives module: what each person may see of pay, awards, activities."""
from flask import abort
from sqlalchemy import Select, select
from sqlalchemy.orm import joinedload, selectinload

from portal.access import managed_user_ids
from portal.extensions import db
from portal.incentives.services import pay_visible_user_ids
from portal.models import Area, Role, User
from portal.models.incentives import (CommissionRate, Nomination, NominationStatus,
                                      PayoutStatement, TeamActivity)


def pay_visible_users(viewer) -> Select:
    """The people whose payout statements the viewer may read, by name."""
    return (select(User).where(User.id.in_(pay_visible_user_ids(viewer)))
            .options(selectinload(User.area)).order_by(User.display_name, User.id))


def get_pay_user_or_404(viewer, user_id: int) -> User:
    """The person whose statement is asked for, if the viewer may read their pay; else 404."""
    return db.first_or_404(select(User).where(User.id == user_id,
                                              User.id.in_(pay_visible_user_ids(viewer))))


def frozen_statements(viewer, approval_id: int) -> Select:
    """The frozen statements of an approved period that the viewer may read."""
    return (select(PayoutStatement).join(User, PayoutStatement.user_id == User.id)
            .where(PayoutStatement.approval_id == approval_id,
                   PayoutStatement.user_id.in_(pay_visible_user_ids(viewer)))
            .options(selectinload(PayoutStatement.user).selectinload(User.area))
            .order_by(User.display_name, User.id))


def get_rate_or_404(rate_id: int) -> CommissionRate:
    """A commission rate, for HR (who sees every rule), or 404."""
    return db.first_or_404(select(CommissionRate).where(CommissionRate.id == rate_id))


def area_ids_of(viewer) -> list[int]:
    """The areas whose team life the viewer sees: all for HR and admins; else own and headed."""
    if viewer.has_role(Role.HR, Role.ADMIN):
        return list(db.session.scalars(select(Area.id)))
    headed = db.session.scalars(select(Area.id).where(Area.head_id == viewer.id)).all()
    return sorted(set(headed) | ({viewer.area_id} if viewer.area_id else set()))


def headed_areas(viewer) -> list[Area]:
    """The areas the viewer may log activities or nominate teams for: headed ones; all for HR."""
    query = select(Area).order_by(Area.code)
    if not viewer.has_role(Role.HR):
        query = query.where(Area.head_id == viewer.id)
    return list(db.session.scalars(query))


def visible_activities(viewer) -> Select:
    """The team activities of the areas the viewer sees, latest first."""
    return (select(TeamActivity).where(TeamActivity.area_id.in_(area_ids_of(viewer)))
            .options(selectinload(TeamActivity.area))
            .order_by(TeamActivity.held_on.desc(), TeamActivity.id.desc()))


def nominable_people(viewer) -> list[User]:
    """Whom the viewer may nominate: the people they manage; everyone active for HR."""
    query = select(User).where(User.active).order_by(User.display_name)
    if not viewer.has_role(Role.HR):
        query = query.where(User.id.in_(managed_user_ids(viewer)), User.id != viewer.id)
    return list(db.session.scalars(query))


def visible_nominations(viewer) -> Select:
    """Nominations the viewer may read: all for HR, their own for a manager, none otherwise.

    Winners are public and listed by `winners()`.
    """
    query = (select(Nomination)
             .options(selectinload(Nomination.award_type), selectinload(Nomination.nominee),
                      selectinload(Nomination.area), selectinload(Nomination.nominated_by))
             .order_by(Nomination.created_at.desc(), Nomination.id.desc()))
    if viewer.has_role(Role.HR):
        return query
    return query.where(Nomination.nominated_by_id == viewer.id)


def get_nomination_for_hr_or_404(viewer, nomination_id: int) -> Nomination:
    """A nomination HR decides on; 404 for anyone else."""
    if not viewer.has_role(Role.HR):
        abort(404)
    return db.first_or_404(visible_nominations(viewer).where(Nomination.id == nomination_id))


def winners(limit: int | None = None) -> Select:
    """Awarded nominations, latest decision first: shown to everyone."""
    query = (select(Nomination).where(Nomination.status == NominationStatus.WON)
             .options(joinedload(Nomination.award_type),
                      joinedload(Nomination.nominee).lazyload(User.role_rows),
                      joinedload(Nomination.area))
             .order_by(Nomination.decided_at.desc(), Nomination.id.desc()))
    return query.limit(limit) if limit else query
