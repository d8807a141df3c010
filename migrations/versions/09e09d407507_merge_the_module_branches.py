"""Merge the module branches.

Revision ID: 09e09d407507
Revises: 45b708fe5613, 58366417ef66, 70143701871d, aa1bb310ffd4, dc0e43159cfb
Create Date: 2026-11-26 17:36:59.048288

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '09e09d407507'
down_revision = ('45b708fe5613', '58366417ef66', '70143701871d', 'aa1bb310ffd4', 'dc0e43159cfb')
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
