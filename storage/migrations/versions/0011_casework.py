"""casework: one open referral per person, one-time submission keys, capacity respected,
staff contact details, meetings, lists paged in SQL, plan and final documentation

On SQLite the batch changes rebuild `participant`, `referral` and `placement`; the figures'
triggers (0008) name those tables, and SQLite refuses to rename a rebuilt table while a
trigger names a table that is not there. So on SQLite they are dropped first and made again
at the end, with the kept figures recounted in the same transaction (PostgreSQL alters the
tables in place and keeps them). `audit_log` keeps its table (and its append-only triggers
from 0007): its referral is nullable since 0007.

Revision ID: 0011
Revises: 0010
"""

from alembic import op
import sqlalchemy as sa

from storage import figures


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def _set_figure_triggers_aside() -> None:
    bind = op.get_bind()
    if bind.dialect.name == 'sqlite':
        for statement in figures.drop_trigger_sql('sqlite'):
            op.execute(statement)


def upgrade() -> None:
    _set_figure_triggers_aside()
    # One open referral per person: the personnummer again while the referral is open.
    with op.batch_alter_table('participant') as batch:
        batch.add_column(sa.Column('open_personal_identity_number', sa.String(length=12), nullable=True))
        batch.create_unique_constraint(
            batch.f('uq_participant_open_personal_identity_number'), ['open_personal_identity_number']
        )
    # Where one person already has several open referrals, the newest keeps the mark.
    op.execute(
        "UPDATE participant SET open_personal_identity_number = personal_identity_number "
        "WHERE referral_id IN ("
        " SELECT max(p.referral_id) FROM participant p JOIN referral r ON r.id = p.referral_id"
        " WHERE r.status NOT IN ('ended', 'withdrawn') GROUP BY p.personal_identity_number)"
    )

    # One-time submission keys: a form sent twice is carried out once.
    op.create_table('submission',
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('result', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_submission_user_id_user_account')),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_submission'))
    )
    op.create_index(op.f('ix_submission_created_at'), 'submission', ['created_at'], unique=False)

    # Capacity has a state besides the number; an accept beyond it is recorded as such.
    with op.batch_alter_table('municipality') as batch:
        batch.add_column(sa.Column('intake_state', sa.String(length=40), server_default='open', nullable=False))
    with op.batch_alter_table('placement') as batch:
        batch.add_column(sa.Column('over_capacity', sa.Boolean(), server_default=sa.text('false'), nullable=False))

    # Staff contact details: a phone number and a title.
    with op.batch_alter_table('user_account') as batch:
        batch.add_column(sa.Column('phone', sa.String(length=40), server_default='', nullable=False))
        batch.add_column(sa.Column('title', sa.String(length=100), server_default='', nullable=False))

    # Meetings with a date, a time and a place; the tripartite meetings booked so far too.
    op.create_table('meeting',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('referral_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('on', sa.Date(), nullable=False),
    sa.Column('at', sa.Time(), nullable=True),
    sa.Column('place', sa.String(length=200), nullable=False),
    sa.Column('held_on', sa.Date(), nullable=True),
    sa.Column('booked_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('booked_by_id', sa.Integer(), nullable=False),
    sa.Column('moves', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['booked_by_id'], ['user_account.id'], name=op.f('fk_meeting_booked_by_id_user_account')),
    sa.ForeignKeyConstraint(['referral_id'], ['referral.id'], name=op.f('fk_meeting_referral_id_referral')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meeting'))
    )
    op.create_index('ix_meeting_due', 'meeting', ['kind', 'held_on', 'on'], unique=False)
    op.create_index(op.f('ix_meeting_referral_id'), 'meeting', ['referral_id'], unique=False)
    op.execute(
        'INSERT INTO meeting (referral_id, kind, "on", at, place, held_on, booked_at, booked_by_id, moves) '
        "SELECT p.referral_id, 'tripartite', p.meeting_on, NULL, '', p.started_on, r.answered_at, r.answered_by_id, 0 "
        "FROM placement p JOIN placement_request r ON r.id = p.request_id "
        "WHERE r.answered_at IS NOT NULL AND r.answered_by_id IS NOT NULL"
    )

    # The municipality asked last, on the referral itself: lists filter and page in SQL.
    with op.batch_alter_table('referral') as batch:
        batch.add_column(sa.Column('current_municipality_id', sa.Integer(), nullable=True))
        batch.create_foreign_key(
            batch.f('fk_referral_current_municipality_id_municipality'),
            'municipality', ['current_municipality_id'], ['id'],
        )
    op.execute(
        "UPDATE referral SET current_municipality_id = ("
        " SELECT q.municipality_id FROM placement_request q WHERE q.referral_id = referral.id"
        " ORDER BY q.asked_at DESC, q.id DESC LIMIT 1)"
    )
    op.create_index('ix_referral_municipality_status', 'referral', ['current_municipality_id', 'status'], unique=False)
    op.create_index('ix_referral_investigator_created', 'referral', ['investigator_id', 'created_at'], unique=False)
    op.create_index('ix_referral_created', 'referral', ['created_at', 'id'], unique=False)

    # FK's documentation template, and the documents written by it (personal data: they hang
    # on the participant's row and are purged with it).
    with op.batch_alter_table('program') as batch:
        batch.add_column(sa.Column('documentation', sa.JSON(), nullable=True))
    op.create_table('placement_document',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('referral_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('content', sa.JSON(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['referral_id'], ['participant.referral_id'], name=op.f('fk_placement_document_referral_id_participant'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['updated_by_id'], ['user_account.id'], name=op.f('fk_placement_document_updated_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_placement_document')),
    sa.UniqueConstraint('referral_id', 'kind', name=op.f('uq_placement_document_referral_id'))
    )

    # The worklists: partial indexes of what is still missing, and ends approaching.
    for name, column, missing in (
        ('ix_placement_plan_missing', 'started_on', 'assessment_plan_on IS NULL AND ended_on IS NULL'),
        ('ix_placement_training_missing', 'started_on', 'workplace_training_on IS NULL AND ended_on IS NULL'),
        ('ix_placement_report_missing', 'ended_on', 'final_report_on IS NULL AND ended_on IS NOT NULL'),
        ('ix_placement_alternative_plan_missing', 'ended_on',
         "alternative_plan_on IS NULL AND ended_on IS NOT NULL AND outcome IN ('dropout', 'other_measure')"),
    ):
        op.create_index(
            name, 'placement', [column], unique=False,
            sqlite_where=sa.text(missing),
            postgresql_where=sa.text(missing),
        )
    # The figures' triggers again (SQLite), and the figures recounted.
    figures.restore_triggers(op.get_bind())


def downgrade() -> None:
    _set_figure_triggers_aside()
    for name in ('ix_placement_alternative_plan_missing', 'ix_placement_report_missing',
                 'ix_placement_training_missing', 'ix_placement_plan_missing'):
        op.drop_index(name, table_name='placement')
    op.drop_table('placement_document')
    with op.batch_alter_table('program') as batch:
        batch.drop_column('documentation')
    op.drop_index('ix_referral_created', table_name='referral')
    op.drop_index('ix_referral_investigator_created', table_name='referral')
    op.drop_index('ix_referral_municipality_status', table_name='referral')
    with op.batch_alter_table('referral') as batch:
        batch.drop_constraint(batch.f('fk_referral_current_municipality_id_municipality'), type_='foreignkey')
        batch.drop_column('current_municipality_id')
    op.drop_index(op.f('ix_meeting_referral_id'), table_name='meeting')
    op.drop_index('ix_meeting_due', table_name='meeting')
    op.drop_table('meeting')
    with op.batch_alter_table('user_account') as batch:
        batch.drop_column('title')
        batch.drop_column('phone')
    with op.batch_alter_table('placement') as batch:
        batch.drop_column('over_capacity')
    with op.batch_alter_table('municipality') as batch:
        batch.drop_column('intake_state')
    op.drop_index(op.f('ix_submission_created_at'), table_name='submission')
    op.drop_table('submission')
    with op.batch_alter_table('participant') as batch:
        batch.drop_constraint(batch.f('uq_participant_open_personal_identity_number'), type_='unique')
        batch.drop_column('open_personal_identity_number')
    figures.restore_triggers(op.get_bind())
