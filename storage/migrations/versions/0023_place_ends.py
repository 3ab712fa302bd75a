"""place ends: the places in use per municipality and plan, kept by triggers in the same
transaction as every change of a placement or of its referral's status

The next-free estimate (domain.forecast) then reads a few rows per municipality instead of
joining every accepted and started placement with its referral on each request (issue 24).
The trigger SQL comes from storage.place_ends; a later change to it needs a migration of its
own that drops and recreates the triggers. The rows of an existing database are counted once
here.

Revision ID: 0023
Revises: 0022
"""

from alembic import op
import sqlalchemy as sa

from storage import place_ends


revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "place_end",
        sa.Column("municipality_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("places", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("municipality_id", "kind", "day", name=op.f("pk_place_end")),
    )
    connection = op.get_bind()
    for statement in place_ends.create_trigger_sql(connection):
        op.execute(statement)
    place_ends.rebuild(connection)


def downgrade() -> None:
    for statement in place_ends.drop_trigger_sql(op.get_bind()):
        op.execute(statement)
    op.drop_table("place_end")
