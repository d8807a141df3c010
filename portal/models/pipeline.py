"""The sales pipeline: opportunities (商机) with their product lines and amounts, the stages admins
configure, competitors and loss reasons kept by admins, and each opportunity's timeline."""
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, Column, ForeignKey, Index, Numeric, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db
from portal.models.base import BilingualName, utcnow

Money = Numeric(14, 2)

#: What a stage means for the deal: still open, won or lost.
OPEN, WON, LOST = "open", "won", "lost"
OUTCOMES = (OPEN, WON, LOST)


class PipelineStage(BilingualName, db.Model):
    """A step of the pipeline, in order, with the probability a deal there closes by default."""

    __tablename__ = "pipeline_stages"
    __table_args__ = (
        CheckConstraint("probability BETWEEN 0 AND 100", name="stage_probability_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    position: Mapped[int] = mapped_column(default=0)
    probability: Mapped[int] = mapped_column(default=0)
    #: open, won or lost (see OUTCOMES).
    outcome: Mapped[str] = mapped_column(String(10), default=OPEN)
    active: Mapped[bool] = mapped_column(default=True)


class Competitor(db.Model):
    """A competitor named on deals (the list is kept by admins)."""

    __tablename__ = "pipeline_competitors"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    active: Mapped[bool] = mapped_column(default=True)

    def __str__(self) -> str:
        return self.name


class LossReason(BilingualName, db.Model):
    """Why a deal was lost (the list is kept by admins)."""

    __tablename__ = "pipeline_loss_reasons"

    id: Mapped[int] = mapped_column(primary_key=True)
    active: Mapped[bool] = mapped_column(default=True)


opportunity_competitors = Table(
    "opportunity_competitors", db.metadata,
    Column("opportunity_id", ForeignKey("opportunities.id", ondelete="CASCADE"), primary_key=True),
    Column("competitor_id", ForeignKey("pipeline_competitors.id", ondelete="CASCADE"),
           primary_key=True),
)


class Opportunity(db.Model):
    """A deal on its way: a customer may buy product lines for amounts by a date."""

    __tablename__ = "opportunities"
    __table_args__ = (
        CheckConstraint("probability BETWEEN 0 AND 100", name="opportunity_probability_range"),
        CheckConstraint("amount >= 0", name="opportunity_amount_positive"),
        Index("ix_opportunities_owner_close", "owner_id", "expected_close"),
        #: The deal list's default order, walked a page at a time (company-wide: 40,000 deals).
        Index("ix_opportunities_close", "expected_close", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"),
                                             index=True)
    customer = relationship("Customer")
    title: Mapped[str] = mapped_column(String(200))
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    owner = relationship("User", foreign_keys=[owner_id])
    stage_id: Mapped[int] = mapped_column(ForeignKey("pipeline_stages.id", ondelete="RESTRICT"),
                                          index=True)
    stage: Mapped[PipelineStage] = relationship()
    #: Percent; the stage's by default, overridable.
    probability: Mapped[int] = mapped_column(default=0)
    #: The sum of its lines, yuan (kept with the lines).
    amount: Mapped[Decimal] = mapped_column(Money, default=Decimal("0"))
    expected_close: Mapped[date]
    source: Mapped[str] = mapped_column(String(100), default="")
    #: Competitors not on the admins' list, in free text.
    other_competitors: Mapped[str] = mapped_column(String(200), default="")
    competitors: Mapped[list[Competitor]] = relationship(secondary=opportunity_competitors,
                                                         order_by="Competitor.name")
    next_step: Mapped[str] = mapped_column(String(200), default="")
    next_step_on: Mapped[date | None]
    notes: Mapped[str] = mapped_column(Text, default="")
    #: The day of the last stage change or activity (stale when long ago).
    last_activity_on: Mapped[date]
    #: The day it was won or lost.
    closed_on: Mapped[date | None]
    loss_reason_id: Mapped[int | None] = mapped_column(
        ForeignKey("pipeline_loss_reasons.id", ondelete="SET NULL"))
    loss_reason = relationship("LossReason")
    loss_note: Mapped[str] = mapped_column(Text, default="")
    won_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("pipeline_competitors.id", ondelete="SET NULL"))
    won_by = relationship("Competitor", foreign_keys=[won_by_id])
    created_on: Mapped[date]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    lines: Mapped[list["OpportunityLine"]] = relationship(
        back_populates="opportunity", cascade="all, delete-orphan", order_by="OpportunityLine.id")
    events: Mapped[list["OpportunityEvent"]] = relationship(
        back_populates="opportunity", cascade="all, delete-orphan",
        order_by="OpportunityEvent.id.desc()")

    def __str__(self) -> str:
        return self.title


class OpportunityLine(db.Model):
    """One product line of a deal and its amount."""

    __tablename__ = "opportunity_lines"
    __table_args__ = (CheckConstraint("amount >= 0", name="opportunity_line_amount_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    opportunity_id: Mapped[int] = mapped_column(ForeignKey("opportunities.id", ondelete="CASCADE"),
                                                index=True)
    opportunity: Mapped[Opportunity] = relationship(back_populates="lines")
    product_line_id: Mapped[int] = mapped_column(
        ForeignKey("product_lines.id", ondelete="RESTRICT"), index=True)
    product_line = relationship("ProductLine")
    amount: Mapped[Decimal] = mapped_column(Money)


class OpportunityEvent(db.Model):
    """One entry of a deal's timeline: created, a stage change, an activity, won or lost."""

    __tablename__ = "opportunity_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    opportunity_id: Mapped[int] = mapped_column(ForeignKey("opportunities.id", ondelete="CASCADE"),
                                                index=True)
    opportunity: Mapped[Opportunity] = relationship(back_populates="events")
    #: created, stage, activity, won, lost.
    kind: Mapped[str] = mapped_column(String(20))
    from_stage_id: Mapped[int | None] = mapped_column(
        ForeignKey("pipeline_stages.id", ondelete="SET NULL"))
    from_stage = relationship("PipelineStage", foreign_keys=[from_stage_id])
    to_stage_id: Mapped[int | None] = mapped_column(
        ForeignKey("pipeline_stages.id", ondelete="SET NULL"))
    to_stage = relationship("PipelineStage", foreign_keys=[to_stage_id])
    note: Mapped[str] = mapped_column(Text, default="")
    happened_on: Mapped[date]
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    user = relationship("User")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class OpportunitySale(db.Model):
    """A sale recorded when a deal was won: each deal's sales are made once (the unique key)."""

    __tablename__ = "opportunity_sales"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Unique: a second "won" of the same deal cannot add its sales again.
    opportunity_id: Mapped[int] = mapped_column(ForeignKey("opportunities.id", ondelete="CASCADE"),
                                                unique=True)
    first_sale_id: Mapped[int | None] = mapped_column(
        ForeignKey("sales_records.id", ondelete="SET NULL"))
    sales_count: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
