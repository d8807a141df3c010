"""Market intelligence (/intel): short posts shared with the area, departments or the company."""
import enum
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db
from portal.kernel.enums import enum_column
from portal.models.base import utcnow


class IntelKind(enum.StrEnum):
    COMPETITOR = "competitor"
    CUSTOMER_NEED = "customer_need"
    PRODUCT_FEEDBACK = "product_feedback"
    MARKET_NEWS = "market_news"


class IntelSharing(enum.StrEnum):
    AREA = "area"
    DEPARTMENTS = "departments"
    COMPANY = "company"


INTEL_LABELS = {
    IntelKind.COMPETITOR: _l("Competitor move"),
    IntelKind.CUSTOMER_NEED: _l("Customer need"),
    IntelKind.PRODUCT_FEEDBACK: _l("Product feedback"),
    IntelKind.MARKET_NEWS: _l("Market news"),
    IntelSharing.AREA: _l("The area"),
    IntelSharing.DEPARTMENTS: _l("Chosen departments"),
    IntelSharing.COMPANY: _l("The whole company"),
}


class IntelPost(db.Model):
    """One piece of intelligence: what was learned, about whom, shared with whom."""

    __tablename__ = "intel_posts"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[IntelKind] = mapped_column(enum_column(IntelKind), index=True)
    title: Mapped[str] = mapped_column(String(200))
    #: Markdown, shown through portal.kernel.markdown.
    body: Mapped[str] = mapped_column(Text, default="")
    #: Comma-separated, lower-case.
    tags: Mapped[str] = mapped_column(String(300), default="")
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"),
                                                  index=True)
    author = relationship("User", foreign_keys=[author_id])
    #: The author's area at posting: "shared with the area" means this one.
    area_id: Mapped[int | None] = mapped_column(ForeignKey("areas.id", ondelete="SET NULL"),
                                                index=True)
    area = relationship("Area")
    customer_id: Mapped[int | None] = mapped_column(
        ForeignKey("customers.id", ondelete="SET NULL"), index=True)
    customer = relationship("Customer")
    product_line_id: Mapped[int | None] = mapped_column(
        ForeignKey("product_lines.id", ondelete="SET NULL"))
    product_line = relationship("ProductLine")
    sharing: Mapped[IntelSharing] = mapped_column(enum_column(IntelSharing),
                                                  default=IntelSharing.AREA)
    #: Product feedback passed to the product department, and its answer.
    passed_at: Mapped[datetime | None]
    answer: Mapped[str] = mapped_column(Text, default="")
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    answered_by = relationship("User", foreign_keys=[answered_by_id])
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)

    departments: Mapped[list["IntelPostDepartment"]] = relationship(
        cascade="all, delete-orphan", lazy="selectin")
    comments: Mapped[list["IntelComment"]] = relationship(
        cascade="all, delete-orphan", order_by="IntelComment.id")

    @property
    def tag_list(self) -> list[str]:
        return [t for t in self.tags.split(",") if t]


class IntelPostDepartment(db.Model):
    """A department a post is shared with."""

    __tablename__ = "intel_post_departments"

    post_id: Mapped[int] = mapped_column(ForeignKey("intel_posts.id", ondelete="CASCADE"),
                                         primary_key=True)
    department_id: Mapped[int] = mapped_column(
        ForeignKey("departments.id", ondelete="CASCADE"), primary_key=True, index=True)
    department = relationship("Department", lazy="joined")


class IntelComment(db.Model):
    """A comment on a post."""

    __tablename__ = "intel_comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("intel_posts.id", ondelete="CASCADE"),
                                         index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    author = relationship("User")
    body: Mapped[str] = mapped_column(String(2000))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
