"""login failures: a shared record so that login limits hold across web workers

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 08:55:01.363901
"""

from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('login_failure',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('address', sa.String(length=45), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_login_failure'))
    )
    op.create_index(op.f('ix_login_failure_address'), 'login_failure', ['address'], unique=False)
    op.create_index(op.f('ix_login_failure_at'), 'login_failure', ['at'], unique=False)
    op.create_index(op.f('ix_login_failure_email'), 'login_failure', ['email'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_login_failure_email'), table_name='login_failure')
    op.drop_index(op.f('ix_login_failure_at'), table_name='login_failure')
    op.drop_index(op.f('ix_login_failure_address'), table_name='login_failure')
    op.drop_table('login_failure')
