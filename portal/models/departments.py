"""Departments besides the sales areas (售后服务部, 产品部, 财务部 …): members and a head.

A department member signs in with the staff role and sees only what is shared with their
department (complaints handed to it, intelligence shared with it, meetings they attend).
"""
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db
from portal.models.base import BilingualName


class Department(BilingualName, db.Model):
    """A department of the company that works with the areas."""

    __tablename__ = "departments"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Short unique code, e.g. "FIN".
    code: Mapped[str] = mapped_column(String(20), unique=True)
    head_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"),
                                                index=True)
    head = relationship("User", foreign_keys=[head_id])
    #: Marks the product department: product feedback in /intel is passed to it.
    is_product: Mapped[bool] = mapped_column(default=False)
    members: Mapped[list["DepartmentMember"]] = relationship(
        back_populates="department", cascade="all, delete-orphan")


class DepartmentMember(db.Model):
    """A person's seat in a department (one department per person)."""

    __tablename__ = "department_members"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         primary_key=True)
    department_id: Mapped[int] = mapped_column(
        ForeignKey("departments.id", ondelete="CASCADE"), index=True)
    department: Mapped[Department] = relationship(back_populates="members")
    user = relationship("User")
