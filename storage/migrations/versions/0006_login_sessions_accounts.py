"""login fit for health data: second factor, server-side sessions, invitations, throttle

Users get an identity at the identity provider, a TOTP key and its last used step, and a demo
flag. Sessions live in `web_session`; recovery codes and invitations have tables of their
own. Failed logins are counted per account and address in `login_throttle`, which replaces
`login_failure`. Events can name the account they are about; chat links keep who asked.

Revision ID: 0006
Revises: 0005
"""

from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

MOMENT = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table('user_account') as batch:
        batch.add_column(sa.Column('external_identity', sa.String(length=200), nullable=True))
        batch.add_column(sa.Column('totp_secret', sa.String(length=64), nullable=True))
        batch.add_column(sa.Column('totp_enrolled_at', MOMENT, nullable=True))
        batch.add_column(sa.Column('totp_last_step', sa.BigInteger(), nullable=True))
        batch.add_column(
            sa.Column('is_demo', sa.Boolean(), server_default=sa.text('false'), nullable=False)
        )
        batch.create_unique_constraint(
            op.f('uq_user_account_external_identity'), ['external_identity']
        )
    with op.batch_alter_table('chat_link') as batch:
        batch.add_column(sa.Column('slack_user_name', sa.String(length=80), nullable=True))
        batch.add_column(sa.Column('slack_team', sa.String(length=80), nullable=True))
    with op.batch_alter_table('event') as batch:
        batch.add_column(sa.Column('subject_user_id', sa.Integer(), nullable=True))
        batch.create_foreign_key(
            op.f('fk_event_subject_user_id_user_account'),
            'user_account',
            ['subject_user_id'],
            ['id'],
        )
        batch.create_index(op.f('ix_event_subject_user_id'), ['subject_user_id'], unique=False)

    op.create_table(
        'login_throttle',
        sa.Column('email', sa.String(length=254), nullable=False),
        sa.Column('address', sa.String(length=45), nullable=False),
        sa.Column('failures', sa.Integer(), nullable=False),
        sa.Column('last_failure_at', MOMENT, nullable=True),
        sa.PrimaryKeyConstraint('email', 'address', name=op.f('pk_login_throttle')),
    )
    op.create_index(
        op.f('ix_login_throttle_last_failure_at'), 'login_throttle', ['last_failure_at']
    )
    op.drop_index(op.f('ix_login_failure_email'), table_name='login_failure')
    op.drop_index(op.f('ix_login_failure_at'), table_name='login_failure')
    op.drop_index(op.f('ix_login_failure_address'), table_name='login_failure')
    op.drop_table('login_failure')

    op.create_table(
        'web_session',
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.Column('data', sa.JSON(), nullable=False),
        sa.Column('created_at', MOMENT, nullable=False),
        sa.Column('last_seen_at', MOMENT, nullable=False),
        sa.Column('logged_in_at', MOMENT, nullable=True),
        sa.Column('address', sa.String(length=45), nullable=False),
        sa.Column('user_agent', sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ['user_id'],
            ['user_account.id'],
            name=op.f('fk_web_session_user_id_user_account'),
            ondelete='CASCADE',
        ),
        sa.PrimaryKeyConstraint('token_hash', name=op.f('pk_web_session')),
    )
    op.create_index(op.f('ix_web_session_user_id'), 'web_session', ['user_id'])
    op.create_index(op.f('ix_web_session_last_seen_at'), 'web_session', ['last_seen_at'])

    op.create_table(
        'recovery_code',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('code_hash', sa.String(length=64), nullable=False),
        sa.Column('created_at', MOMENT, nullable=False),
        sa.Column('used_at', MOMENT, nullable=True),
        sa.ForeignKeyConstraint(
            ['user_id'], ['user_account.id'], name=op.f('fk_recovery_code_user_id_user_account')
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_recovery_code')),
        sa.UniqueConstraint('code_hash', name=op.f('uq_recovery_code_code_hash')),
    )
    op.create_index(op.f('ix_recovery_code_user_id'), 'recovery_code', ['user_id'])

    op.create_table(
        'invitation',
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('created_at', MOMENT, nullable=False),
        sa.Column('expires_at', MOMENT, nullable=False),
        sa.Column('used_at', MOMENT, nullable=True),
        sa.ForeignKeyConstraint(
            ['user_id'], ['user_account.id'], name=op.f('fk_invitation_user_id_user_account')
        ),
        sa.PrimaryKeyConstraint('token_hash', name=op.f('pk_invitation')),
    )
    op.create_index(op.f('ix_invitation_user_id'), 'invitation', ['user_id'])


def downgrade() -> None:
    op.drop_index(op.f('ix_invitation_user_id'), table_name='invitation')
    op.drop_table('invitation')
    op.drop_index(op.f('ix_recovery_code_user_id'), table_name='recovery_code')
    op.drop_table('recovery_code')
    op.drop_index(op.f('ix_web_session_last_seen_at'), table_name='web_session')
    op.drop_index(op.f('ix_web_session_user_id'), table_name='web_session')
    op.drop_table('web_session')

    op.create_table(
        'login_failure',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('email', sa.String(length=254), nullable=False),
        sa.Column('address', sa.String(length=45), nullable=False),
        sa.Column('at', MOMENT, nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_login_failure')),
    )
    op.create_index(op.f('ix_login_failure_address'), 'login_failure', ['address'])
    op.create_index(op.f('ix_login_failure_at'), 'login_failure', ['at'])
    op.create_index(op.f('ix_login_failure_email'), 'login_failure', ['email'])
    op.drop_index(op.f('ix_login_throttle_last_failure_at'), table_name='login_throttle')
    op.drop_table('login_throttle')

    with op.batch_alter_table('event') as batch:
        batch.drop_index(op.f('ix_event_subject_user_id'))
        batch.drop_constraint(op.f('fk_event_subject_user_id_user_account'), type_='foreignkey')
        batch.drop_column('subject_user_id')
    with op.batch_alter_table('chat_link') as batch:
        batch.drop_column('slack_team')
        batch.drop_column('slack_user_name')
    with op.batch_alter_table('user_account') as batch:
        batch.drop_constraint(op.f('uq_user_account_external_identity'), type_='unique')
        batch.drop_column('is_demo')
        batch.drop_column('totp_last_step')
        batch.drop_column('totp_enrolled_at')
        batch.drop_column('totp_secret')
        batch.drop_column('external_identity')
