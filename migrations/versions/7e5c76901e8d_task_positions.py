"""task positions: the order of tasks within a quadrant of the board, numbered from the
existing order (due date, undated last, then id) per owner and quadrant

Revision ID: 7e5c76901e8d
Revises: a7c3e1f90b21
Create Date: 2026-12-01 06:50:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '7e5c76901e8d'
down_revision = 'a7c3e1f90b21'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('tasks', schema=None) as batch_op:
        batch_op.add_column(sa.Column('position', sa.Integer(), server_default='0', nullable=False))
    # The board showed each quadrant by due date (undated last), then id: keep that order.
    tasks = sa.table('tasks', sa.column('id', sa.Integer), sa.column('owner_id', sa.Integer),
                     sa.column('urgent', sa.Boolean), sa.column('important', sa.Boolean),
                     sa.column('due_date', sa.Date), sa.column('position', sa.Integer))
    connection = op.get_bind()
    rows = connection.execute(sa.select(tasks.c.id, tasks.c.owner_id, tasks.c.urgent,
                                        tasks.c.important)
                              .order_by(tasks.c.owner_id, tasks.c.urgent, tasks.c.important,
                                        tasks.c.due_date.is_(None), tasks.c.due_date,
                                        tasks.c.id)).all()
    counters = {}
    for task_id, owner_id, urgent, important in rows:
        key = (owner_id, bool(urgent), bool(important))
        counters[key] = counters.get(key, -1) + 1
        if counters[key]:
            connection.execute(tasks.update().where(tasks.c.id == task_id)
                               .values(position=counters[key]))


def downgrade():
    with op.batch_alter_table('tasks', schema=None) as batch_op:
        batch_op.drop_column('position')
