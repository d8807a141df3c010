"""Sales, targets and service duties: what account managers are measured by."""
import enum
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import JSON, ForeignKey, Index, LargeBinary, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db
from portal.kernel.enums import enum_column
from portal.models.base import BilingualName, utcnow

Money = Numeric(14, 2)


class SalesImport(db.Model):
    """One import of a sales file, for the record and the row-by-row report."""

    __tablename__ = "sales_imports"

    id: Mapped[int] = mapped_column(primary_key=True)
    filename: Mapped[str] = mapped_column(String(255))
    #: SHA-256 of the file's bytes, to tell the user a file was imported before.
    digest: Mapped[str] = mapped_column(String(64), index=True)
    rows_total: Mapped[int] = mapped_column(default=0)
    rows_imported: Mapped[int] = mapped_column(default=0)
    #: Rows already present from an earlier import (same fingerprint), not counted twice.
    rows_duplicate: Mapped[int] = mapped_column(default=0)
    rows_rejected: Mapped[int] = mapped_column(default=0)
    imported_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    imported_by = relationship("User")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ImportJobState(enum.StrEnum):
    """An uploaded file is checked, then imported at once or queued, run, and done or failed."""

    CHECKED = "checked"
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class ImportJob(db.Model):
    """An uploaded spreadsheet between its check and its import, and the import's progress when
    it runs outside the request (files above the row limit). Kept on the server so the confirm
    step does not carry the file back, and any server answers the progress poll."""

    __tablename__ = "import_jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: What is imported: "sales", "customers", "targets".
    kind: Mapped[str] = mapped_column(String(20))
    filename: Mapped[str] = mapped_column(String(255))
    #: The file's bytes; emptied once the import is done.
    content: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    digest: Mapped[str] = mapped_column(String(64))
    #: The person's choices: import only the good rows, update existing records, …
    options: Mapped[dict] = mapped_column(JSON, default=dict)
    state: Mapped[ImportJobState] = mapped_column(enum_column(ImportJobState),
                                                  default=ImportJobState.CHECKED)
    total: Mapped[int] = mapped_column(default=0)
    done: Mapped[int] = mapped_column(default=0)
    #: Counts of the finished import (imported, duplicate, rejected …).
    result: Mapped[dict] = mapped_column(JSON, default=dict)
    error: Mapped[str] = mapped_column(Text, default="")
    requested_by_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    heartbeat_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]


class SalesRecord(db.Model):
    """One sale: a customer bought from a product line on a day for an amount."""

    __tablename__ = "sales_records"
    __table_args__ = (
        #: A customer's sales by day, with the amount: totals of a scope's sales come from the
        #: index alone (a manager's all-time total at size L on PostgreSQL, 52,000 sales:
        #: 185,000 buffer reads → 16,000, 150 → 30 ms).
        Index("ix_sales_records_customer_day_amount", "customer_id", "sold_on", "amount"),
        #: Who bought which product line, from the index alone: the kept pairs
        #: (CustomerProductLine) are read again through it after every sale write.
        Index("ix_sales_records_customer_line", "customer_id", "product_line_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="RESTRICT"))
    customer = relationship("Customer")
    product_line_id: Mapped[int] = mapped_column(
        ForeignKey("product_lines.id", ondelete="RESTRICT"), index=True
    )
    product_line = relationship("ProductLine")
    sold_on: Mapped[date] = mapped_column(index=True)
    #: Yuan, exact.
    amount: Mapped[Decimal] = mapped_column(Money)
    #: The invoice or order number from the source system, if any.
    reference: Mapped[str] = mapped_column(String(60), default="")
    #: Identity of an imported row (reference or content + occurrence); re-imports skip it.
    fingerprint: Mapped[str | None] = mapped_column(String(64), unique=True)
    import_id: Mapped[int | None] = mapped_column(
        ForeignKey("sales_imports.id", ondelete="SET NULL"), index=True
    )
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class SalesSummary(db.Model):
    """Credited sales summed per person × month × product line × customer type (the customer's
    current type): what attainment, roll-ups and dashboards read instead of scanning the sales.

    Kept by portal.targets.summary in the same flush as every write of a sale, an assignment or
    a customer's type; `flask --app wsgi rebuild-sales-summary` recomputes it from the sales.
    """

    __tablename__ = "sales_summaries"
    __table_args__ = (
        Index("ix_sales_summaries_user_month", "user_id", "month"),
        #: Company-wide roll-ups of a few months read from the index alone (PostgreSQL at size
        #: L: 124 → 45 ms for the targets page's pass over 83,000 rows).
        Index("ix_sales_summaries_month", "month", "user_id", "product_line_id",
              "customer_type_id", "amount"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The person credited (who owned the customer on the sale's date).
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    #: The first day of the month.
    month: Mapped[date]
    product_line_id: Mapped[int] = mapped_column(
        ForeignKey("product_lines.id", ondelete="CASCADE"))
    #: None: a customer without a type.
    customer_type_id: Mapped[int | None] = mapped_column(
        ForeignKey("customer_types.id", ondelete="SET NULL"))
    #: Yuan, exact.
    amount: Mapped[Decimal] = mapped_column(Numeric(16, 2))
    sales_count: Mapped[int]


class CustomerProductLine(db.Model):
    """A product line a customer has bought (one row however many sales): what a customer's
    recommendations count over the area's customers, 22,000 pairs where the sales are 52,000
    (manager1's area at size L). Kept with the monthly summary by portal.targets.summary, in
    the same flush as every write of a sale, and rebuilt by the same command."""

    __tablename__ = "customer_product_lines"

    customer_id: Mapped[int] = mapped_column(
        ForeignKey("customers.id", ondelete="CASCADE"), primary_key=True)
    product_line_id: Mapped[int] = mapped_column(
        ForeignKey("product_lines.id", ondelete="CASCADE"), primary_key=True)


class TargetStatus(enum.StrEnum):
    """Draft targets may be changed; approved ones are locked (the manager may still change them, audited)."""

    DRAFT = "draft"
    APPROVED = "approved"



class SalesTarget(db.Model):
    """An account manager's sales target for one month, overall or for a product line / customer type.

    A person-month's total is its overall row when there is one, else the sum of its split rows
    of one kind (see portal.targets.services.month_targets).
    """

    __tablename__ = "sales_targets"
    __table_args__ = (
        Index("ix_sales_targets_user_month", "user_id", "month"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    user = relationship("User", foreign_keys=[user_id])
    #: The first day of the month the target is for.
    month: Mapped[date]
    #: None: all product lines.
    product_line_id: Mapped[int | None] = mapped_column(
        ForeignKey("product_lines.id", ondelete="RESTRICT")
    )
    product_line = relationship("ProductLine")
    #: None: all customer types.
    customer_type_id: Mapped[int | None] = mapped_column(
        ForeignKey("customer_types.id", ondelete="RESTRICT")
    )
    customer_type = relationship("CustomerType")
    #: Yuan, exact.
    amount: Mapped[Decimal] = mapped_column(Money)
    status: Mapped[TargetStatus] = mapped_column(
        enum_column(TargetStatus),
        default=TargetStatus.DRAFT,
    )
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    approved_by = relationship("User", foreign_keys=[approved_by_id])
    approved_at: Mapped[datetime | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class ServiceDuty(BilingualName, db.Model):
    """A duty expected of everyone holding a role, measured by the function of its kind.

    Kinds are registered in portal.targets.duties; other modules add theirs (complaints).
    """

    __tablename__ = "service_duties"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The role the duty applies to, e.g. "staff".
    role: Mapped[str] = mapped_column(String(20), default="staff")
    #: Limits the duty to one area; None: every area.
    area_id: Mapped[int | None] = mapped_column(ForeignKey("areas.id", ondelete="CASCADE"))
    area = relationship("Area")
    #: The measuring function's key, e.g. "visit_tier_cadence", "complaints_closed_on_time".
    kind: Mapped[str] = mapped_column(String(50))
    #: The tier the duty is about (visit kinds), None for all.
    tier: Mapped[str | None] = mapped_column(String(1))
    #: A number the kind reads, e.g. days of grace or the deadline in days.
    parameter: Mapped[int | None]
    #: The fulfilment % expected.
    expected_percent: Mapped[Decimal] = mapped_column(Numeric(5, 1), default=Decimal("100"))
    description: Mapped[str] = mapped_column(Text, default="")
    active: Mapped[bool] = mapped_column(default=True)
