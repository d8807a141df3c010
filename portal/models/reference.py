"""Reference data the modules classify by: product lines and customer types."""
from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from portal.extensions import db
from portal.models.base import BilingualName


class ProductLine(BilingualName, db.Model):
    """A line of products that sales, targets and commissions are split by."""

    __tablename__ = "product_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    #: Inactive lines stay on old records but are not offered for new ones.
    active: Mapped[bool] = mapped_column(default=True)


class CustomerType(BilingualName, db.Model):
    """A kind of customer (e.g. enterprise, government, individual) targets can be split by."""

    __tablename__ = "customer_types"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    #: Inactive types stay on old records but are not offered for new ones.
    active: Mapped[bool] = mapped_column(default=True)
