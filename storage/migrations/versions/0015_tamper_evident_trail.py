"""tamper-evident trail: a hash chain over audit_log and event, checkpoints, verifications

Each row of `audit_log` and `event` gets its place and hash in its table's chain (domain.trail);
the rows already there are chained now, in id order (with MM_TRAIL_KEY, if set, as the site
will use it). `event` becomes append-only in the database as `audit_log` is (0007), and so does
`trail_checkpoint`. On PostgreSQL the function mm_purge_trail, owned by the owner and run with
its rights, is the one way rows leave the audit log: only those a checkpoint covers. The
site's own role gets no UPDATE or DELETE on the trail (storage.migrate.grant_serving_role).

Revision ID: 0015
Revises: 0020
"""

from alembic import op
import sqlalchemy as sa
from sqlalchemy.orm import Session


revision = '0015'
down_revision = '0020'
branch_labels = None
depends_on = None

MOMENT = sa.DateTime(timezone=True)
REFUSED = "%s is append-only: the history is never changed or deleted"
APPEND_ONLY = ('event', 'trail_checkpoint')
AUDIT_REFUSED = "audit_log is append-only: rows leave only by the purge of rows past their retention"

PURGE_FUNCTION = """CREATE FUNCTION mm_purge_trail(trail text, through integer) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
  covered integer;
  removed integer;
BEGIN
  IF trail <> 'audit_log' THEN
    RAISE EXCEPTION 'only the audit log has rows past retention to purge';
  END IF;
  SELECT max(c.through_seq) INTO covered FROM trail_checkpoint c WHERE c.trail = 'audit_log';
  IF covered IS NULL OR through > covered THEN
    RAISE EXCEPTION 'no checkpoint covers the audit log up to row %', through;
  END IF;
  INSERT INTO audit_purge_permit (before)
    SELECT max(at) + interval '1 microsecond' FROM audit_log WHERE chain_seq <= through
    HAVING count(*) > 0;
  DELETE FROM audit_log WHERE chain_seq <= through;
  GET DIAGNOSTICS removed = ROW_COUNT;
  DELETE FROM audit_purge_permit;
  RETURN removed;
END $$"""


def _sqlite_audit_triggers() -> tuple[str, ...]:
    return (
        f"""CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
        BEGIN SELECT RAISE(ABORT, '{AUDIT_REFUSED}'); END""",
        f"""CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
        WHEN NOT EXISTS (SELECT 1 FROM audit_purge_permit p WHERE OLD.at < p.before)
        BEGIN SELECT RAISE(ABORT, '{AUDIT_REFUSED}'); END""",
    )


def _append_only(table: str, dialect: str) -> tuple[str, ...]:
    message = REFUSED % table
    if dialect == 'sqlite':
        return (
            f"""CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table}
            BEGIN SELECT RAISE(ABORT, '{message}'); END""",
            f"""CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table}
            BEGIN SELECT RAISE(ABORT, '{message}'); END""",
        )
    return (
        f"""CREATE FUNCTION {table}_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION '{message}'; END $$""",
        f"""CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table}
        FOR EACH ROW EXECUTE FUNCTION {table}_append_only()""",
    )


def _chain_existing_rows() -> None:
    """The rows written before this migration, chained in id order."""
    from domain.trail import GENESIS, link
    from storage.trail import TRAILS, table_of, trail_key, values_of

    bind = op.get_bind()
    key = trail_key()
    with Session(bind=bind) as session:
        for model in TRAILS.values():
            table = table_of(model)
            previous, seq = GENESIS, 0
            for row in session.execute(sa.select(table).order_by(table.c.id)).mappings().all():
                seq += 1
                previous = link(previous, seq, values_of(table, row), key)
                bind.execute(
                    table.update()
                    .where(table.c.id == row['id'])
                    .values(chain_seq=seq, chain_hash=previous)
                )


def upgrade() -> None:
    bind = op.get_bind()
    dialect = bind.dialect.name
    for table in ('event', 'audit_log'):
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column('chain_seq', sa.Integer(), nullable=True))
            batch.add_column(sa.Column('chain_hash', sa.String(length=64), nullable=True))
            batch.create_unique_constraint(op.f(f'uq_{table}_chain_seq'), ['chain_seq'])
    op.create_table(
        'trail_checkpoint',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('trail', sa.String(length=40), nullable=False),
        sa.Column('at', MOMENT, nullable=False),
        sa.Column('through_seq', sa.Integer(), nullable=False),
        sa.Column('through_hash', sa.String(length=64), nullable=False),
        sa.Column('rows', sa.Integer(), nullable=False),
        sa.Column('signature', sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_trail_checkpoint')),
    )
    op.create_table(
        'trail_verification',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('at', MOMENT, nullable=False),
        sa.Column('trail', sa.String(length=40), nullable=True),
        sa.Column('row_id', sa.Integer(), nullable=True),
        sa.Column('problem', sa.String(length=200), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_trail_verification')),
    )
    # The batch migration above rebuilt audit_log on SQLite, without its triggers; on
    # PostgreSQL they are still there and must let the chain columns be filled in once.
    if dialect == 'sqlite':
        op.execute('DROP TRIGGER IF EXISTS audit_log_no_update')
        op.execute('DROP TRIGGER IF EXISTS audit_log_no_delete')
    else:
        op.execute('ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only')
    _chain_existing_rows()
    if dialect == 'sqlite':
        for statement in _sqlite_audit_triggers():
            op.execute(statement)
    else:
        op.execute('ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only')
        op.execute(PURGE_FUNCTION)
    for table in APPEND_ONLY:
        for statement in _append_only(table, dialect):
            op.execute(statement)


def downgrade() -> None:
    bind = op.get_bind()
    dialect = bind.dialect.name
    for table in APPEND_ONLY:
        if dialect == 'sqlite':
            op.execute(f'DROP TRIGGER {table}_no_update')
            op.execute(f'DROP TRIGGER {table}_no_delete')
        else:
            op.execute(f'DROP TRIGGER {table}_append_only ON {table}')
            op.execute(f'DROP FUNCTION {table}_append_only()')
    if dialect == 'postgresql':
        op.execute('DROP FUNCTION mm_purge_trail(text, integer)')
    op.drop_table('trail_verification')
    op.drop_table('trail_checkpoint')
    for table in ('audit_log', 'event'):
        with op.batch_alter_table(table) as batch:
            batch.drop_constraint(op.f(f'uq_{table}_chain_seq'), type_='unique')
            batch.drop_column('chain_hash')
            batch.drop_column('chain_seq')
    if dialect == 'sqlite':  # the batch migration dropped them with the old table
        op.execute('DROP TRIGGER IF EXISTS audit_log_no_update')
        op.execute('DROP TRIGGER IF EXISTS audit_log_no_delete')
        for statement in _sqlite_audit_triggers():
            op.execute(statement)
