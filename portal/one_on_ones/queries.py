"""Queries of one-on-ones: the two people of a series read it; nobody else does."""
from datetime import date

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from portal.extensions import db
from portal.kernel.lists import Listing
from portal.models import Role, User
from portal.models.communication import (ActionItem, MoodCheckIn, OneOnOne, OneOnOneSeries,
                                         PrivateNote, TalkingPoint)
from portal.one_on_ones.services import MOOD_TREND_LENGTH


def is_current():
    """A condition: the series' manager is still the report's manager. Access follows the
    current reporting line: after a reorganisation the former manager's series is closed to
    them (they keep reading the one-on-ones they held) and the new manager starts a new one."""
    line = (select(User.manager_id).where(User.id == OneOnOneSeries.report_id)
            .correlate(OneOnOneSeries).scalar_subquery())
    return OneOnOneSeries.manager_id == line


def _takes_part(user):
    """The report of a series, or its manager while the reporting line still holds."""
    return or_(OneOnOneSeries.report_id == user.id,
               (OneOnOneSeries.manager_id == user.id) & is_current())


def visible_series(user) -> Select:
    """The series this person takes part in: as report, or as the report's current manager."""
    return select(OneOnOneSeries).where(_takes_part(user))


def get_series_or_404(user, series_id: int) -> OneOnOneSeries:
    """A series this person takes part in, or 404."""
    return db.first_or_404(visible_series(user).where(OneOnOneSeries.id == series_id)
                           .options(selectinload(OneOnOneSeries.manager),
                                    selectinload(OneOnOneSeries.report)))


def visible_one_on_ones(user, writing: bool = False) -> Select:
    """The one-on-ones of the series this person takes part in; to read, also those a former
    manager held (never to change: they cannot add to the series any more)."""
    condition = _takes_part(user)
    if not writing:
        condition = or_(condition, (OneOnOneSeries.manager_id == user.id) & OneOnOne.held.is_(True))
    return select(OneOnOne).join(OneOnOneSeries).where(condition)


def may_change(user, one: OneOnOne) -> bool:
    """Whether this person may still add to this one-on-one (not a former manager)."""
    return db.session.scalar(visible_one_on_ones(user, writing=True)
                             .where(OneOnOne.id == one.id).with_only_columns(OneOnOne.id)) is not None


def get_one_on_one_or_404(user, one_on_one_id: int, writing: bool = False) -> OneOnOne:
    """A one-on-one this person takes part in (to change it: as report or current manager),
    with what its page shows, or 404. Nothing is joined to the one-on-one itself: the notes'
    save refreshes it FOR UPDATE, which PostgreSQL refuses across an outer join."""
    series = selectinload(OneOnOne.series)
    return db.first_or_404(
        visible_one_on_ones(user, writing).where(OneOnOne.id == one_on_one_id).options(
            series.joinedload(OneOnOneSeries.manager),
            series.joinedload(OneOnOneSeries.report),
            selectinload(OneOnOne.points).joinedload(TalkingPoint.author),
            selectinload(OneOnOne.action_items).joinedload(ActionItem.owner),
            selectinload(OneOnOne.mood)))


def my_private_note(user, one_on_one_id: int) -> PrivateNote | None:
    """The signed-in person's own private note on a one-on-one: the only way notes are read."""
    return db.session.scalar(select(PrivateNote).where(
        PrivateNote.one_on_one_id == one_on_one_id, PrivateNote.author_id == user.id))


def series_list(user) -> Select:
    """My series, the people loaded, soonest due first."""
    return (visible_series(user)
            # Both people joined in.
            .options(joinedload(OneOnOneSeries.manager),
                     joinedload(OneOnOneSeries.report))
            .order_by(OneOnOneSeries.next_date.is_(None), OneOnOneSeries.next_date,
                      OneOnOneSeries.id))


def previous_one_on_one(series: OneOnOneSeries) -> OneOnOne | None:
    """The latest one-on-one of a series, with its points."""
    return db.session.scalar(
        select(OneOnOne).where(OneOnOne.series_id == series.id)
        .options(selectinload(OneOnOne.points))
        .order_by(OneOnOne.starts_at.desc(), OneOnOne.id.desc()).limit(1))


def last_held_dates(series_ids) -> dict[int, date]:
    """The start of the latest held one-on-one of each series."""
    rows = db.session.execute(
        select(OneOnOne.series_id, func.max(OneOnOne.starts_at))
        .where(OneOnOne.series_id.in_(series_ids), OneOnOne.held.is_(True))
        .group_by(OneOnOne.series_id))
    return {series_id: at.date() for series_id, at in rows}


def recent_moods(series_ids) -> dict[int, list[int]]:
    """The last MOOD_TREND_LENGTH mood scores of each series, oldest first (one query)."""
    rank = func.row_number().over(partition_by=OneOnOne.series_id,
                                  order_by=OneOnOne.starts_at.desc()).label("rank")
    inner = (select(OneOnOne.series_id, OneOnOne.starts_at, MoodCheckIn.score, rank)
             .join(MoodCheckIn, MoodCheckIn.one_on_one_id == OneOnOne.id)
             .where(OneOnOne.series_id.in_(series_ids)).subquery())
    rows = db.session.execute(
        select(inner.c.series_id, inner.c.score).where(inner.c.rank <= MOOD_TREND_LENGTH)
        .order_by(inner.c.series_id, inner.c.starts_at))
    moods: dict[int, list[int]] = {}
    for series_id, score in rows:
        moods.setdefault(series_id, []).append(score)
    return moods


def cadence_series(user) -> Select:
    """The series whose cadence this person may see: a manager their own, HR every one."""
    query = select(OneOnOneSeries).options(selectinload(OneOnOneSeries.manager),
                                           selectinload(OneOnOneSeries.report))
    if user.has_role(Role.HR):
        return query
    return query.where(OneOnOneSeries.manager_id == user.id, is_current())


def reports_without_series(user) -> list[User]:
    """My direct reports I have no one-on-one series with yet."""
    return list(db.session.scalars(
        select(User).where(User.manager_id == user.id, User.active.is_(True),
                           User.id.not_in(select(OneOnOneSeries.report_id)
                                          .where(OneOnOneSeries.manager_id == user.id)))
        .order_by(User.username)))


def overdue_action_items(series: OneOnOneSeries, today: date) -> list[ActionItem]:
    """Open action items past due of the series' one-on-ones, and the report's from meetings."""
    from_series = select(OneOnOne.id).where(OneOnOne.series_id == series.id)
    return list(db.session.scalars(
        select(ActionItem).where(
            ActionItem.done.is_(False), ActionItem.due_date < today,
            or_(ActionItem.one_on_one_id.in_(from_series),
                (ActionItem.meeting_id.is_not(None)) & (ActionItem.owner_id == series.report_id)))
        .options(selectinload(ActionItem.owner)).order_by(ActionItem.due_date).limit(10)))


def report_choices(manager) -> list[tuple[int, str]]:
    """The people a manager may start a series with: direct reports without one yet."""
    return [(u.id, u.display_name) for u in reports_without_series(manager)]


#: The report of a series, joined under its own name for search and sort.
_REPORT = User.__table__.alias("report")
#: When a series' last one-on-one was held.
_LAST_HELD = (select(func.max(OneOnOne.starts_at))
              .where(OneOnOne.series_id == OneOnOneSeries.id, OneOnOne.held.is_(True))
              .correlate(OneOnOneSeries).scalar_subquery())
CADENCE_SORTS = {"name": _REPORT.c.display_name, "last": _LAST_HELD,
                 "next": OneOnOneSeries.next_date, "manager": OneOnOneSeries.manager_id}


def cadence_list(user, listing: Listing, today: date) -> Select:
    """The series of the cadence view, searched, filtered and sorted in SQL for pagination."""
    query = cadence_series(user).join(_REPORT, _REPORT.c.id == OneOnOneSeries.report_id)
    query = listing.search(query, _REPORT.c.display_name, _REPORT.c.username)
    if listing.get("overdue") == "1":
        query = query.where(OneOnOneSeries.next_date < today)
    return listing.order(query, OneOnOneSeries.id)


def get_point_or_404(user, talking_point_id: int) -> TalkingPoint:
    """A talking point of a one-on-one this person takes part in, or 404."""
    visible = visible_one_on_ones(user, writing=True).with_only_columns(OneOnOne.id)
    return db.first_or_404(select(TalkingPoint).where(
        TalkingPoint.id == talking_point_id, TalkingPoint.one_on_one_id.in_(visible)))


def get_one_on_one_action_or_404(user, action_item_id: int) -> ActionItem:
    """An action item of a one-on-one this person takes part in, or 404."""
    visible = visible_one_on_ones(user, writing=True).with_only_columns(OneOnOne.id)
    return db.first_or_404(select(ActionItem).where(
        ActionItem.id == action_item_id, ActionItem.one_on_one_id.in_(visible)))
