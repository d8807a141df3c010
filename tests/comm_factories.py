"""Builders of communication records for tests (one-on-ones, meetings, tasks)."""
from datetime import date, datetime

from sqlalchemy import select

from portal.extensions import db
from portal.models.communication import (ActionItem, CalendarToken, Cadence, Meeting,
                                         MeetingAttendee, MeetingKind, OneOnOne, OneOnOneSeries,
                                         PrivateNote, TalkingPoint, Task)


def make_series(manager, report, cadence=Cadence.FORTNIGHTLY, next_date=date(2026, 12, 3)):
    """A one-on-one series."""
    series = OneOnOneSeries(manager=manager, report=report, cadence=cadence, next_date=next_date)
    db.session.add(series)
    db.session.flush()
    return series


def make_one_on_one(series, starts_at=datetime(2026, 11, 19, 2, 0), held=False, **kw):
    """A one-on-one of a series."""
    one = OneOnOne(series=series, starts_at=starts_at, held=held, **kw)
    db.session.add(one)
    db.session.flush()
    return one


def make_meeting(organiser, attendees=(), area=None, starts_at=datetime(2026, 11, 20, 1, 0),
                 title="周例会", kind=MeetingKind.TEAM, **kw):
    """A meeting with attendees."""
    meeting = Meeting(organiser=organiser, area=area if area is not None else organiser.area,
                      starts_at=starts_at, title=title, kind=kind, **kw)
    meeting.attendees = [MeetingAttendee(user=u) for u in attendees]
    db.session.add(meeting)
    db.session.flush()
    return meeting


def make_action(owner, meeting=None, one=None, title="跟进客户报价", due=None, done=False):
    """An action item of a meeting or a one-on-one."""
    item = ActionItem(owner=owner, meeting=meeting, one_on_one=one, title=title, due_date=due,
                      done=done)
    db.session.add(item)
    db.session.flush()
    return item


def make_task(owner, title="整理拜访记录", **kw):
    """A personal task."""
    task = Task(owner_id=owner.id, title=title, **kw)
    db.session.add(task)
    db.session.flush()
    return task


def sample_communication(org) -> dict:
    """One of everything for the role × URL matrix, made once per organisation."""
    cached = getattr(org, "_communication", None)
    if cached:
        return cached
    manager1, staff1 = org.users["manager1"], org.users["staff1"]
    series = make_series(manager1, staff1)
    one = make_one_on_one(series)
    point = TalkingPoint(one_on_one=one, author=staff1, text="季度目标")
    db.session.add(point)
    db.session.add(PrivateNote(one_on_one_id=one.id, author_id=manager1.id, body="经理的私人笔记"))
    meeting = make_meeting(manager1, [manager1, staff1])
    token = db.session.scalar(select(CalendarToken).where(CalendarToken.user_id == staff1.id))
    if token is None:
        token = CalendarToken(user_id=staff1.id, token="sample-token-staff1")
        db.session.add(token)
    sample = {
        "series": series, "one": one, "point": point, "meeting": meeting, "token": token,
        "one_action": make_action(staff1, one=one),
        "meeting_action": make_action(staff1, meeting=meeting),
        "task": make_task(staff1),
    }
    db.session.flush()
    org._communication = sample
    return sample
