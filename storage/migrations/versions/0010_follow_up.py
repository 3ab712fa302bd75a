"""follow up: the other cost lines' utfall per cut-off, the Finsam figures as reported (kept
through purges), the budgeted participants per year and the intake forecast, and an index for
placements ended in a period

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-23 23:19:45.697679
"""

from alembic import op
import sqlalchemy as sa


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('cost_outcome',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('label', sa.String(length=200), nullable=False),
    sa.Column('through', sa.Date(), nullable=False),
    sa.Column('amount_ore', sa.BigInteger(), nullable=False),
    sa.Column('entered_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('entered_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['entered_by_id'], ['user_account.id'], name=op.f('fk_cost_outcome_entered_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cost_outcome'))
    )
    op.create_table('finsam_report',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('half', sa.Integer(), nullable=False),
    sa.Column('active_women', sa.Integer(), nullable=False),
    sa.Column('active_men', sa.Integer(), nullable=False),
    sa.Column('active_unknown', sa.Integer(), nullable=False),
    sa.Column('new_women', sa.Integer(), nullable=False),
    sa.Column('new_men', sa.Integer(), nullable=False),
    sa.Column('new_unknown', sa.Integer(), nullable=False),
    sa.Column('ended_women', sa.Integer(), nullable=False),
    sa.Column('ended_men', sa.Integer(), nullable=False),
    sa.Column('ended_unknown', sa.Integer(), nullable=False),
    sa.Column('budgeted_participants', sa.Integer(), nullable=False),
    sa.Column('budget_ore', sa.BigInteger(), nullable=False),
    sa.Column('accrued_ore', sa.BigInteger(), nullable=False),
    sa.Column('rate_confirmed', sa.Boolean(), nullable=False),
    sa.Column('reported_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('reported_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['reported_by_id'], ['user_account.id'], name=op.f('fk_finsam_report_reported_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_finsam_report')),
    sa.UniqueConstraint('year', 'half', name=op.f('uq_finsam_report_year'))
    )
    with op.batch_alter_table('placement', schema=None) as batch_op:
        batch_op.create_index('ix_placement_ended_municipality', ['ended_on', 'municipality_id'], unique=False)

    with op.batch_alter_table('placement_request', schema=None) as batch_op:
        batch_op.create_index('ix_placement_request_answered_at', ['answered_at'], unique=False)

    with op.batch_alter_table('program', schema=None) as batch_op:
        batch_op.add_column(sa.Column('intake_forecast_per_month', sa.Integer(), nullable=False, server_default='0'))

    with op.batch_alter_table('program_year', schema=None) as batch_op:
        batch_op.add_column(sa.Column('participants', sa.Integer(), nullable=False, server_default='0'))



def downgrade() -> None:
    with op.batch_alter_table('program_year', schema=None) as batch_op:
        batch_op.drop_column('participants')

    with op.batch_alter_table('program', schema=None) as batch_op:
        batch_op.drop_column('intake_forecast_per_month')

    with op.batch_alter_table('placement_request', schema=None) as batch_op:
        batch_op.drop_index('ix_placement_request_answered_at')

    with op.batch_alter_table('placement', schema=None) as batch_op:
        batch_op.drop_index('ix_placement_ended_municipality')

    op.drop_table('finsam_report')
    op.drop_table('cost_outcome')
