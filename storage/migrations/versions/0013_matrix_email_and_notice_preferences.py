"""matrix, e-mail and notice preferences: the outbox carries any channel, people choose how

Revision ID: 0013
Revises: 0008
"""

from alembic import op
import sqlalchemy as sa


revision = '0013'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('chat_outbox') as batch:
        batch.add_column(
            sa.Column('transport', sa.String(length=40), server_default='slack', nullable=False)
        )
        batch.add_column(sa.Column('payload', sa.JSON(), nullable=True))
        batch.alter_column(
            'channel', existing_type=sa.String(length=40), type_=sa.String(length=320),
            existing_nullable=False,
        )
    with op.batch_alter_table('chat_link') as batch:
        batch.add_column(sa.Column('matrix_user_id', sa.String(length=255), nullable=True))
        batch.alter_column('slack_user_id', existing_type=sa.String(length=40), nullable=True)
    with op.batch_alter_table('municipality') as batch:
        batch.add_column(sa.Column('matrix_room', sa.String(length=255), nullable=True))
    with op.batch_alter_table('user_account') as batch:
        batch.add_column(sa.Column('matrix_user_id', sa.String(length=255), nullable=True))
        batch.create_unique_constraint(op.f('uq_user_account_matrix_user_id'), ['matrix_user_id'])
    op.create_table('notice_preference',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('way', sa.String(length=40), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_notice_preference_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'kind', name=op.f('pk_notice_preference'))
    )
    op.create_table('matrix_direct_room',
    sa.Column('matrix_user_id', sa.String(length=255), nullable=False),
    sa.Column('room_id', sa.String(length=255), nullable=False),
    sa.PrimaryKeyConstraint('matrix_user_id', name=op.f('pk_matrix_direct_room'))
    )
    op.create_table('chat_cursor',
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('value', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_chat_cursor'))
    )


def downgrade() -> None:
    op.drop_table('chat_cursor')
    op.drop_table('matrix_direct_room')
    op.drop_table('notice_preference')
    with op.batch_alter_table('user_account') as batch:
        batch.drop_constraint(op.f('uq_user_account_matrix_user_id'), type_='unique')
        batch.drop_column('matrix_user_id')
    with op.batch_alter_table('municipality') as batch:
        batch.drop_column('matrix_room')
    op.execute("DELETE FROM chat_link WHERE slack_user_id IS NULL")
    with op.batch_alter_table('chat_link') as batch:
        batch.alter_column('slack_user_id', existing_type=sa.String(length=40), nullable=False)
        batch.drop_column('matrix_user_id')
    op.execute("DELETE FROM chat_outbox WHERE transport <> 'slack'")
    with op.batch_alter_table('chat_outbox') as batch:
        batch.alter_column(
            'channel', existing_type=sa.String(length=320), type_=sa.String(length=40),
            existing_nullable=False,
        )
        batch.drop_column('payload')
        batch.drop_column('transport')
