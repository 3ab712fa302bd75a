"""report figures: the period reports' running totals per municipality and day, kept by
triggers in the same transaction as every change of a placement, request or referral

The goal indicators, the steering report and Finsam then read two days' rows per
municipality for a period instead of counting its placements and requests (issue 24). The
trigger SQL comes from storage.report_triggers; a later change to it needs a migration of
its own that drops and recreates the triggers. The totals of an existing database are
computed once here.

Revision ID: 0024
Revises: 0023
"""

from alembic import op
import sqlalchemy as sa

from storage import report_figures
from storage.models.report_figures import REPORT_COUNTERS, SUMS


revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "report_day",
        sa.Column("municipality_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        *(
            sa.Column(name, sa.BigInteger() if name in SUMS else sa.Integer(), nullable=False)
            for name in REPORT_COUNTERS
        ),
        sa.ForeignKeyConstraint(
            ["municipality_id"],
            ["municipality.id"],
            name=op.f("fk_report_day_municipality_id_municipality"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("municipality_id", "day", name=op.f("pk_report_day")),
    )
    op.create_index("ix_report_day_day", "report_day", ["day"])
    connection = op.get_bind()
    for statement in report_figures.create_trigger_sql(connection):
        op.execute(statement)
    report_figures.rebuild(connection)


def downgrade() -> None:
    for statement in report_figures.drop_trigger_sql(op.get_bind()):
        op.execute(statement)
    op.drop_table("report_day")
