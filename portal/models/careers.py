"""Careers: the account-manager ladder and each person's career plan with its reviews."""
import enum
from datetime import date, datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, CheckConstraint, Column, ForeignKey, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db
from portal.kernel.enums import enum_column
from portal.models.base import BilingualName, utcnow
from portal.models.people import User
from portal.models.training import Course


class Readiness(enum.StrEnum):
    """How soon the manager judges the person ready for the target level."""

    READY_NOW = "ready_now"
    ONE_TWO_YEARS = "one_two_years"
    NOT_YET = "not_yet"

    @property
    def label(self) -> str:
        """The name in the reader's language."""
        return str(READINESS_LABELS[self])


READINESS_LABELS = {
    Readiness.READY_NOW: _l("Ready now"),
    Readiness.ONE_TWO_YEARS: _l("Ready in 1–2 years"),
    Readiness.NOT_YET: _l("Not yet"),
}


class GoalStatus(enum.StrEnum):
    """Where a development goal stands."""

    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    DROPPED = "dropped"

    @property
    def label(self) -> str:
        """The name in the reader's language."""
        return str(GOAL_STATUS_LABELS[self])


GOAL_STATUS_LABELS = {
    GoalStatus.PLANNED: _l("Planned"),
    GoalStatus.IN_PROGRESS: _l("In progress"),
    GoalStatus.DONE: _l("Done"),
    GoalStatus.DROPPED: _l("Dropped"),
}


class CareerLevel(BilingualName, db.Model):
    """A rung of the account-manager ladder (客户经理 junior … principal)."""

    __tablename__ = "career_levels"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    #: Position on the ladder, 1 at the bottom.
    rank: Mapped[int]
    #: What is expected of someone at this level (plain text, one expectation a line).
    expectations: Mapped[str] = mapped_column(Text, default="")


plan_courses = Table(
    "career_plan_courses", db.metadata,
    Column("plan_id", ForeignKey("career_plans.id", ondelete="CASCADE"), primary_key=True),
    Column("course_id", ForeignKey("training_courses.id", ondelete="CASCADE"), primary_key=True),
)


class CareerPlan(db.Model):
    """One person's career plan: where they are, where they aim, how they get there."""

    __tablename__ = "career_plans"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    user: Mapped[User] = relationship()
    current_level_id: Mapped[int | None] = mapped_column(
        ForeignKey("career_levels.id", ondelete="SET NULL"))
    current_level: Mapped[CareerLevel | None] = relationship(foreign_keys=[current_level_id])
    target_level_id: Mapped[int | None] = mapped_column(
        ForeignKey("career_levels.id", ondelete="SET NULL"))
    target_level: Mapped[CareerLevel | None] = relationship(foreign_keys=[target_level_id])
    #: A role off the ladder the person aims for instead (e.g. 营业区经理), free text.
    target_role: Mapped[str] = mapped_column(String(100), default="")
    #: In how many months the person means to reach the target.
    horizon_months: Mapped[int | None]
    strengths: Mapped[str] = mapped_column(Text, default="")
    development_areas: Mapped[str] = mapped_column(Text, default="")
    #: Set by the manager only.
    readiness: Mapped[Readiness | None] = mapped_column(enum_column(Readiness))
    #: Written by the manager only; the person reads it.
    manager_comment: Mapped[str] = mapped_column(Text, default="")
    next_review_on: Mapped[date | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    goals: Mapped[list["CareerGoal"]] = relationship(
        back_populates="plan", cascade="all, delete-orphan", order_by="CareerGoal.due_on")
    courses: Mapped[list[Course]] = relationship(secondary=plan_courses, order_by=Course.title)
    reviews: Mapped[list["CareerReview"]] = relationship(
        back_populates="plan", cascade="all, delete-orphan",
        order_by="CareerReview.reviewed_on.desc(), CareerReview.id.desc()")


class CareerGoal(db.Model):
    """A development goal of a plan, with a due date, a status and progress."""

    __tablename__ = "career_goals"
    __table_args__ = (CheckConstraint("progress >= 0 AND progress <= 100", name="progress_range"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("career_plans.id", ondelete="CASCADE"),
                                         index=True)
    plan: Mapped[CareerPlan] = relationship(back_populates="goals")
    title: Mapped[str] = mapped_column(String(200))
    due_on: Mapped[date | None]
    status: Mapped[GoalStatus] = mapped_column(enum_column(GoalStatus), default=GoalStatus.PLANNED)
    #: Per cent done, 0–100, as the person judges it.
    progress: Mapped[int] = mapped_column(default=0)
    milestones: Mapped[list["CareerMilestone"]] = relationship(
        back_populates="goal", cascade="all, delete-orphan",
        order_by="CareerMilestone.due_on, CareerMilestone.id")


class CareerMilestone(db.Model):
    """A step on the way to a goal."""

    __tablename__ = "career_milestones"

    id: Mapped[int] = mapped_column(primary_key=True)
    goal_id: Mapped[int] = mapped_column(ForeignKey("career_goals.id", ondelete="CASCADE"),
                                         index=True)
    goal: Mapped[CareerGoal] = relationship(back_populates="milestones")
    title: Mapped[str] = mapped_column(String(200))
    due_on: Mapped[date | None]
    done: Mapped[bool] = mapped_column(default=False)


class CareerReview(db.Model):
    """A review of a plan, keeping the plan as it stood then so its history can be read."""

    __tablename__ = "career_reviews"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("career_plans.id", ondelete="CASCADE"),
                                         index=True)
    plan: Mapped[CareerPlan] = relationship(back_populates="reviews")
    reviewed_on: Mapped[date]
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reviewer: Mapped[User | None] = relationship()
    note: Mapped[str] = mapped_column(Text, default="")
    #: The plan at the time of the review: levels, texts, readiness, goals and milestones.
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSON)
