"""Queries of the careers module, every one scoped to the people the viewer may see."""
from sqlalchemy import Select, func, select
from sqlalchemy.orm import selectinload

from portal.access import visible_user_ids
from portal.extensions import db
from portal.kernel.lists import Listing
from portal.models import Area, User
from portal.models.careers import (CareerGoal, CareerLevel, CareerMilestone, CareerPlan,
                                   CareerReview, Readiness)

#: The people list: its filters and sort keys.
PEOPLE_FILTERS = ("readiness",)
PEOPLE_SORTS = {"name": User.display_name, "area": Area.code,
                "review": CareerPlan.next_review_on}


def ladder() -> list[CareerLevel]:
    """The levels of the ladder, bottom first (readable by everyone signed in)."""
    return list(db.session.scalars(select(CareerLevel).order_by(CareerLevel.rank, CareerLevel.id)))


def get_level_or_404(viewer: User, level_id: int) -> CareerLevel:
    """A level of the ladder (readable by everyone signed in), or 404."""
    return db.first_or_404(select(CareerLevel).where(CareerLevel.id == level_id))


def level_code_taken(code: str, level: CareerLevel | None) -> bool:
    """Whether another level has this code (compared case-insensitively)."""
    query = select(CareerLevel.id).where(func.lower(CareerLevel.code) == code.lower())
    if level is not None:
        query = query.where(CareerLevel.id != level.id)
    return db.session.scalar(query) is not None


def plan_people(viewer: User, listing: Listing) -> Select:
    """The people the viewer may see, searched, filtered by their plan's readiness, sorted."""
    query = (select(User)
             .outerjoin(CareerPlan, CareerPlan.user_id == User.id)
             .outerjoin(Area, User.area_id == Area.id)
             .where(User.id.in_(visible_user_ids(viewer)), User.active)
             .options(selectinload(User.area)))
    query = listing.search(query, User.display_name, User.username)
    readiness = listing.get("readiness", default="")
    if readiness in {r.value for r in Readiness}:
        query = query.where(CareerPlan.readiness == Readiness(readiness))
    elif readiness == "none":
        query = query.where(CareerPlan.id.is_(None))
    return listing.order(query, User.id)


def plans_by_user(user_ids) -> dict[int, CareerPlan]:
    """The plans of these people (already checked visible), by person, in one query."""
    ids = list(user_ids)
    if not ids:
        return {}
    plans = db.session.scalars(
        select(CareerPlan).where(CareerPlan.user_id.in_(ids))
        .options(selectinload(CareerPlan.current_level), selectinload(CareerPlan.target_level)))
    return {p.user_id: p for p in plans}


def plan_of(user_id: int) -> CareerPlan | None:
    """A person's plan (the caller checked the person is visible) with all it shows."""
    return db.session.scalar(
        select(CareerPlan).where(CareerPlan.user_id == user_id)
        .options(selectinload(CareerPlan.current_level), selectinload(CareerPlan.target_level),
                 selectinload(CareerPlan.goals).selectinload(CareerGoal.milestones),
                 selectinload(CareerPlan.courses),
                 selectinload(CareerPlan.reviews).selectinload(CareerReview.reviewer)))


def visible_plans(viewer: User) -> Select:
    """Plans of the people the viewer may see."""
    return select(CareerPlan).where(CareerPlan.user_id.in_(visible_user_ids(viewer)))


def get_goal_or_404(viewer: User, goal_id: int) -> CareerGoal:
    """A goal of a plan the viewer may see, or 404."""
    return db.first_or_404(
        select(CareerGoal).join(CareerPlan)
        .where(CareerGoal.id == goal_id, CareerPlan.user_id.in_(visible_user_ids(viewer))))


def get_milestone_or_404(viewer: User, milestone_id: int) -> CareerMilestone:
    """A milestone of a plan the viewer may see, or 404."""
    return db.first_or_404(
        select(CareerMilestone).join(CareerGoal).join(CareerPlan)
        .where(CareerMilestone.id == milestone_id,
               CareerPlan.user_id.in_(visible_user_ids(viewer))))


def get_review_or_404(viewer: User, review_id: int) -> CareerReview:
    """A review of a plan the viewer may see, or 404."""
    return db.first_or_404(
        select(CareerReview).join(CareerPlan)
        .where(CareerReview.id == review_id, CareerPlan.user_id.in_(visible_user_ids(viewer)))
        .options(selectinload(CareerReview.plan).selectinload(CareerPlan.user),
                 selectinload(CareerReview.reviewer)))
