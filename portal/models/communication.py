"""Communication: one-on-ones, meetings, their action items, personal tasks, calendar feeds.

Labels in the reader's language live with the modules (their strings belong to the modules'
catalogues): CADENCE_LABELS in portal.one_on_ones.forms, MEETING_KIND_LABELS in portal.meetings.forms.
Private notes have no relationship from OneOnOne on purpose: they are read only through
`portal.one_on_ones.queries.my_private_note`, which filters by the author.
"""
import enum
from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db
from portal.kernel.enums import enum_column
from portal.models.base import utcnow
from portal.models.people import Area, User
from portal.models.versioning import Versioned


class Cadence(enum.StrEnum):
    """How often a manager and a report meet one-on-one."""

    WEEKLY = "weekly"
    FORTNIGHTLY = "fortnightly"
    MONTHLY = "monthly"


class MeetingKind(enum.StrEnum):
    """A team meeting of one area, or a meeting with other departments."""

    TEAM = "team"
    CROSS = "cross"


class OneOnOneSeries(db.Model):
    """The standing one-on-one of a manager with one report."""

    __tablename__ = "one_on_one_series"
    __table_args__ = (UniqueConstraint("manager_id", "report_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    manager_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    manager: Mapped[User] = relationship(foreign_keys=[manager_id])
    report_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    report: Mapped[User] = relationship(foreign_keys=[report_id])
    cadence: Mapped[Cadence] = mapped_column(enum_column(Cadence), default=Cadence.FORTNIGHTLY)
    #: The date the next one-on-one is due; moves on by the cadence when one is scheduled.
    next_date: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    meetings: Mapped[list["OneOnOne"]] = relationship(
        back_populates="series", order_by="OneOnOne.starts_at.desc()", cascade="all, delete-orphan")

    def participant_ids(self) -> set[int]:
        """The two people of this series."""
        return {self.manager_id, self.report_id}


class OneOnOne(db.Model):
    """One meeting of a series: agenda, shared notes, action items, the report's mood."""

    __tablename__ = "one_on_ones"

    id: Mapped[int] = mapped_column(primary_key=True)
    series_id: Mapped[int] = mapped_column(
        ForeignKey("one_on_one_series.id", ondelete="CASCADE"), index=True)
    series: Mapped[OneOnOneSeries] = relationship(back_populates="meetings")
    #: When it starts, naive UTC.
    starts_at: Mapped[datetime] = mapped_column(index=True)
    duration_minutes: Mapped[int] = mapped_column(default=30)
    #: Notes both people read and write.
    shared_notes: Mapped[str] = mapped_column(Text, default="")
    #: Set when the two have met; the cadence counts only held one-on-ones.
    held: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    points: Mapped[list["TalkingPoint"]] = relationship(
        back_populates="one_on_one", order_by="TalkingPoint.id", cascade="all, delete-orphan")
    action_items: Mapped[list["ActionItem"]] = relationship(
        back_populates="one_on_one", order_by="ActionItem.id", cascade="all, delete-orphan")
    mood: Mapped["MoodCheckIn | None"] = relationship(
        back_populates="one_on_one", cascade="all, delete-orphan")


class TalkingPoint(db.Model):
    """A point on a one-on-one's shared agenda."""

    __tablename__ = "talking_points"

    id: Mapped[int] = mapped_column(primary_key=True)
    one_on_one_id: Mapped[int] = mapped_column(
        ForeignKey("one_on_ones.id", ondelete="CASCADE"), index=True)
    one_on_one: Mapped[OneOnOne] = relationship(back_populates="points")
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    author: Mapped[User | None] = relationship()
    text: Mapped[str] = mapped_column(String(500))
    discussed: Mapped[bool] = mapped_column(default=False)
    #: How many earlier one-on-ones this point came from without being discussed.
    carried_over: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class PrivateNote(db.Model):
    """A note on a one-on-one that only its author ever reads."""

    __tablename__ = "private_notes"
    __table_args__ = (UniqueConstraint("one_on_one_id", "author_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    one_on_one_id: Mapped[int] = mapped_column(
        ForeignKey("one_on_ones.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    body: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class MoodCheckIn(db.Model):
    """The report's mood at a one-on-one, seen by the two people only."""

    __tablename__ = "mood_check_ins"
    __table_args__ = (CheckConstraint("score BETWEEN 1 AND 5", name="score_range"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    one_on_one_id: Mapped[int] = mapped_column(
        ForeignKey("one_on_ones.id", ondelete="CASCADE"), unique=True)
    one_on_one: Mapped[OneOnOne] = relationship(back_populates="mood")
    #: 1 (low) to 5 (great).
    score: Mapped[int]
    comment: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Meeting(Versioned, db.Model):
    """A team meeting of an area or a cross-department meeting."""

    __tablename__ = "meetings"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[MeetingKind] = mapped_column(enum_column(MeetingKind), default=MeetingKind.TEAM)
    title: Mapped[str] = mapped_column(String(200))
    #: The area the meeting belongs to; open action items carry over between its meetings.
    area_id: Mapped[int | None] = mapped_column(
        ForeignKey("areas.id", ondelete="SET NULL"), index=True)
    area: Mapped[Area | None] = relationship()
    organiser_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True)
    organiser: Mapped[User | None] = relationship()
    #: When it starts, naive UTC.
    starts_at: Mapped[datetime] = mapped_column(index=True)
    duration_minutes: Mapped[int] = mapped_column(default=60)
    location: Mapped[str] = mapped_column(String(200), default="")
    #: Other departments taking part, as typed (e.g. "市场部, 网络运维部").
    departments: Mapped[str] = mapped_column(String(300), default="")
    agenda: Mapped[str] = mapped_column(Text, default="")
    #: Markdown, rendered sanitised.
    notes: Mapped[str] = mapped_column(Text, default="")
    decisions: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    attendees: Mapped[list["MeetingAttendee"]] = relationship(
        back_populates="meeting", cascade="all, delete-orphan")
    action_items: Mapped[list["ActionItem"]] = relationship(
        back_populates="meeting", order_by="ActionItem.id", cascade="all, delete-orphan")


class MeetingAttendee(db.Model):
    """A person invited to a meeting."""

    __tablename__ = "meeting_attendees"

    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("meetings.id", ondelete="CASCADE"), primary_key=True)
    meeting: Mapped[Meeting] = relationship(back_populates="attendees")
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True)
    user: Mapped[User] = relationship()


class ActionItem(db.Model):
    """Something to do decided at a meeting or a one-on-one; it shows in the owner's tasks."""

    __tablename__ = "action_items"
    __table_args__ = (
        CheckConstraint("(meeting_id IS NULL) <> (one_on_one_id IS NULL)", name="one_source"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    owner: Mapped[User] = relationship(foreign_keys=[owner_id])
    due_date: Mapped[date | None]
    done: Mapped[bool] = mapped_column(default=False, index=True)
    done_at: Mapped[datetime | None]
    meeting_id: Mapped[int | None] = mapped_column(
        ForeignKey("meetings.id", ondelete="CASCADE"), index=True)
    meeting: Mapped[Meeting | None] = relationship(back_populates="action_items")
    one_on_one_id: Mapped[int | None] = mapped_column(
        ForeignKey("one_on_ones.id", ondelete="CASCADE"), index=True)
    one_on_one: Mapped[OneOnOne | None] = relationship(back_populates="action_items")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Task(db.Model):
    """A personal task on someone's own list."""

    __tablename__ = "tasks"

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    notes: Mapped[str] = mapped_column(Text, default="")
    due_date: Mapped[date | None]
    urgent: Mapped[bool] = mapped_column(default=False)
    important: Mapped[bool] = mapped_column(default=False)
    done: Mapped[bool] = mapped_column(default=False, index=True)
    done_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: Order within its quadrant on the board, smallest first (ties by id); the board's moves
    #: renumber the quadrant's open tasks 0, 1, 2, ….
    position: Mapped[int] = mapped_column(default=0, server_default="0")


class CalendarToken(db.Model):
    """The secret of a person's .ics feed; revoking deletes it, a new one replaces it."""

    __tablename__ = "calendar_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    user: Mapped[User] = relationship()
    #: Random URL-safe secret; whoever has it reads the feed, nothing else.
    token: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
