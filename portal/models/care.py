"""Customer care (/care): campaigns of greetings and thanks, one care task per customer."""
import enum
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db
from portal.kernel.enums import enum_column
from portal.models.base import utcnow


class CareMethod(enum.StrEnum):
    VISIT = "visit"
    CALL = "call"
    WECHAT = "wechat"
    GIFT = "gift"


CARE_LABELS = {
    CareMethod.VISIT: _l("Visit"),
    CareMethod.CALL: _l("Call"),
    CareMethod.WECHAT: _l("WeChat"),
    CareMethod.GIFT: _l("Gift"),
}


class EventKind(enum.StrEnum):
    THANKS = "thanks"
    LAUNCH = "launch"
    TRAINING = "training"


class Rsvp(enum.StrEnum):
    PENDING = "pending"
    YES = "yes"
    NO = "no"


CARE_LABELS.update({
    EventKind.THANKS: _l("Thank-you gathering"),
    EventKind.LAUNCH: _l("Product launch"),
    EventKind.TRAINING: _l("Product training"),
    Rsvp.PENDING: _l("No answer yet"),
    Rsvp.YES: _l("Coming"),
    Rsvp.NO: _l("Not coming"),
})


class CareEvent(db.Model):
    """A customer event (答谢会, product launch, training): date, place, capacity."""

    __tablename__ = "care_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[EventKind] = mapped_column(enum_column(EventKind), default=EventKind.THANKS)
    title: Mapped[str] = mapped_column(String(200))
    held_on: Mapped[date] = mapped_column(index=True)
    place: Mapped[str] = mapped_column(String(200), default="")
    capacity: Mapped[int] = mapped_column(default=50)
    area_id: Mapped[int | None] = mapped_column(ForeignKey("areas.id", ondelete="SET NULL"),
                                                index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: When the follow-up tasks were made (once).
    followed_up_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    invitations: Mapped[list["CareInvitation"]] = relationship(
        back_populates="event", cascade="all, delete-orphan", order_by="CareInvitation.id")


class CareInvitation(db.Model):
    """A customer (and its contact) invited to an event, with the RSVP and the attendance."""

    __tablename__ = "care_invitations"
    __table_args__ = (UniqueConstraint("event_id", "customer_id", name="one_invitation_per_customer"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("care_events.id", ondelete="CASCADE"),
                                          index=True)
    event: Mapped[CareEvent] = relationship(back_populates="invitations")
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"),
                                             index=True)
    customer = relationship("Customer")
    contact_name: Mapped[str] = mapped_column(String(100), default="")
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    rsvp: Mapped[Rsvp] = mapped_column(enum_column(Rsvp), default=Rsvp.PENDING)
    attended: Mapped[bool] = mapped_column(default=False)


class CareCampaign(db.Model):
    """A care campaign (春节 / 中秋 greetings, a year-end thank-you) over chosen customers."""

    __tablename__ = "care_campaigns"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    message: Mapped[str] = mapped_column(Text, default="")
    #: Contacts are due by this day to count as on time.
    due_on: Mapped[date]
    area_id: Mapped[int | None] = mapped_column(ForeignKey("areas.id", ondelete="SET NULL"),
                                                index=True)
    area = relationship("Area")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_by = relationship("User")
    #: The form's one-time token: a second submit of the same form finds this campaign.
    submit_token: Mapped[str | None] = mapped_column(String(64), unique=True)
    #: How the customers were chosen, for the page ("tier A, B").
    selection: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    tasks: Mapped[list["CareTask"]] = relationship(back_populates="campaign",
                                                   cascade="all, delete-orphan")


class CareTask(db.Model):
    """One customer of a campaign, for its account manager: whom they contacted, how, and what
    the customer said. Unique per campaign and customer (a second submit adds nothing)."""

    __tablename__ = "care_tasks"
    __table_args__ = (UniqueConstraint("campaign_id", "customer_id", name="one_task_per_customer"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("care_campaigns.id", ondelete="CASCADE"),
                                             index=True)
    campaign: Mapped[CareCampaign] = relationship(back_populates="tasks")
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"),
                                             index=True)
    customer = relationship("Customer")
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"),
                                                 index=True)
    owner = relationship("User")
    contact_name: Mapped[str] = mapped_column(String(100), default="")
    method: Mapped[CareMethod | None] = mapped_column(enum_column(CareMethod))
    response: Mapped[str] = mapped_column(String(2000), default="")
    contacted_on: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
