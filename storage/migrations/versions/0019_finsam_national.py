"""finsam in the national shape: the insats's attributes, the association's figures, snapshots

Revision ID: 0019
Revises: 0017
"""

from alembic import op
import sqlalchemy as sa


revision = '0019'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('program') as batch:
        batch.add_column(sa.Column('finsam', sa.JSON(), nullable=True))
    with op.batch_alter_table('finsam_report') as batch:
        batch.add_column(sa.Column('snapshot', sa.JSON(), nullable=True))
    op.create_table(
        'finsam_association_year',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('allocated_ore', sa.BigInteger(), nullable=False),
        sa.Column('equity_ore', sa.BigInteger(), nullable=False),
        sa.Column('administration_budget_ore', sa.BigInteger(), nullable=False),
        sa.Column('administration_utfall_ore', sa.BigInteger(), nullable=False),
        sa.Column('entered_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('entered_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['entered_by_id'], ['user_account.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('year'),
    )


def downgrade() -> None:
    op.drop_table('finsam_association_year')
    with op.batch_alter_table('finsam_report') as batch:
        batch.drop_column('snapshot')
    with op.batch_alter_table('program') as batch:
        batch.drop_column('finsam')
