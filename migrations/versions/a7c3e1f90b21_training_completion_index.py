"""training: an index that answers "completed this course by then" for compliance

Revision ID: a7c3e1f90b21
Revises: 6473a861c864
Create Date: 2026-12-01 07:00:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'a7c3e1f90b21'
down_revision = '6473a861c864'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('training_enrolments', schema=None) as batch_op:
        batch_op.create_index('ix_training_enrolments_user_completed',
                              ['user_id', 'completed_on', 'session_id'], unique=False)


def downgrade():
    with op.batch_alter_table('training_enrolments', schema=None) as batch_op:
        batch_op.drop_index('ix_training_enrolments_user_completed')
