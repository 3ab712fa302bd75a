"""worklist items: what may be on a worklist, kept by triggers in the same transaction as
every change of a referral, its requests, placement and meetings

A worklist then reads index ranges of open work instead of 9 kinds × (count + page) over
the whole history (issue 24). The trigger SQL comes from storage.worklist_triggers; a later
change to it needs a migration of its own that drops and recreates the triggers. The items
of an existing database are computed once here.

Revision ID: 0022
Revises: 0019
"""

from alembic import op
import sqlalchemy as sa

from storage import worklist_items


revision = "0022"
down_revision = "0019"
branch_labels = None
depends_on = None

# The key of a page, and the one column a count reads besides it: the indexes cover both.
KEY = ["anchor", "at_seconds", "reference_code", "source_id", "booked_until"]


def upgrade() -> None:
    op.create_table(
        "work_item",
        sa.Column("referral_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("municipality_id", sa.Integer(), nullable=True),
        sa.Column("investigator_id", sa.Integer(), nullable=False),
        sa.Column("reference_code", sa.String(length=20), nullable=False),
        sa.Column("anchor", sa.Date(), nullable=False),
        sa.Column("at_seconds", sa.BigInteger(), nullable=False),
        sa.Column("booked_until", sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint("referral_id", "kind", "source_id", name=op.f("pk_work_item")),
    )
    op.create_index("ix_work_item_municipality", "work_item", ["kind", "municipality_id", *KEY])
    op.create_index("ix_work_item_investigator", "work_item", ["kind", "investigator_id", *KEY])
    op.create_index("ix_work_item_kind", "work_item", ["kind", *KEY])
    connection = op.get_bind()
    for statement in worklist_items.create_trigger_sql(connection):
        op.execute(statement)
    worklist_items.rebuild(connection)


def downgrade() -> None:
    for statement in worklist_items.drop_trigger_sql(op.get_bind()):
        op.execute(statement)
    op.drop_table("work_item")
