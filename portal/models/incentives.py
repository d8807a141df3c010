"""Incentives: pay rules versioned by period, approved payout statements, awards, team activities."""
import enum
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db
from portal.kernel.enums import enum_column
from portal.models.base import BilingualName, utcnow

Money = Numeric(14, 2)
#: The rating bands an appraisal ends in, best first.
BANDS = ("S", "A", "B", "C", "D")


class PayRuleVersion(db.Model):
    """The pay rules in force from one month on, until the next version's first month."""

    __tablename__ = "pay_rule_versions"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: First day of the first month these rules apply to.
    effective_from: Mapped[date] = mapped_column(unique=True)
    #: The monthly bonus a person with multiplier 1.0 earns; the band multiplies it.
    base_bonus: Mapped[Decimal] = mapped_column(Money, default=Decimal("0"))
    note: Mapped[str] = mapped_column(String(200), default="")
    #: Set when a period computed under these rules was approved: the rules can no longer change.
    locked_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    base_pays: Mapped[list["BasePay"]] = relationship(
        back_populates="version", cascade="all, delete-orphan")
    multipliers: Mapped[list["BandMultiplier"]] = relationship(
        back_populates="version", cascade="all, delete-orphan", order_by="BandMultiplier.band")
    commission_rates: Mapped[list["CommissionRate"]] = relationship(
        back_populates="version", cascade="all, delete-orphan",
        order_by="(CommissionRate.product_line_id, CommissionRate.min_attainment)")


class BasePay(db.Model):
    """One person's monthly base pay under one version of the rules."""

    __tablename__ = "base_pays"
    __table_args__ = (UniqueConstraint("version_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(
        ForeignKey("pay_rule_versions.id", ondelete="CASCADE"), index=True)
    version: Mapped[PayRuleVersion] = relationship(back_populates="base_pays")
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    user = relationship("User")
    #: Yuan per month.
    monthly: Mapped[Decimal] = mapped_column(Money)


class BandMultiplier(db.Model):
    """How many times the base bonus a rating band earns, e.g. A → 1.2."""

    __tablename__ = "band_multipliers"
    __table_args__ = (UniqueConstraint("version_id", "band"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(
        ForeignKey("pay_rule_versions.id", ondelete="CASCADE"), index=True)
    version: Mapped[PayRuleVersion] = relationship(back_populates="multipliers")
    #: One of BANDS.
    band: Mapped[str] = mapped_column(String(2))
    multiplier: Mapped[Decimal] = mapped_column(Numeric(6, 3))


class CommissionRate(db.Model):
    """A commission rate on a product line's sales, from an attainment % on (one tier)."""

    __tablename__ = "commission_rates"
    __table_args__ = (UniqueConstraint("version_id", "product_line_id", "min_attainment"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(
        ForeignKey("pay_rule_versions.id", ondelete="CASCADE"), index=True)
    version: Mapped[PayRuleVersion] = relationship(back_populates="commission_rates")
    product_line_id: Mapped[int] = mapped_column(
        ForeignKey("product_lines.id", ondelete="CASCADE"), index=True)
    product_line = relationship("ProductLine")
    #: The tier applies from this target attainment % on (inclusive); 0 for the first tier.
    min_attainment: Mapped[Decimal] = mapped_column(Numeric(6, 2), default=Decimal("0"))
    #: Percent of the sales amount, e.g. 2.5 for 2.5 %.
    rate_percent: Mapped[Decimal] = mapped_column(Numeric(6, 3))


class PayoutApproval(db.Model):
    """HR's approval of a period: its statements are frozen and the period is locked."""

    __tablename__ = "payout_approvals"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The period's key: "2026-11" for a month, "2026-Q4" for a quarter.
    period: Mapped[str] = mapped_column(String(10), unique=True)
    version_id: Mapped[int | None] = mapped_column(
        ForeignKey("pay_rule_versions.id", ondelete="SET NULL"))
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    approved_by = relationship("User")
    approved_at: Mapped[datetime] = mapped_column(default=utcnow)


class PayoutStatement(db.Model):
    """One person's frozen statement of an approved period."""

    __tablename__ = "payout_statements"
    __table_args__ = (UniqueConstraint("approval_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    approval_id: Mapped[int] = mapped_column(
        ForeignKey("payout_approvals.id", ondelete="CASCADE"), index=True)
    approval: Mapped[PayoutApproval] = relationship()
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    user = relationship("User")
    total: Mapped[Decimal] = mapped_column(Money)
    #: The statement lines as computed at approval (money as strings), see services.Line.
    lines: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    #: The inputs used: attainment %, rating band, and which of them had no data.
    inputs: Mapped[dict[str, Any]] = mapped_column(JSON)


class IncentiveSettings(db.Model):
    """Company-wide incentive settings HR keeps (one row)."""

    __tablename__ = "incentive_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Managers may read the payout statements of their reports (never anyone else's pay).
    managers_see_reports: Mapped[bool] = mapped_column(default=False)


class AwardType(BilingualName, db.Model):
    """A kind of award, e.g. annual best employee, team award, monthly star."""

    __tablename__ = "award_types"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Team awards go to an area, the others to a person.
    for_team: Mapped[bool] = mapped_column(default=False)
    active: Mapped[bool] = mapped_column(default=True)


class NominationStatus(enum.StrEnum):
    """Where a nomination stands."""

    PENDING = "pending"
    WON = "won"
    DECLINED = "declined"


class Nomination(db.Model):
    """A manager's nomination of a person (or a team) for an award, with HR's decision."""

    __tablename__ = "nominations"
    __table_args__ = (Index("ix_nominations_status_decided", "status", "decided_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    award_type_id: Mapped[int] = mapped_column(
        ForeignKey("award_types.id", ondelete="RESTRICT"), index=True)
    award_type: Mapped[AwardType] = relationship()
    #: What the award is for, e.g. "2026" or "2026-11".
    period: Mapped[str] = mapped_column(String(10))
    nominee_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True)
    nominee = relationship("User", foreign_keys=[nominee_id])
    #: For team awards: the area nominated.
    area_id: Mapped[int | None] = mapped_column(ForeignKey("areas.id", ondelete="CASCADE"))
    area = relationship("Area")
    reason: Mapped[str] = mapped_column(Text)
    nominated_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True)
    nominated_by = relationship("User", foreign_keys=[nominated_by_id])
    status: Mapped[NominationStatus] = mapped_column(enum_column(NominationStatus),
                                                     default=NominationStatus.PENDING)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_by = relationship("User", foreign_keys=[decided_by_id])
    decided_at: Mapped[datetime | None]
    decision_note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class TeamActivity(db.Model):
    """A team-building activity (团队建设) of an area."""

    __tablename__ = "team_activities"

    id: Mapped[int] = mapped_column(primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id", ondelete="CASCADE"), index=True)
    area = relationship("Area")
    held_on: Mapped[date] = mapped_column(index=True)
    title: Mapped[str] = mapped_column(String(200))
    place: Mapped[str] = mapped_column(String(200), default="")
    participants: Mapped[int | None]
    #: Yuan spent, if known.
    cost: Mapped[Decimal | None] = mapped_column(Money)
    notes: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
