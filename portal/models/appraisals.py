"""Appraisal (绩效评估): templates of weighted indicators, cycles, appraisals, printed forms."""
import enum
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (JSON, CheckConstraint, Column, ForeignKey, LargeBinary, Numeric, String,
                        Table, Text, UniqueConstraint)
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from portal.extensions import db
from portal.kernel.enums import enum_column
from portal.models.base import BilingualName, utcnow
from portal.models.people import Area, User
from portal.models.versioning import Versioned


class IndicatorKind(enum.StrEnum):
    """Whether an indicator fills itself from the data or is scored by people."""

    QUANTITATIVE = "quantitative"
    QUALITATIVE = "qualitative"


class FigureSource(enum.StrEnum):
    """Where a quantitative indicator's figure comes from (another module's service)."""

    ATTAINMENT = "attainment"
    SATISFACTION = "satisfaction"
    NEW_CUSTOMERS = "new_customers"
    NEW_PRODUCT_LINES = "new_product_lines"
    DUTY_FULFILMENT = "duty_fulfilment"
    TRAINING_COMPLIANCE = "training_compliance"
    PIPELINE_COVERAGE = "pipeline_coverage"


class CycleStatus(enum.StrEnum):
    """A cycle is prepared as a draft, opened (creating the appraisals), then closed."""

    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"


class AppraisalStatus(enum.StrEnum):
    """The steps of one appraisal, in order."""

    SELF_ASSESSMENT = "self_assessment"
    MANAGER_REVIEW = "manager_review"
    FEEDBACK = "feedback"
    ACKNOWLEDGEMENT = "acknowledgement"
    ACKNOWLEDGED = "acknowledged"
    CLOSED = "closed"


class PrintJobState(enum.StrEnum):
    """A print job waits, runs, then is done or failed."""

    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class AppraisalTemplate(BilingualName, db.Model):
    """A form of weighted indicators (their weights total 100) and its rating bands."""

    __tablename__ = "appraisal_templates"

    id: Mapped[int] = mapped_column(primary_key=True)
    description: Mapped[str] = mapped_column(Text, default="")
    #: Lowest final score of the bands S, A, B and C, descending; below the last is D.
    rating_thresholds: Mapped[list[Any]] = mapped_column(JSON, default=lambda: [90, 80, 70, 60])
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    indicators: Mapped[list["TemplateIndicator"]] = relationship(
        back_populates="template", cascade="all, delete-orphan",
        order_by="(TemplateIndicator.position, TemplateIndicator.id)")


class TemplateIndicator(db.Model):
    """One weighted indicator of a template, in a section."""

    __tablename__ = "appraisal_indicators"
    __table_args__ = (
        CheckConstraint("weight > 0 AND weight <= 100", name="weight_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    template_id: Mapped[int] = mapped_column(
        ForeignKey("appraisal_templates.id", ondelete="CASCADE"), index=True)
    template: Mapped[AppraisalTemplate] = relationship(back_populates="indicators")
    #: The section heading the indicator is printed under (Chinese, and English).
    section: Mapped[str] = mapped_column(String(100))
    section_en: Mapped[str] = mapped_column(String(100), default="")
    name: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    kind: Mapped[IndicatorKind] = mapped_column(enum_column(IndicatorKind))
    #: For quantitative indicators: which figure fills it.
    source: Mapped[FigureSource | None] = mapped_column(enum_column(FigureSource, 30))
    #: Share of the final score, in percent of 100.
    weight: Mapped[Decimal] = mapped_column(Numeric(5, 2))
    #: For quantitative indicators: the lowest figure scoring 5, 4, 3 and 2, descending.
    score_thresholds: Mapped[list[Any] | None] = mapped_column(JSON)
    #: Order within the template.
    position: Mapped[int] = mapped_column(default=0)

    def label(self, english: bool) -> str:
        """The indicator's name in the reader's language."""
        return self.name_en if english and self.name_en else self.name

    def section_label(self, english: bool) -> str:
        """The section's name in the reader's language."""
        return self.section_en if english and self.section_en else self.section


cycle_areas = Table(
    "appraisal_cycle_areas", db.metadata,
    Column("cycle_id", ForeignKey("appraisal_cycles.id", ondelete="CASCADE"), primary_key=True),
    Column("area_id", ForeignKey("areas.id", ondelete="CASCADE"), primary_key=True),
)


class AppraisalCycle(db.Model):
    """An appraisal round over a period (e.g. 2026-Q4) for the people of some areas."""

    __tablename__ = "appraisal_cycles"
    __table_args__ = (CheckConstraint("period_end >= period_start", name="period_order"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    period_start: Mapped[date]
    period_end: Mapped[date]
    status: Mapped[CycleStatus] = mapped_column(enum_column(CycleStatus), default=CycleStatus.DRAFT)
    #: The template account managers are appraised by; None leaves them out.
    staff_template_id: Mapped[int | None] = mapped_column(
        ForeignKey("appraisal_templates.id", ondelete="RESTRICT"), index=True)
    staff_template: Mapped[AppraisalTemplate | None] = relationship(
        foreign_keys=[staff_template_id])
    #: The template area managers are appraised by; None leaves them out.
    manager_template_id: Mapped[int | None] = mapped_column(
        ForeignKey("appraisal_templates.id", ondelete="RESTRICT"), index=True)
    manager_template: Mapped[AppraisalTemplate | None] = relationship(
        foreign_keys=[manager_template_id])
    #: The areas whose people take part; none means every area.
    areas: Mapped[list[Area]] = relationship(secondary=cycle_areas, order_by=Area.code)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    opened_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    appraisals: Mapped[list["Appraisal"]] = relationship(back_populates="cycle")


class Appraisal(Versioned, db.Model):
    """One person's appraisal in a cycle, moving through the workflow of AppraisalStatus."""

    __tablename__ = "appraisals"
    __table_args__ = (UniqueConstraint("cycle_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(
        ForeignKey("appraisal_cycles.id", ondelete="CASCADE"), index=True)
    cycle: Mapped[AppraisalCycle] = relationship(back_populates="appraisals")
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    user: Mapped[User] = relationship(foreign_keys=[user_id])
    #: The reviewing manager when the cycle opened (the person's manager then).
    manager_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True)
    manager: Mapped[User | None] = relationship(foreign_keys=[manager_id])
    #: The person's area when the cycle opened, printed in the header and used by filters.
    area_id: Mapped[int | None] = mapped_column(ForeignKey("areas.id", ondelete="SET NULL"),
                                                index=True)
    area: Mapped[Area | None] = relationship()
    template_id: Mapped[int] = mapped_column(
        ForeignKey("appraisal_templates.id", ondelete="RESTRICT"), index=True)
    template: Mapped[AppraisalTemplate] = relationship()
    status: Mapped[AppraisalStatus] = mapped_column(
        enum_column(AppraisalStatus), default=AppraisalStatus.SELF_ASSESSMENT, index=True)

    self_comment: Mapped[str] = mapped_column(Text, default="")
    manager_comment: Mapped[str] = mapped_column(Text, default="")
    #: The date the manager and the person talked the review through.
    feedback_talk_on: Mapped[date | None]
    improvement_plan: Mapped[str] = mapped_column(Text, default="")
    #: The person's comment on acknowledging, and whether they agree with the review.
    employee_comment: Mapped[str] = mapped_column(Text, default="")
    employee_agrees: Mapped[bool | None]
    #: Final score out of 100 and its band (S/A/B/C/D), set when the manager's review is done.
    final_score: Mapped[Decimal | None] = mapped_column(Numeric(6, 2))
    band: Mapped[str | None] = mapped_column(String(2))
    #: When the quantitative figures were computed and frozen (at the start of manager review).
    figures_frozen_at: Mapped[datetime | None]
    self_submitted_at: Mapped[datetime | None]
    reviewed_at: Mapped[datetime | None]
    feedback_at: Mapped[datetime | None]
    acknowledged_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    closed_by: Mapped[User | None] = relationship(foreign_keys=[closed_by_id])
    #: Why HR last reopened it, if it was reopened.
    reopen_reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    scores: Mapped[list["AppraisalScore"]] = relationship(
        back_populates="appraisal", cascade="all, delete-orphan")

    @property
    def locked(self) -> bool:
        """A closed appraisal cannot be changed (HR may reopen it, with a reason)."""
        return self.status == AppraisalStatus.CLOSED


class AppraisalScore(db.Model):
    """The scores of one indicator on one appraisal, and its frozen figure."""

    __tablename__ = "appraisal_scores"
    __table_args__ = (
        UniqueConstraint("appraisal_id", "indicator_id"),
        CheckConstraint("self_score BETWEEN 1 AND 5", name="self_score_range"),
        CheckConstraint("manager_score BETWEEN 1 AND 5", name="manager_score_range"),
        CheckConstraint("figure_score BETWEEN 1 AND 5", name="figure_score_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    appraisal_id: Mapped[int] = mapped_column(
        ForeignKey("appraisals.id", ondelete="CASCADE"), index=True)
    appraisal: Mapped[Appraisal] = relationship(back_populates="scores")
    indicator_id: Mapped[int] = mapped_column(
        ForeignKey("appraisal_indicators.id", ondelete="RESTRICT"), index=True)
    indicator: Mapped[TemplateIndicator] = relationship()
    self_score: Mapped[int | None]
    manager_score: Mapped[int | None]
    #: The quantitative figure for the period (None: no data), frozen at manager review.
    figure: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    #: The figure mapped to 1–5 by the indicator's thresholds.
    figure_score: Mapped[int | None]
    #: What the figure was computed from: the function, its arguments and its answer.
    source_data: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class AppraisalDocument(db.Model):
    """The PDF of a closed appraisal, rendered once per language and kept: reprints are identical."""

    __tablename__ = "appraisal_documents"
    __table_args__ = (UniqueConstraint("appraisal_id", "locale"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    appraisal_id: Mapped[int] = mapped_column(
        ForeignKey("appraisals.id", ondelete="CASCADE"), index=True)
    locale: Mapped[str] = mapped_column(String(20))
    pdf: Mapped[bytes] = deferred(mapped_column(LargeBinary))
    rendered_at: Mapped[datetime] = mapped_column(default=utcnow)


class PrintJob(db.Model):
    """Forms being rendered outside the request; the state lives here so any server can answer."""

    __tablename__ = "appraisal_print_jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    requested_by_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True)
    requested_by: Mapped[User] = relationship()
    #: The cycle printed whole, or None for a single form.
    cycle_id: Mapped[int | None] = mapped_column(
        ForeignKey("appraisal_cycles.id", ondelete="CASCADE"), index=True)
    cycle: Mapped[AppraisalCycle | None] = relationship()
    #: The appraisals to print, in order, chosen (and scoped) when the job was asked for.
    appraisal_ids: Mapped[list[int]] = mapped_column(JSON)
    #: The language the forms are printed in.
    locale: Mapped[str] = mapped_column(String(20))
    state: Mapped[PrintJobState] = mapped_column(enum_column(PrintJobState),
                                                 default=PrintJobState.QUEUED)
    total: Mapped[int] = mapped_column(default=0)
    done: Mapped[int] = mapped_column(default=0)
    error: Mapped[str] = mapped_column(Text, default="")
    #: Times the queue's consumer has taken the job (more than one: retried after a crash).
    attempts: Mapped[int] = mapped_column(default=0, server_default="0")
    #: Until when the worker holding it counts as alive (each progress write extends it); a
    #: running job past it is enqueued again (portal.queue.recover).
    lease_until: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
    pdf: Mapped[bytes | None] = deferred(mapped_column(LargeBinary))
    #: Size of the finished PDF in bytes.
    size: Mapped[int] = mapped_column(default=0)
