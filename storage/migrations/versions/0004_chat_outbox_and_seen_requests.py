"""chat outbox and seen requests: notifications delivered after commit, retries run once

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 08:58:09.714965
"""

from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('chat_outbox',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('channel', sa.String(length=40), nullable=False),
    sa.Column('action', sa.String(length=10), nullable=False),
    sa.Column('update_of_id', sa.Integer(), nullable=True),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('blocks', sa.JSON(), nullable=False),
    sa.Column('state', sa.String(length=10), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('claimed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('posted_channel', sa.String(length=40), nullable=True),
    sa.Column('ts', sa.String(length=40), nullable=True),
    sa.Column('last_error', sa.String(length=200), nullable=True),
    sa.ForeignKeyConstraint(['update_of_id'], ['chat_outbox.id'], name=op.f('fk_chat_outbox_update_of_id_chat_outbox')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_chat_outbox')),
    sa.UniqueConstraint('key', name=op.f('uq_chat_outbox_key'))
    )
    op.create_index('ix_chat_outbox_due', 'chat_outbox', ['state', 'next_attempt_at'], unique=False)
    op.create_table('chat_request_seen',
    sa.Column('key', sa.String(length=100), nullable=False),
    sa.Column('seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_chat_request_seen'))
    )
    op.create_index(op.f('ix_chat_request_seen_seen_at'), 'chat_request_seen', ['seen_at'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_chat_request_seen_seen_at'), table_name='chat_request_seen')
    op.drop_table('chat_request_seen')
    op.drop_index('ix_chat_outbox_due', table_name='chat_outbox')
    op.drop_table('chat_outbox')
