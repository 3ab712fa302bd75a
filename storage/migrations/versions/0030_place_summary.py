"""place summary: each municipality's places in use and the revision of its plans, kept by
triggers on place_end in the writer's transaction

The next-free estimate of a municipality is then worked out again only when its plans change:
the answer reads one indexed row per municipality shown (issue 24). The trigger SQL comes
from storage.place_summary; the rows of an existing database are counted once here.

Revision ID: 0030
Revises: 0029
"""

from alembic import op
import sqlalchemy as sa

from storage import place_summary


revision = "0030"
down_revision = "0029"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "place_summary",
        sa.Column("municipality_id", sa.Integer(), nullable=False),
        sa.Column("places", sa.Integer(), nullable=False),
        sa.Column("revision", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("municipality_id", name=op.f("pk_place_summary")),
    )
    connection = op.get_bind()
    for statement in place_summary.create_trigger_sql(connection):
        op.execute(statement)
    place_summary.rebuild(connection)


def downgrade() -> None:
    for statement in place_summary.drop_trigger_sql(op.get_bind()):
        op.execute(statement)
    op.drop_table("place_summary")
