"""visits: the customer index carries the method too, so the visit chart reads the index alone

Revision ID: e2a6c4d8b1f3
Revises: d7f3b2a9c1e4
Create Date: 2026-12-01 19:50:00
"""
from alembic import op

revision = 'e2a6c4d8b1f3'
down_revision = 'd7f3b2a9c1e4'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_visits_customer_done_planned_method', 'visits',
                    ['customer_id', 'done_on', 'planned_on', 'method'], unique=False)
    op.drop_index('ix_visits_customer_done_planned', table_name='visits')


def downgrade():
    op.create_index('ix_visits_customer_done_planned', 'visits',
                    ['customer_id', 'done_on', 'planned_on'], unique=False)
    op.drop_index('ix_visits_customer_done_planned_method', table_name='visits')
