"""work counts: the worklist items counted per kind and day, for everyone, per municipality
and per investigator, kept by triggers on `work_item` in the writer's transaction

A worklist's count of a kind then adds up a few hundred kept rows over its window of days
instead of walking every item of the kind (issue 24). The trigger SQL comes from
storage.worklist_counts; the counts of an existing database are computed once here.

Revision ID: 0027
Revises: 0025
"""

from alembic import op
import sqlalchemy as sa

from storage import worklist_counts


revision = "0027"
down_revision = "0025"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "work_count",
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("whose", sa.String(length=12), nullable=False),
        sa.Column("who", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("items", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("kind", "whose", "who", "day", name=op.f("pk_work_count")),
    )
    connection = op.get_bind()
    for statement in worklist_counts.create_trigger_sql(connection):
        op.execute(statement)
    worklist_counts.rebuild(connection)


def downgrade() -> None:
    for statement in worklist_counts.drop_trigger_sql(op.get_bind()):
        op.execute(statement)
    op.drop_table("work_count")
