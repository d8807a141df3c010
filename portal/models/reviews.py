"""Continuous improvement: periodic reviews per area, their actions, and best practices."""
import enum
from datetime import date, datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db
from portal.kernel.enums import enum_column
from portal.models.base import utcnow


class ReviewKind(enum.StrEnum):
    """How often an area reviews itself."""

    MONTHLY = "monthly"
    QUARTERLY = "quarterly"


class Review(db.Model):
    """An area's review of a month or a quarter: what went well, what did not, what changes."""

    __tablename__ = "reviews"
    __table_args__ = (UniqueConstraint("area_id", "period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id", ondelete="CASCADE"), index=True)
    area = relationship("Area")
    kind: Mapped[ReviewKind] = mapped_column(enum_column(ReviewKind))
    #: "2026-11" for a month, "2026-Q4" for a quarter.
    period: Mapped[str] = mapped_column(String(10))
    #: The first day of the period, for ordering months and quarters together.
    starts_on: Mapped[date] = mapped_column(index=True)
    went_well: Mapped[str] = mapped_column(Text, default="")
    did_not: Mapped[str] = mapped_column(Text, default="")
    changes: Mapped[str] = mapped_column(Text, default="")
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    author = relationship("User")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    actions: Mapped[list["ReviewAction"]] = relationship(
        back_populates="review", cascade="all, delete-orphan", order_by="ReviewAction.id")


class ReviewAction(db.Model):
    """Something a review decided to do; open ones carry over to the area's next reviews."""

    __tablename__ = "review_actions"

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"),
                                           index=True)
    review: Mapped[Review] = relationship(back_populates="actions")
    text: Mapped[str] = mapped_column(String(300))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"),
                                                 index=True)
    owner = relationship("User")
    due_on: Mapped[date | None]
    #: When it was done; None while open.
    done_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class BestPractice(db.Model):
    """An entry of the best-practice library, written in Markdown."""

    __tablename__ = "best_practices"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    #: Markdown; shown rendered and sanitised with an allow-list, never as raw HTML.
    body: Mapped[str] = mapped_column(Text)
    #: Lower-case tags separated by single spaces, e.g. "visits wechat".
    tags: Mapped[str] = mapped_column(String(300), default="")
    #: The review it was promoted from, if any.
    review_id: Mapped[int | None] = mapped_column(ForeignKey("reviews.id", ondelete="SET NULL"))
    review = relationship("Review")
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    author = relationship("User")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    @property
    def tag_list(self) -> list[str]:
        """The tags as a list."""
        return self.tags.split() if self.tags else []
