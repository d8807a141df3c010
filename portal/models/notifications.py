"""Notifications and reminders: what the portal told whom, the sent-log that makes each reminder
once per event, each person's choices, the outgoing e-mail, and the calendar feed's state.

A notification stores its kind and the values of its message, not a text: it is worded in the
reader's language when shown (and in the recipient's when mailed).
"""
import enum
from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db
from portal.kernel.enums import enum_column
from portal.models.base import utcnow
from portal.models.people import User


class Channel(enum.StrEnum):
    """Where a person wants a kind of reminder: in the portal, by e-mail, both, or not at all."""

    PORTAL = "portal"
    EMAIL = "email"
    BOTH = "both"
    OFF = "off"

    @property
    def in_portal(self) -> bool:
        return self in (Channel.PORTAL, Channel.BOTH)

    @property
    def by_email(self) -> bool:
        return self in (Channel.EMAIL, Channel.BOTH)


class ReminderLog(db.Model):
    """One reminder sent to one person for one event; the unique key makes a pass idempotent."""

    __tablename__ = "reminder_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: "<kind>:<record>:<what of it>:<recipient>", e.g. "complaint_overdue:12:2026-11-27T08:00:7".
    event_key: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(40), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    user: Mapped[User] = relationship()
    #: The channel the person's preference gave at the time (off: logged, nothing shown or sent).
    channel: Mapped[Channel] = mapped_column(enum_column(Channel))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class Notification(db.Model):
    """A message in a person's notification centre; private to its recipient."""

    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_user_read", "user_id", "read_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(40))
    #: The values the kind's message is worded with (names, dates), as shown to the recipient.
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    #: A path inside the portal (the thing the notification is about), e.g. "/complaints/12".
    link: Mapped[str] = mapped_column(String(300), default="")
    #: Urgent ones are mailed at once; the rest wait for the person's daily digest.
    urgent: Mapped[bool] = mapped_column(default=False)
    #: Whether it is shown in the portal (the person chose the portal, or both).
    in_portal: Mapped[bool] = mapped_column(default=True)
    #: Whether it goes out by e-mail, and when it was put in a message (None: not yet).
    by_email: Mapped[bool] = mapped_column(default=False)
    mailed_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    read_at: Mapped[datetime | None]


class NotificationPreference(db.Model):
    """A person's channel for one kind of reminder (no row: the kind's default)."""

    __tablename__ = "notification_preferences"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         primary_key=True)
    kind: Mapped[str] = mapped_column(String(40), primary_key=True)
    channel: Mapped[Channel] = mapped_column(enum_column(Channel))


class DigestSetting(db.Model):
    """When a person gets the daily e-mail digest, and the last day it went out."""

    __tablename__ = "digest_settings"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         primary_key=True)
    #: Hour of the day (company time zone), 0–23.
    hour: Mapped[int] = mapped_column(default=8)
    last_sent_on: Mapped[date | None]


class OutgoingMail(db.Model):
    """An e-mail waiting to be sent, or sent; sending claims it first, so it goes out once."""

    __tablename__ = "outgoing_mail"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"),
                                                index=True)
    recipient: Mapped[str] = mapped_column(String(200))
    subject: Mapped[str] = mapped_column(String(300))
    text_body: Mapped[str] = mapped_column(Text)
    html_body: Mapped[str] = mapped_column(Text)
    #: "urgent" or "digest".
    kind: Mapped[str] = mapped_column(String(20), default="urgent")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: Set by the sender that took it; a claim older than a few minutes is taken over.
    claimed_at: Mapped[datetime | None]
    sent_at: Mapped[datetime | None] = mapped_column(index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str] = mapped_column(String(500), default="")


class CalendarFeedState(db.Model):
    """The last version of a person's .ics feed: its ETag and when it last changed."""

    __tablename__ = "calendar_feed_states"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         primary_key=True)
    etag: Mapped[str] = mapped_column(String(64))
    modified_at: Mapped[datetime] = mapped_column(default=utcnow)
