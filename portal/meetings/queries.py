"""Queries of meetings: organiser, attendees and the head of the meeting's area see it."""
from datetime import datetime, timedelta

from sqlalchemy import Select, or_, select, union
from sqlalchemy.orm import joinedload, selectinload

from portal import people_picker
from portal.extensions import db
from portal.kernel.lists import Listing
from portal.models import Area, Role, User
from portal.models.communication import (ActionItem, CalendarToken, Meeting, MeetingAttendee,
                                         MeetingKind, OneOnOne, OneOnOneSeries)
from portal.models.customers import Customer, Visit
from portal.models.departments import Department, DepartmentMember
from portal.models.notifications import CalendarFeedState


def headed_area_ids(user) -> set[int]:
    """The areas this person heads."""
    return set(db.session.scalars(select(Area.id).where(Area.head_id == user.id)))


def visible_meetings(user) -> Select:
    """Meetings this person organises or attends, and those of the areas they head."""
    attending = select(MeetingAttendee.meeting_id).where(MeetingAttendee.user_id == user.id)
    headed = select(Area.id).where(Area.head_id == user.id)
    return select(Meeting).where(or_(Meeting.organiser_id == user.id,
                                     Meeting.id.in_(attending),
                                     Meeting.area_id.in_(headed)))


def get_meeting_or_404(user, meeting_id: int) -> Meeting:
    """A meeting this person may see, with what its page shows, or 404 (the people joined in)."""
    return db.first_or_404(visible_meetings(user).where(Meeting.id == meeting_id).options(
        joinedload(Meeting.area), joinedload(Meeting.organiser),
        selectinload(Meeting.attendees).joinedload(MeetingAttendee.user),
        selectinload(Meeting.action_items).joinedload(ActionItem.owner)))


SORTS = {"when": Meeting.starts_at, "title": Meeting.title, "kind": Meeting.kind}


def _with_list_data(query: Select) -> Select:
    """The list's data joined in the same statement."""
    return query.options(joinedload(Meeting.area),
                         joinedload(Meeting.organiser))


def meeting_list(user, listing: Listing, now: datetime) -> Select:
    """My meetings searched, filtered (kind, upcoming/past) and sorted, the list's data loaded."""
    query = listing.search(_with_list_data(visible_meetings(user)),
                           Meeting.title, Meeting.departments)
    kind = listing.get("kind", default="")
    if kind in {k.value for k in MeetingKind}:
        query = query.where(Meeting.kind == MeetingKind(kind))
    when = listing.get("when", default="")
    if when == "upcoming":
        query = query.where(Meeting.starts_at >= now)
    elif when == "past":
        query = query.where(Meeting.starts_at < now)
    return listing.order(query, Meeting.id)


def upcoming_meetings(user, now: datetime, limit: int = 5) -> list[Meeting]:
    """My next meetings, soonest first."""
    query = (_with_list_data(visible_meetings(user)).where(Meeting.starts_at >= now)
             .order_by(Meeting.starts_at, Meeting.id).limit(limit))
    return list(db.session.scalars(query).unique())


def carried_action_items(meeting: Meeting) -> list[ActionItem]:
    """Open action items of earlier meetings of the same area: they show until closed."""
    if meeting.area_id is None:
        return []
    earlier = select(Meeting.id).where(Meeting.area_id == meeting.area_id,
                                       Meeting.starts_at < meeting.starts_at)
    return list(db.session.scalars(
        select(ActionItem).where(ActionItem.meeting_id.in_(earlier), ActionItem.done.is_(False))
        .options(selectinload(ActionItem.owner), selectinload(ActionItem.meeting))
        .order_by(ActionItem.due_date.is_(None), ActionItem.due_date, ActionItem.id)))


def get_meeting_action_or_404(user, action_item_id: int) -> ActionItem:
    """An action item of a meeting this person may see, or 404."""
    visible = visible_meetings(user).with_only_columns(Meeting.id)
    return db.first_or_404(select(ActionItem).where(
        ActionItem.id == action_item_id, ActionItem.meeting_id.in_(visible))
        .options(selectinload(ActionItem.meeting)))


@people_picker.scope("meetings.attendee")
def attendee_choices(user) -> Select:
    """Who may be invited: everyone active for HR and admins, else my areas' people, my line
    and the departments' people (cross-department meetings invite them). The attendee picker
    offers them."""
    query = select(User).where(User.active.is_(True)).order_by(User.area_id, User.username)
    if not user.has_role(Role.HR, Role.ADMIN):
        areas = select(Area.id).where(Area.head_id == user.id)
        department_people = union(select(DepartmentMember.user_id),
                                  select(Department.head_id).where(Department.head_id.is_not(None)))
        near = [User.area_id.in_(areas), User.id == user.id, User.manager_id == user.id,
                User.id.in_(department_people)]
        if user.area_id:
            near.append(User.area_id == user.area_id)
        if user.manager_id:
            near.append(User.id == user.manager_id)
        query = query.where(or_(*near))
    return query


def user_by_token(token: str) -> User | None:
    """The active person whose calendar secret this is."""
    return db.session.scalar(select(User).join(CalendarToken, CalendarToken.user_id == User.id)
                             .where(CalendarToken.token == token, User.active.is_(True)))


def calendar_token(user) -> CalendarToken | None:
    """This person's calendar secret, if they made one."""
    return db.session.scalar(select(CalendarToken).where(CalendarToken.user_id == user.id))


def calendar_items(user, now: datetime) -> tuple[list[Meeting], list[OneOnOne]]:
    """The meetings I organise or attend and my one-on-ones, from 30 days ago on."""
    since = now - timedelta(days=30)
    attending = select(MeetingAttendee.meeting_id).where(MeetingAttendee.user_id == user.id)
    meetings = db.session.scalars(
        select(Meeting).where(or_(Meeting.organiser_id == user.id, Meeting.id.in_(attending)),
                              Meeting.starts_at >= since).order_by(Meeting.starts_at)).all()
    ones = db.session.scalars(
        select(OneOnOne).join(OneOnOneSeries)
        .where(or_(OneOnOneSeries.manager_id == user.id, OneOnOneSeries.report_id == user.id),
               OneOnOne.starts_at >= since)
        .options(selectinload(OneOnOne.series).selectinload(OneOnOneSeries.manager),
                 selectinload(OneOnOne.series).selectinload(OneOnOneSeries.report))
        .order_by(OneOnOne.starts_at)).all()
    return list(meetings), list(ones)


def calendar_visits(user, now: datetime) -> list[Visit]:
    """My planned customer visits (not done, not cancelled) to customers I own, from 30 days ago."""
    since = (now - timedelta(days=30)).date()
    return list(db.session.scalars(
        select(Visit).join(Customer, Visit.customer_id == Customer.id)
        .where(Visit.account_manager_id == user.id, Customer.account_manager_id == user.id,
               Visit.done_on.is_(None), Visit.cancelled.is_(False), Visit.planned_on >= since)
        .options(selectinload(Visit.customer)).order_by(Visit.planned_on, Visit.id)))


def feed_state(user) -> CalendarFeedState | None:
    """The last ETag of my feed and when it changed."""
    return db.session.get(CalendarFeedState, user.id)
