"""Scoped queries of the reviews module."""
from sqlalchemy import Select, or_, select
from sqlalchemy.orm import selectinload

from portal.extensions import db
from portal.kernel.lists import Listing, like_pattern
from portal.models import Area, Role, User
from portal.models.reviews import BestPractice, Review, ReviewAction, ReviewKind


def visible_area_ids(viewer) -> list[int]:
    """Areas whose reviews the viewer reads: all for HR and admins; else own and headed areas."""
    if viewer.has_role(Role.HR, Role.ADMIN):
        return list(db.session.scalars(select(Area.id)))
    headed = db.session.scalars(select(Area.id).where(Area.head_id == viewer.id)).all()
    return sorted(set(headed) | ({viewer.area_id} if viewer.area_id else set()))


def writable_areas(viewer) -> list[Area]:
    """Areas the viewer may write reviews for: the ones they head; every one for HR."""
    query = select(Area).order_by(Area.code)
    if not viewer.has_role(Role.HR):
        query = query.where(Area.head_id == viewer.id)
    return list(db.session.scalars(query))


def can_write(viewer, review: Review) -> bool:
    """Whether the viewer may change this review (head of its area, or HR)."""
    return viewer.has_role(Role.HR) or review.area.head_id == viewer.id


def visible_reviews(viewer) -> Select:
    """Reviews of the areas the viewer sees, latest period first."""
    return (select(Review).where(Review.area_id.in_(visible_area_ids(viewer)))
            .options(selectinload(Review.area), selectinload(Review.actions))
            .order_by(Review.starts_on.desc(), Review.kind, Review.id.desc()))


def review_list(viewer, listing: Listing) -> Select:
    """The viewer's reviews filtered by area and kind and searched in their three sections."""
    query = listing.search(visible_reviews(viewer), Review.went_well, Review.did_not,
                           Review.changes)
    area_id = listing.get("area", type=int)
    if area_id:
        query = query.where(Review.area_id == area_id)
    kind = listing.get("kind", default="")
    if kind in {k.value for k in ReviewKind}:
        query = query.where(Review.kind == ReviewKind(kind))
    return query


def visible_areas(viewer) -> list[Area]:
    """The areas whose reviews the viewer reads, for the list's filter."""
    return list(db.session.scalars(select(Area).where(Area.id.in_(visible_area_ids(viewer)))
                                   .order_by(Area.code)))


def review_taken(area_id: int, period_key: str) -> bool:
    """Whether the area already has a review of the period."""
    return db.session.scalar(select(Review.id).where(Review.area_id == area_id,
                                                     Review.period == period_key)) is not None


def get_review_or_404(viewer, review_id: int) -> Review:
    """A review the viewer may read, else 404."""
    return db.first_or_404(visible_reviews(viewer).where(Review.id == review_id)
                           .options(selectinload(Review.actions).selectinload(ReviewAction.owner)))


def carried_over(review: Review) -> list[ReviewAction]:
    """Open actions of the same area's earlier reviews: they carry over to this one."""
    return list(db.session.scalars(
        select(ReviewAction).join(Review)
        .where(Review.area_id == review.area_id, Review.starts_on < review.starts_on,
               ReviewAction.done_at.is_(None))
        .options(selectinload(ReviewAction.owner), selectinload(ReviewAction.review))
        .order_by(ReviewAction.due_on, ReviewAction.id)))


def get_action_or_404(viewer, action_id: int) -> ReviewAction:
    """An action of a review the viewer may read, else 404."""
    return db.first_or_404(
        select(ReviewAction).join(Review)
        .where(ReviewAction.id == action_id, Review.area_id.in_(visible_area_ids(viewer))))


def action_owner_choices(review: Review) -> list[User]:
    """Who may own an action: the area's head and members."""
    query = select(User).where(User.active, or_(User.area_id == review.area_id,
                                                User.id == review.area.head_id))
    return list(db.session.scalars(query.order_by(User.display_name)))


def practices(viewer) -> Select:
    """The best-practice library (shared with everyone), newest first."""
    return (select(BestPractice).options(selectinload(BestPractice.author))
            .order_by(BestPractice.created_at.desc(), BestPractice.id.desc()))


def practice_list(viewer, listing: Listing) -> Select:
    """The library searched and filtered by tag."""
    query = listing.search(practices(viewer), BestPractice.title, BestPractice.body,
                           BestPractice.tags)
    tag = (listing.get("tag") or "").strip()
    if tag:
        padded = " " + BestPractice.tags + " "
        word = like_pattern(tag)[1:-1]  # the tag, lower-cased, wildcards escaped
        query = query.where(padded.like(f"% {word} %", escape="\\"))
    return query


def get_practice_or_404(viewer, practice_id: int) -> BestPractice:
    """A best practice (the library is readable by everyone), else 404."""
    return db.first_or_404(practices(viewer).where(BestPractice.id == practice_id))
