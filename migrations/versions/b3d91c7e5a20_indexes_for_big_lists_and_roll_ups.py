"""visits: an index in the visit list's order (day, undated last, newest first); monthly sales
summary: an index by month holding the rolled-up columns; deals by closing day; sales by
customer and product line

Revision ID: b3d91c7e5a20
Revises: ddbcbbbf2a47
Create Date: 2026-12-01 09:55:00
"""
from alembic import op
import sqlalchemy as sa

revision = 'b3d91c7e5a20'
down_revision = 'ddbcbbbf2a47'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_visits_day", "visits", [
        sa.text("(coalesce(done_on, planned_on) IS NULL)"),
        sa.text("coalesce(done_on, planned_on) DESC"), sa.text("id DESC")])
    op.create_index("ix_opportunities_close", "opportunities", ["expected_close", "id"])
    op.create_index("ix_sales_records_customer_line", "sales_records",
                    ["customer_id", "product_line_id"])
    op.create_index("ix_sales_summaries_month", "sales_summaries",
                    ["month", "user_id", "product_line_id", "customer_type_id", "amount"])


def downgrade():
    op.drop_index("ix_sales_summaries_month", table_name="sales_summaries")
    op.drop_index("ix_opportunities_close", table_name="opportunities")
    op.drop_index("ix_sales_records_customer_line", table_name="sales_records")
    op.drop_index("ix_visits_day", table_name="visits")
