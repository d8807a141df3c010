"""Scoped queries of the incentives module: what each person may see of pay, rules, awards,
activities. Loaders take the viewer; the pay rules are HR's, so they are empty for anyone else."""
from sqlalchemy import Select, false, select
from sqlalchemy.orm import joinedload, selectinload

from portal import people_picker
from portal.access import managed_user_ids
from portal.extensions import db
from portal.incentives.services import pay_visible_user_ids
from portal.models import Area, ProductLine, Role, User
from portal.models.incentives import (AwardType, BasePay, CommissionRate, Nomination,
                                      NominationStatus, PayoutStatement, PayRuleVersion,
                                      TeamActivity)


def pay_visible_users(viewer) -> Select:
    """The people whose payout statements the viewer may read, by name."""
    return (select(User).where(User.id.in_(pay_visible_user_ids(viewer)))
            .options(selectinload(User.area)).order_by(User.display_name, User.id))


def get_pay_user_or_404(viewer, user_id: int) -> User:
    """The person whose statement is asked for, if the viewer may read their pay; else 404."""
    return db.first_or_404(select(User).where(User.id == user_id,
                                              User.id.in_(pay_visible_user_ids(viewer))))


def payees(viewer, version: PayRuleVersion | None) -> Select:
    """The people whose statements the viewer may read and who have a base pay under the
    version (nobody without a version), by name."""
    query = pay_visible_users(viewer)
    if version is None:
        return query.where(false())
    return query.where(User.id.in_(select(BasePay.user_id).where(BasePay.version_id == version.id)))


def frozen_statements(viewer, approval_id: int) -> Select:
    """The frozen statements of an approved period that the viewer may read."""
    return (select(PayoutStatement).join(User, PayoutStatement.user_id == User.id)
            .where(PayoutStatement.approval_id == approval_id,
                   PayoutStatement.user_id.in_(pay_visible_user_ids(viewer)))
            .options(selectinload(PayoutStatement.user).selectinload(User.area))
            .order_by(User.display_name, User.id))


def rule_versions(viewer) -> Select:
    """The versions of the pay rules the viewer may read (HR: all; nobody else), latest first."""
    query = select(PayRuleVersion).order_by(PayRuleVersion.effective_from.desc())
    return query if viewer.has_role(Role.HR) else query.where(false())


def get_version_or_404(viewer, version_id: int) -> PayRuleVersion:
    """A version of the rules with its parts, if the viewer may read it; else 404."""
    return db.first_or_404(
        rule_versions(viewer).where(PayRuleVersion.id == version_id).options(
            selectinload(PayRuleVersion.multipliers),
            selectinload(PayRuleVersion.base_pays).selectinload(BasePay.user),
            selectinload(PayRuleVersion.commission_rates)
            .selectinload(CommissionRate.product_line)))


def get_rate_or_404(viewer, rate_id: int) -> CommissionRate:
    """A commission rate of a version the viewer may read (HR's), or 404."""
    return db.first_or_404(select(CommissionRate).where(
        CommissionRate.id == rate_id,
        CommissionRate.version_id.in_(rule_versions(viewer).with_only_columns(PayRuleVersion.id)
                                      .order_by(None))))


@people_picker.scope("incentives.payable")
def payable_people(viewer) -> Select:
    """The active people a base pay can be set for (HR sets them; nobody for anyone else), by
    name: the base-pay form's people picker offers them."""
    query = select(User).where(User.active).order_by(User.display_name, User.id)
    return query if viewer.has_role(Role.HR) else query.where(false())


def active_product_lines() -> list[ProductLine]:
    """The product lines a commission rate can be set for."""
    return list(db.session.scalars(select(ProductLine).where(ProductLine.active)
                                   .order_by(ProductLine.code)))


def award_types(active_only: bool = False) -> list[AwardType]:
    """The kinds of award (only those still given, if asked)."""
    query = select(AwardType).order_by(AwardType.id)
    if active_only:
        query = query.where(AwardType.active)
    return list(db.session.scalars(query))


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


@people_picker.scope("incentives.nominee")
def nominable_people(viewer) -> Select:
    """Whom the viewer may nominate: the people they manage; everyone active for HR (the
    nomination form's people picker offers them)."""
    query = select(User).where(User.active).order_by(User.display_name)
    if not viewer.has_role(Role.HR):
        query = query.where(User.id.in_(managed_user_ids(viewer)), User.id != viewer.id)
    return query


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


def get_nomination_or_404(viewer, nomination_id: int) -> Nomination:
    """A nomination the viewer may read (HR: any; a manager: their own), or 404."""
    return db.first_or_404(visible_nominations(viewer).where(Nomination.id == nomination_id))


def winners(limit: int | None = None) -> Select:
    """Awarded nominations, latest decision first: shown to everyone."""
    query = (select(Nomination).where(Nomination.status == NominationStatus.WON)
             .options(joinedload(Nomination.award_type),
                      joinedload(Nomination.nominee),
                      joinedload(Nomination.area))
             .order_by(Nomination.decided_at.desc(), Nomination.id.desc()))
    return query.limit(limit) if limit else query
