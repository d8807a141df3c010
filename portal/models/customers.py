"""Customers (CRM): profiles, contacts, who owns them over time, visits and the visit cadence."""
import enum
from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db
from portal.kernel.enums import enum_column
from portal.models.base import utcnow
from portal.models.versioning import Versioned


class Tier(enum.StrEnum):
    """A customer's tier by value and potential: A the most important."""

    A = "A"
    B = "B"
    C = "C"



class CustomerStatus(enum.StrEnum):
    """Where the relationship stands."""

    PROSPECT = "prospect"
    ACTIVE = "active"
    DORMANT = "dormant"
    LOST = "lost"



class VisitMethod(enum.StrEnum):
    """How a visit took place."""

    ON_SITE = "on_site"
    PHONE = "phone"
    WECHAT = "wechat"
    OTHER = "other"


class Customer(Versioned, db.Model):
    """A customer of the area, owned by one account manager at a time."""

    __tablename__ = "customers"
    __table_args__ = (
        CheckConstraint("potential BETWEEN 1 AND 3", name="potential_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Short unique code used in imports and exports (the sales file names customers by it).
    code: Mapped[str] = mapped_column(String(30), unique=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    type_id: Mapped[int | None] = mapped_column(
        ForeignKey("customer_types.id", ondelete="SET NULL"), index=True
    )
    type = relationship("CustomerType")
    industry: Mapped[str] = mapped_column(String(100), default="")
    address: Mapped[str] = mapped_column(String(300), default="")
    #: What the customer prefers (channels, times, products) and needs, in free text.
    preferences: Mapped[str] = mapped_column(Text, default="")
    needs: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[CustomerStatus] = mapped_column(enum_column(CustomerStatus),
                                                   default=CustomerStatus.ACTIVE)
    #: The sales area the customer belongs to; only its account managers may own it.
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id", ondelete="RESTRICT"), index=True)
    area = relationship("Area")
    #: The current owner; the history of owners is in CustomerAssignment.
    account_manager_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    account_manager = relationship("User", foreign_keys=[account_manager_id])
    #: The tier decided by the manager (None until decided); the portal suggests one.
    tier: Mapped[Tier | None] = mapped_column(enum_column(Tier, 1), index=True)
    #: The potential set by the manager: 1 low, 2 medium, 3 high.
    potential: Mapped[int] = mapped_column(default=2)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    contacts: Mapped[list["CustomerContact"]] = relationship(
        back_populates="customer", cascade="all, delete-orphan",
        order_by="(CustomerContact.is_primary.desc(), CustomerContact.id)",
    )
    assignments: Mapped[list["CustomerAssignment"]] = relationship(
        back_populates="customer", cascade="all, delete-orphan",
        order_by="CustomerAssignment.id.desc()",
    )

    def __str__(self) -> str:
        return self.name


class CustomerContact(db.Model):
    """A person to talk to at a customer."""

    __tablename__ = "customer_contacts"

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(
        ForeignKey("customers.id", ondelete="CASCADE"), index=True
    )
    customer: Mapped[Customer] = relationship(back_populates="contacts")
    name: Mapped[str] = mapped_column(String(100))
    title: Mapped[str] = mapped_column(String(100), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    email: Mapped[str] = mapped_column(String(200), default="")
    wechat: Mapped[str] = mapped_column(String(100), default="")
    #: The contact to call first.
    is_primary: Mapped[bool] = mapped_column(default=False)
    notes: Mapped[str] = mapped_column(Text, default="")
    #: For care reminders (portal.care.services.care_reminders); the year may be unknown (1900).
    birthday: Mapped[date | None]
    #: Care preferences: the gift they like, when they like to be contacted.
    gift_preference: Mapped[str] = mapped_column(String(200), default="")
    contact_time: Mapped[str] = mapped_column(String(100), default="")


class CustomerAssignment(db.Model):
    """One stretch of time during which one account manager owned a customer.

    A sale counts for whoever owned the customer on the sale's date: the assignment with
    starts_on <= date (or starts_on empty) and ends_on empty or date < ends_on.
    """

    __tablename__ = "customer_assignments"
    __table_args__ = (
        Index("ix_customer_assignments_customer_span", "customer_id", "starts_on", "ends_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    customer: Mapped[Customer] = relationship(back_populates="assignments")
    account_manager_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="RESTRICT"), index=True
    )
    account_manager = relationship("User", foreign_keys=[account_manager_id])
    #: First day owned (inclusive); None for the customer's first owner: owned since always.
    starts_on: Mapped[date | None]
    #: The day the next owner took over (exclusive); None while current.
    ends_on: Mapped[date | None]
    #: The handover note written by the manager who made the move.
    note: Mapped[str] = mapped_column(Text, default="")
    assigned_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    assigned_by = relationship("User", foreign_keys=[assigned_by_id])
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class VisitCadence(db.Model):
    """How often customers of a tier are to be visited; the visit plans follow it."""

    __tablename__ = "visit_cadences"

    tier: Mapped[Tier] = mapped_column(enum_column(Tier, 1), primary_key=True)
    #: Months between visits: 1 monthly, 3 quarterly, 6 twice a year.
    interval_months: Mapped[int] = mapped_column(default=3)


class Visit(db.Model):
    """A visit to a customer, planned or done."""

    __tablename__ = "visits"
    __table_args__ = (
        Index("ix_visits_owner_planned", "account_manager_id", "planned_on"),
        #: A team's visits done in a period, read from the index alone (the tier cadence duties:
        #: by the owner's plans, every visit of the team's history was looked up by its row).
        Index("ix_visits_owner_done", "account_manager_id", "done_on", "customer_id"),
        #: The open or recent visits of a set of customers (a manager's area) without reading
        #: every open visit of the company.
        #: With the method, the visits done per month and method (the visit chart) are read from
        #: the index alone, without a lookup of each visit's row.
        Index("ix_visits_customer_done_planned_method", "customer_id", "done_on", "planned_on",
              "method"),
        #: The visit list's order (day, undated last, newest first): PostgreSQL walks it and
        #: stops when a manager's page is full instead of sorting the area's 26,000 visits.
        Index("ix_visits_day", text("(coalesce(done_on, planned_on) IS NULL)"),
              text("coalesce(done_on, planned_on) DESC"), text("id DESC")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(
        ForeignKey("customers.id", ondelete="CASCADE"), index=True
    )
    customer: Mapped[Customer] = relationship()
    #: Who visits (or visited); normally the customer's owner at the time.
    account_manager_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    account_manager = relationship("User", foreign_keys=[account_manager_id])
    #: The day the visit is planned for; overdue when past and not done.
    planned_on: Mapped[date | None] = mapped_column(index=True)
    #: The day it took place; None while only planned.
    done_on: Mapped[date | None] = mapped_column(index=True)
    #: Cancelled plans stay for the record but count neither as done nor overdue.
    cancelled: Mapped[bool] = mapped_column(default=False)
    method: Mapped[VisitMethod] = mapped_column(enum_column(VisitMethod),
                                                default=VisitMethod.ON_SITE)
    purpose: Mapped[str] = mapped_column(String(200), default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    #: The day the next follow-up is due, as agreed during the visit.
    next_follow_up: Mapped[date | None]
    #: Generated from the tier's cadence (rather than planned by hand).
    from_plan: Mapped[bool] = mapped_column(default=False)
    #: The opportunity (portal.models.pipeline) the visit worked on, if any.
    opportunity_id: Mapped[int | None] = mapped_column(
        ForeignKey("opportunities.id", ondelete="SET NULL"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
