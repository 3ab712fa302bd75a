"""requisition work: when a basis is due, and why a correction line corrects

Revision ID: 0017
Revises: 0011
"""

from alembic import op
import sqlalchemy as sa


revision = '0017'
down_revision = '0011'
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
    # Every correction so far came from changed days.
    op.execute(
        "UPDATE requisition_line SET correction_kind = 'days' WHERE corrects_first IS NOT NULL"
    )


def downgrade() -> None:
    with op.batch_alter_table('requisition_line') as batch:
        batch.drop_column('correction_kind')
    with op.batch_alter_table('program') as batch:
        batch.drop_column('requisition_due_working_days')
