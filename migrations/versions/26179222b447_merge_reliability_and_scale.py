"""Merge the reliability (row versions) and scale (visits index) branches.

Revision ID: 26179222b447
Revises: 2f46f9c05eeb, d45dbfc8f6ac
Create Date: 2026-11-27 03:18:54.758568

"""
# revision identifiers, used by Alembic.
revision = '26179222b447'
down_revision = ('2f46f9c05eeb', 'd45dbfc8f6ac')
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
