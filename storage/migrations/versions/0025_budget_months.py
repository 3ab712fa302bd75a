"""accepted meetings: the accepted placements not yet started, per municipality and booked
meeting day, kept by triggers in the same transaction as every change of a placement or a
referral's status

The budget's forecast (the follow-up, the pace line of `/mm budget`) then reads a few
thousand kept rows instead of joining every accepted referral to its placement per request
(issue 24). The trigger SQL comes from storage.accepted_meetings; the counts of an existing
database are computed once here.

Revision ID: 0025
Revises: 0024
"""

from alembic import op
import sqlalchemy as sa

from storage import accepted_meetings


revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "accepted_meeting",
        sa.Column("municipality_id", sa.Integer(), nullable=False),
        sa.Column("meeting_on", sa.Date(), nullable=False),
        sa.Column("placements", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "municipality_id", "meeting_on", name=op.f("pk_accepted_meeting")
        ),
    )
    connection = op.get_bind()
    for statement in accepted_meetings.create_trigger_sql(connection):
        op.execute(statement)
    accepted_meetings.rebuild(connection)


def downgrade() -> None:
    for statement in accepted_meetings.drop_trigger_sql(op.get_bind()):
        op.execute(statement)
    op.drop_table("accepted_meeting")
