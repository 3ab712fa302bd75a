"""privacy duties: retention settings, purge marks, consent withdrawal, a readable and
append-only audit log, documented log reviews, public pages' texts

`audit_log` gets who/where/what columns and triggers that refuse UPDATE and DELETE on both
databases, except a DELETE of rows older than the cutoff in an `audit_purge_permit` row that
the purge writes and removes in its own transaction. (SQLite: a later batch migration of
`audit_log` recreates the table and must create the triggers again.)

Revision ID: 0007
Revises: 0012
"""

from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0012'
branch_labels = None
depends_on = None

MOMENT = sa.DateTime(timezone=True)
REFUSED = "audit_log is append-only: rows leave only by the purge of rows past their retention"

SQLITE_TRIGGERS = (
    f"""CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
    BEGIN SELECT RAISE(ABORT, '{REFUSED}'); END""",
    f"""CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
    WHEN NOT EXISTS (SELECT 1 FROM audit_purge_permit p WHERE OLD.at < p.before)
    BEGIN SELECT RAISE(ABORT, '{REFUSED}'); END""",
)
POSTGRESQL_TRIGGERS = (
    f"""CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP = 'DELETE'
         AND EXISTS (SELECT 1 FROM audit_purge_permit p WHERE OLD.at < p.before) THEN
        RETURN OLD;
      END IF;
      RAISE EXCEPTION '{REFUSED}';
    END $$""",
    """CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()""",
)


def _gender(number: str) -> str:
    return 'male' if int(number[-2]) % 2 else 'female'


def upgrade() -> None:
    with op.batch_alter_table('program') as batch:
        batch.add_column(sa.Column('retention_months_not_started', sa.Integer(), server_default=sa.text('6'), nullable=False))
        batch.add_column(sa.Column('audit_retention_months', sa.Integer(), server_default=sa.text('60'), nullable=False))
        batch.add_column(sa.Column('accessibility_statement', sa.Text(), server_default='', nullable=False))
        batch.add_column(sa.Column('privacy_notice', sa.Text(), server_default='', nullable=False))
    with op.batch_alter_table('referral') as batch:
        batch.add_column(sa.Column('consent_withdrawn_on', sa.Date(), nullable=True))
        batch.add_column(sa.Column('purged_at', MOMENT, nullable=True))
        batch.add_column(sa.Column('gender', sa.Enum('female', 'male', name='gender', native_enum=False, length=40), nullable=True))
        batch.create_index(op.f('ix_referral_purged_at'), ['purged_at'], unique=False)
    bind = op.get_bind()
    rows = bind.execute(sa.text('SELECT referral_id, personal_identity_number FROM participant')).fetchall()
    for referral_id, number in rows:
        bind.execute(
            sa.text('UPDATE referral SET gender = :gender WHERE id = :id'),
            {'gender': _gender(number), 'id': referral_id},
        )

    op.create_table(
        'audit_purge_permit',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('before', MOMENT, nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_purge_permit')),
    )
    with op.batch_alter_table('audit_log') as batch:
        batch.alter_column('referral_id', existing_type=sa.Integer(), nullable=True)
        batch.add_column(sa.Column('role', sa.Enum('investigator', 'municipality_contact', 'coordinator', 'association', 'admin', 'log_reviewer', name='role', native_enum=False, length=40), nullable=True))
        batch.add_column(sa.Column('municipality_id', sa.Integer(), nullable=True))
        batch.add_column(sa.Column('address', sa.String(length=45), server_default='', nullable=False))
        batch.add_column(sa.Column('fields', sa.JSON(), nullable=True))
        batch.add_column(sa.Column('reason', sa.String(length=500), nullable=True))
        batch.add_column(sa.Column('query', sa.JSON(), nullable=True))
        batch.create_foreign_key(op.f('fk_audit_log_municipality_id_municipality'), 'municipality', ['municipality_id'], ['id'])
        batch.create_index(op.f('ix_audit_log_user_id'), ['user_id'], unique=False)
    bind.execute(sa.text("UPDATE audit_log SET fields = '[]'"))
    with op.batch_alter_table('audit_log') as batch:
        batch.alter_column('fields', existing_type=sa.JSON(), nullable=False)
    for statement in SQLITE_TRIGGERS if bind.dialect.name == 'sqlite' else POSTGRESQL_TRIGGERS:
        op.execute(statement)

    op.create_table(
        'log_review',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('reviewer_id', sa.Integer(), nullable=False),
        sa.Column('at', MOMENT, nullable=False),
        sa.Column('period_from', sa.Date(), nullable=False),
        sa.Column('period_to', sa.Date(), nullable=False),
        sa.Column('selection', sa.JSON(), nullable=False),
        sa.Column('conclusion', sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(['reviewer_id'], ['user_account.id'], name=op.f('fk_log_review_reviewer_id_user_account')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_log_review')),
    )
    op.create_index(op.f('ix_log_review_at'), 'log_review', ['at'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_log_review_at'), table_name='log_review')
    op.drop_table('log_review')
    bind = op.get_bind()
    if bind.dialect.name == 'sqlite':
        op.execute('DROP TRIGGER audit_log_no_update')
        op.execute('DROP TRIGGER audit_log_no_delete')
    else:
        op.execute('DROP TRIGGER audit_log_append_only ON audit_log')
        op.execute('DROP FUNCTION audit_log_append_only()')
    with op.batch_alter_table('audit_log') as batch:
        batch.drop_index(op.f('ix_audit_log_user_id'))
        batch.drop_constraint(op.f('fk_audit_log_municipality_id_municipality'), type_='foreignkey')
        batch.drop_column('query')
        batch.drop_column('reason')
        batch.drop_column('fields')
        batch.drop_column('address')
        batch.drop_column('municipality_id')
        batch.drop_column('role')
        batch.alter_column('referral_id', existing_type=sa.Integer(), nullable=False)
    op.drop_table('audit_purge_permit')
    with op.batch_alter_table('referral') as batch:
        batch.drop_index(op.f('ix_referral_purged_at'))
        batch.drop_column('gender')
        batch.drop_column('purged_at')
        batch.drop_column('consent_withdrawn_on')
    with op.batch_alter_table('program') as batch:
        batch.drop_column('privacy_notice')
        batch.drop_column('accessibility_statement')
        batch.drop_column('audit_retention_months')
        batch.drop_column('retention_months_not_started')
