"""customer_product_lines: the product lines each customer has bought, kept beside the sales for
the recommendations; filled from the sales

Revision ID: d7f3b2a9c1e4
Revises: c4e8a1f2b9d7
Create Date: 2026-12-01 14:45:00
"""
from alembic import op
import sqlalchemy as sa

revision = 'd7f3b2a9c1e4'
down_revision = 'c4e8a1f2b9d7'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'customer_product_lines',
        sa.Column('customer_id', sa.Integer(), nullable=False),
        sa.Column('product_line_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['customer_id'], ['customers.id'],
                                name=op.f('fk_customer_product_lines_customer_id_customers'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['product_line_id'], ['product_lines.id'],
                                name=op.f('fk_customer_product_lines_product_line_id_product_lines'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('customer_id', 'product_line_id',
                                name=op.f('pk_customer_product_lines')),
    )
    op.execute("INSERT INTO customer_product_lines (customer_id, product_line_id) "
               "SELECT DISTINCT customer_id, product_line_id FROM sales_records")


def downgrade():
    op.drop_table('customer_product_lines')
