"""outbox claims and uncertain sends: a dead sender's claim is found, and checked before a resend

Revision ID: 0012
Revises: 0006
"""

from alembic import op
import sqlalchemy as sa


revision = '0012'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('chat_outbox') as batch:
        batch.add_column(sa.Column('claimed_by', sa.String(length=100), nullable=True))
        batch.add_column(
            sa.Column('uncertain', sa.Boolean(), server_default=sa.text('false'), nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table('chat_outbox') as batch:
        batch.drop_column('uncertain')
        batch.drop_column('claimed_by')
