"""visits: an index of the owner's visits by the day done (with the customer), so a team's visits
done in a period are read from the index alone

Revision ID: f3b7c9d2e5a1
Revises: e2a6c4d8b1f3
Create Date: 2026-12-01 21:55:00
"""
from alembic import op

revision = 'f3b7c9d2e5a1'
down_revision = 'e2a6c4d8b1f3'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_visits_owner_done', 'visits',
                    ['account_manager_id', 'done_on', 'customer_id'], unique=False)


def downgrade():
    op.drop_index('ix_visits_owner_done', table_name='visits')
