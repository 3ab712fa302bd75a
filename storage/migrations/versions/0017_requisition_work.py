"""requisition work: when a basis is due, why a correction line corrects, rate decisions

Revision ID: 0017
Revises: 0015
"""

from alembic import op
import sqlalchemy as sa


revision = '0017'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('program') as batch:
        batch.add_column(
            sa.Column(
                'requisition_due_working_days', sa.Integer(), server_default='10', nullable=False
            )
        )
    with op.batch_alter_table('requisition_line') as batch:
        batch.add_column(sa.Column('correction_kind', sa.String(length=10), nullable=True))
    op.create_table(
        'daily_rate_decision',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('previous_ore', sa.BigInteger(), nullable=True),
        sa.Column('rate_ore', sa.BigInteger(), nullable=False),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('decided_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('decided_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['decided_by_id'], ['user_account.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index(
        'ix_daily_rate_decision_decided_at', 'daily_rate_decision', ['decided_at']
    )
    # Every correction so far came from changed days.
    op.execute(
        "UPDATE requisition_line SET correction_kind = 'days' WHERE corrects_first IS NOT NULL"
    )


def downgrade() -> None:
    op.drop_index('ix_daily_rate_decision_decided_at', table_name='daily_rate_decision')
    op.drop_table('daily_rate_decision')
    with op.batch_alter_table('requisition_line') as batch:
        batch.drop_column('correction_kind')
    with op.batch_alter_table('program') as batch:
        batch.drop_column('requisition_due_working_days')
