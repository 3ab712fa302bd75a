"""maintained figures: running totals per municipality and day, and used places, kept by
triggers in the same transaction as every change of a placement or a referral's status

Budget, availability and indicator answers read these instead of scanning every placement
(issue 11). The trigger SQL comes from storage.figures; a later change to it needs a
migration of its own that drops and recreates the triggers. The figures of an existing
database are computed once here.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-23 21:27:04.308196
"""

from alembic import op
import sqlalchemy as sa

from storage import figures


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('day_figure_total',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('starts', sa.Integer(), nullable=False),
    sa.Column('plans', sa.Integer(), nullable=False),
    sa.Column('plans_on_time', sa.Integer(), nullable=False),
    sa.Column('trainings', sa.Integer(), nullable=False),
    sa.Column('trainings_on_time', sa.Integer(), nullable=False),
    sa.Column('running_from', sa.Integer(), nullable=False),
    sa.Column('before_sum', sa.BigInteger(), nullable=False),
    sa.Column('running_to', sa.Integer(), nullable=False),
    sa.Column('through_sum', sa.BigInteger(), nullable=False),
    sa.Column('ends', sa.Integer(), nullable=False),
    sa.Column('goal_outcomes', sa.Integer(), nullable=False),
    sa.Column('other_outcomes', sa.Integer(), nullable=False),
    sa.Column('alternative_plans', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('day', name=op.f('pk_day_figure_total'))
    )
    op.create_table('day_figure',
    sa.Column('municipality_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('starts', sa.Integer(), nullable=False),
    sa.Column('plans', sa.Integer(), nullable=False),
    sa.Column('plans_on_time', sa.Integer(), nullable=False),
    sa.Column('trainings', sa.Integer(), nullable=False),
    sa.Column('trainings_on_time', sa.Integer(), nullable=False),
    sa.Column('running_from', sa.Integer(), nullable=False),
    sa.Column('before_sum', sa.BigInteger(), nullable=False),
    sa.Column('running_to', sa.Integer(), nullable=False),
    sa.Column('through_sum', sa.BigInteger(), nullable=False),
    sa.Column('ends', sa.Integer(), nullable=False),
    sa.Column('goal_outcomes', sa.Integer(), nullable=False),
    sa.Column('other_outcomes', sa.Integer(), nullable=False),
    sa.Column('alternative_plans', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['municipality_id'], ['municipality.id'], name=op.f('fk_day_figure_municipality_id_municipality'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('municipality_id', 'day', name=op.f('pk_day_figure'))
    )
    with op.batch_alter_table('day_figure', schema=None) as batch_op:
        batch_op.create_index('ix_day_figure_day', ['day'], unique=False)

    op.create_table('place_count',
    sa.Column('municipality_id', sa.Integer(), nullable=False),
    sa.Column('accepted', sa.Integer(), nullable=False),
    sa.Column('started', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['municipality_id'], ['municipality.id'], name=op.f('fk_place_count_municipality_id_municipality'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('municipality_id', name=op.f('pk_place_count'))
    )
    # Existing rows get a revision of their own: processes re-read the program once.
    with op.batch_alter_table('program') as batch:
        batch.add_column(
            sa.Column('revision', sa.String(length=32), nullable=False, server_default='0' * 32)
        )
    connection = op.get_bind()
    for statement in figures.create_trigger_sql(connection.dialect.name):
        op.execute(statement)
    figures.rebuild(connection)


def downgrade() -> None:
    for statement in figures.drop_trigger_sql(op.get_bind().dialect.name):
        op.execute(statement)
    with op.batch_alter_table('program') as batch:
        batch.drop_column('revision')
    op.drop_table('place_count')
    with op.batch_alter_table('day_figure', schema=None) as batch_op:
        batch_op.drop_index('ix_day_figure_day')

    op.drop_table('day_figure')
    op.drop_table('day_figure_total')
