"""requisition: each municipality's submitted bases per period with their frozen lines, and
the program's requisition settings (months per period, reference, account)

Revision ID: 0009
Revises: 0013
Create Date: 2026-11-23 22:30:55.876217
"""

from alembic import op
import sqlalchemy as sa


revision = '0009'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('requisition',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('municipality_id', sa.Integer(), nullable=False),
    sa.Column('period_first', sa.Date(), nullable=False),
    sa.Column('period_last', sa.Date(), nullable=False),
    sa.Column('state', sa.String(length=40), nullable=False),
    sa.Column('municipality_name', sa.String(length=100), nullable=False),
    sa.Column('municipality_code', sa.String(length=4), nullable=False),
    sa.Column('reference', sa.String(length=200), nullable=False),
    sa.Column('account', sa.String(length=200), nullable=False),
    sa.Column('daily_rate_ore', sa.BigInteger(), nullable=False),
    sa.Column('rate_confirmed', sa.Boolean(), nullable=False),
    sa.Column('days', sa.Integer(), nullable=False),
    sa.Column('total_ore', sa.BigInteger(), nullable=False),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('submitted_by_id', sa.Integer(), nullable=False),
    sa.Column('attested_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('attested_by_id', sa.Integer(), nullable=True),
    sa.Column('returned_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('returned_by_id', sa.Integer(), nullable=True),
    sa.Column('return_reason', sa.Text(), nullable=False),
    sa.Column('paid_on', sa.Date(), nullable=True),
    sa.Column('paid_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('paid_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['attested_by_id'], ['user_account.id'], name=op.f('fk_requisition_attested_by_id_user_account')),
    sa.ForeignKeyConstraint(['municipality_id'], ['municipality.id'], name=op.f('fk_requisition_municipality_id_municipality')),
    sa.ForeignKeyConstraint(['paid_by_id'], ['user_account.id'], name=op.f('fk_requisition_paid_by_id_user_account')),
    sa.ForeignKeyConstraint(['returned_by_id'], ['user_account.id'], name=op.f('fk_requisition_returned_by_id_user_account')),
    sa.ForeignKeyConstraint(['submitted_by_id'], ['user_account.id'], name=op.f('fk_requisition_submitted_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_requisition'))
    )
    with op.batch_alter_table('requisition', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_requisition_municipality_id'), ['municipality_id'], unique=False)
        batch_op.create_index('uq_requisition_one_standing', ['municipality_id', 'period_first'], unique=True, sqlite_where=sa.text("state <> 'returned'"), postgresql_where=sa.text("state <> 'returned'"))

    op.create_table('requisition_line',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('requisition_id', sa.Integer(), nullable=False),
    sa.Column('reference_code', sa.String(length=20), nullable=False),
    sa.Column('first_day', sa.Date(), nullable=True),
    sa.Column('last_day', sa.Date(), nullable=True),
    sa.Column('days', sa.Integer(), nullable=False),
    sa.Column('daily_rate_ore', sa.BigInteger(), nullable=False),
    sa.Column('amount_ore', sa.BigInteger(), nullable=False),
    sa.Column('corrects_first', sa.Date(), nullable=True),
    sa.Column('corrects_last', sa.Date(), nullable=True),
    sa.Column('claimed_days', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['requisition_id'], ['requisition.id'], name=op.f('fk_requisition_line_requisition_id_requisition'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_requisition_line'))
    )
    with op.batch_alter_table('requisition_line', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_requisition_line_corrects_first'), ['corrects_first'], unique=False)
        batch_op.create_index(batch_op.f('ix_requisition_line_requisition_id'), ['requisition_id'], unique=False)

    with op.batch_alter_table('program', schema=None) as batch_op:
        batch_op.add_column(sa.Column('requisition_months', sa.Integer(), nullable=False, server_default='2'))
        batch_op.add_column(sa.Column('requisition_reference', sa.String(length=200), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('requisition_account', sa.String(length=200), nullable=False, server_default=''))



def downgrade() -> None:
    with op.batch_alter_table('program', schema=None) as batch_op:
        batch_op.drop_column('requisition_account')
        batch_op.drop_column('requisition_reference')
        batch_op.drop_column('requisition_months')

    with op.batch_alter_table('requisition_line', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_requisition_line_requisition_id'))
        batch_op.drop_index(batch_op.f('ix_requisition_line_corrects_first'))

    op.drop_table('requisition_line')
    with op.batch_alter_table('requisition', schema=None) as batch_op:
        batch_op.drop_index('uq_requisition_one_standing', sqlite_where=sa.text("state <> 'returned'"), postgresql_where=sa.text("state <> 'returned'"))
        batch_op.drop_index(batch_op.f('ix_requisition_municipality_id'))

    op.drop_table('requisition')
