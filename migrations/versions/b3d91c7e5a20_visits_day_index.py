"""visits: an index in the visit list's order (day, undated last, newest first)

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


def downgrade():
    op.drop_index("ix_visits_day", table_name="visits")
