"""personal data encrypted per field, a blind index of the personnummer and the name's words,
and protected identity (skyddade personuppgifter)

Every existing row is encrypted here with the key in instance/data_key or MM_DATA_KEY (made
when there is none), and its digests computed: after this migration no name, personnummer,
phone, needs, decline comment or documentation is in the file in plain text.

Revision ID: 0021
Revises: 0011
"""

import json

import sqlalchemy as sa
from alembic import op

from domain.participants import name_words
from storage import crypto

revision = '0021'
down_revision = '0011'
branch_labels = None
depends_on = None

PARTICIPANT_COLUMNS = ('name', 'personal_identity_number', 'phone', 'needs')
participant = sa.table(
    'participant',
    sa.column('referral_id', sa.Integer),
    *(sa.column(c, sa.Text) for c in PARTICIPANT_COLUMNS),
    sa.column('personal_identity_number_digest', sa.String),
    sa.column('open_personal_identity_number', sa.String),
)
name_word = sa.table('participant_name_word', sa.column('referral_id'), sa.column('digest'))
request = sa.table('placement_request', sa.column('id'), sa.column('decline_comment', sa.Text))
document = sa.table('placement_document', sa.column('id'), sa.column('content', sa.JSON))


def _number_digest(number: str) -> str:
    return crypto.digest('personal_identity_number', number)


PRIVACY_COLUMNS = ('controllers', 'purposes', 'legal_bases', 'recipients', 'complaints')


def upgrade() -> None:
    with op.batch_alter_table('program') as batch:
        for column in PRIVACY_COLUMNS:
            batch.add_column(sa.Column(column, sa.Text(), server_default='', nullable=False))
    with op.batch_alter_table('participant') as batch:
        batch.drop_index('ix_participant_personal_identity_number')
        for column, length in (('name', 200), ('personal_identity_number', 12), ('phone', 40)):
            batch.alter_column(
                column, existing_type=sa.String(length=length), type_=sa.Text(),
                existing_nullable=False,
            )
        batch.alter_column(
            'open_personal_identity_number', existing_type=sa.String(length=12),
            type_=sa.String(length=64), existing_nullable=True,
        )
        batch.add_column(sa.Column('personal_identity_number_digest', sa.String(length=64), nullable=True))
        batch.add_column(
            sa.Column('protected_identity', sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    op.create_table('participant_name_word',
    sa.Column('referral_id', sa.Integer(), nullable=False),
    sa.Column('digest', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['referral_id'], ['participant.referral_id'], name=op.f('fk_participant_name_word_referral_id_participant'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('referral_id', 'digest', name=op.f('pk_participant_name_word'))
    )
    op.create_index(op.f('ix_participant_name_word_digest'), 'participant_name_word', ['digest'], unique=False)
    _encrypt_rows()
    with op.batch_alter_table('participant') as batch:
        batch.alter_column('personal_identity_number_digest', existing_type=sa.String(length=64), nullable=False)
        batch.create_index(
            batch.f('ix_participant_personal_identity_number_digest'), ['personal_identity_number_digest']
        )


def _encrypt_rows() -> None:
    bind = op.get_bind()
    for row in bind.execute(sa.select(participant)).mappings().all():
        plain = {c: row[c] or '' for c in PARTICIPANT_COLUMNS}
        if crypto.is_encrypted(plain['personal_identity_number']):
            continue
        number = plain['personal_identity_number']
        bind.execute(
            participant.update()
            .where(participant.c.referral_id == row['referral_id'])
            .values(
                {c: crypto.encrypt(v, f'participant.{c}') for c, v in plain.items()}
                | {
                    'personal_identity_number_digest': _number_digest(number),
                    'open_personal_identity_number': (
                        _number_digest(number) if row['open_personal_identity_number'] else None
                    ),
                }
            )
        )
        words = name_words(plain['name'])
        if words:
            bind.execute(
                name_word.insert(),
                [{'referral_id': row['referral_id'], 'digest': crypto.digest('name_word', w)} for w in words],
            )
    for id_, comment in bind.execute(sa.select(request.c.id, request.c.decline_comment)).all():
        if comment and not crypto.is_encrypted(comment):
            bind.execute(
                request.update().where(request.c.id == id_).values(
                    decline_comment=crypto.encrypt(comment, 'placement_request.decline_comment')
                )
            )
    for id_, content in bind.execute(sa.select(document.c.id, document.c.content)).all():
        if isinstance(content, dict):
            sealed = crypto.encrypt(json.dumps(content, ensure_ascii=False), 'placement_document.content')
            bind.execute(document.update().where(document.c.id == id_).values(content=sealed))


def downgrade() -> None:
    bind = op.get_bind()
    for row in bind.execute(sa.select(participant)).mappings().all():
        plain = {c: crypto.decrypt(row[c] or '', f'participant.{c}') for c in PARTICIPANT_COLUMNS}
        bind.execute(
            participant.update()
            .where(participant.c.referral_id == row['referral_id'])
            .values(
                plain
                | {
                    'open_personal_identity_number': (
                        plain['personal_identity_number']
                        if row['open_personal_identity_number'] else None
                    ),
                }
            )
        )
    for id_, comment in bind.execute(sa.select(request.c.id, request.c.decline_comment)).all():
        if crypto.is_encrypted(comment):
            bind.execute(
                request.update().where(request.c.id == id_).values(
                    decline_comment=crypto.decrypt(comment, 'placement_request.decline_comment')
                )
            )
    for id_, content in bind.execute(sa.select(document.c.id, document.c.content)).all():
        if isinstance(content, str):
            opened = json.loads(crypto.decrypt(content, 'placement_document.content') or '{}')
            bind.execute(document.update().where(document.c.id == id_).values(content=opened))
    op.drop_index(op.f('ix_participant_name_word_digest'), table_name='participant_name_word')
    op.drop_table('participant_name_word')
    with op.batch_alter_table('participant') as batch:
        batch.drop_index(batch.f('ix_participant_personal_identity_number_digest'))
        batch.drop_column('protected_identity')
        batch.drop_column('personal_identity_number_digest')
        batch.alter_column(
            'open_personal_identity_number', existing_type=sa.String(length=64),
            type_=sa.String(length=12), existing_nullable=True,
        )
        for column, length in (('name', 200), ('personal_identity_number', 12), ('phone', 40)):
            batch.alter_column(
                column, existing_type=sa.Text(), type_=sa.String(length=length),
                existing_nullable=False,
            )
        batch.create_index('ix_participant_personal_identity_number', ['personal_identity_number'])
    with op.batch_alter_table('program') as batch:
        for column in PRIVACY_COLUMNS:
            batch.drop_column(column)
