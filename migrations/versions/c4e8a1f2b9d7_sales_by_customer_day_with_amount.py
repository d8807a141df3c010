"""sales: the index by customer and day also holds the amount, so that a scope's sales total is
read from the index alone

Revision ID: c4e8a1f2b9d7
Revises: b3d91c7e5a20
Create Date: 2026-12-01 13:55:00
"""
from alembic import op

revision = 'c4e8a1f2b9d7'
down_revision = 'b3d91c7e5a20'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_sales_records_customer_day_amount", "sales_records",
                    ["customer_id", "sold_on", "amount"])
    op.drop_index("ix_sales_records_customer_sold_on", table_name="sales_records")


def downgrade():
    op.create_index("ix_sales_records_customer_sold_on", "sales_records",
                    ["customer_id", "sold_on"])
    op.drop_index("ix_sales_records_customer_day_amount", table_name="sales_records")
