"""the municipality's inbox in its order: open requests, placements without the final report

`/forfragningar` pages a municipality's placements still without the final report by day
(the tripartite meeting as held, else as booked). Migration 0031's index found the rows but
not their order: PostgreSQL joined all 1 208 of the largest municipality's to its referrals
and sorted them (8 ms at national scale), SQLite read them by the referrals' index and
sorted them (7 ms). With the day in the index both read the first page's rows in order and
their referrals by key (0.4 ms and 0.1 ms; issue 24). Its open requests likewise: PostgreSQL
read all 201 of them through the one-open-request index and sorted them (2.2 ms); by
municipality and moment asked it reads the first page's in order.

Revision ID: 0033
Revises: 0032
"""

import sqlalchemy as sa
from alembic import op

revision = "0033"
down_revision = "0032"
branch_labels = None
depends_on = None

_WITHOUT_REPORT = sa.text("final_report_on IS NULL")
_OPEN = sa.text("answered_at IS NULL")


def upgrade() -> None:
    op.create_index(
        "ix_placement_request_open",
        "placement_request",
        ["municipality_id", "asked_at"],
        unique=False,
        sqlite_where=_OPEN,
        postgresql_where=_OPEN,
    )
    op.drop_index("ix_placement_without_report", table_name="placement")
    op.create_index(
        "ix_placement_without_report",
        "placement",
        ["municipality_id", sa.text("coalesce(started_on, meeting_on, '0001-01-01')")],
        unique=False,
        sqlite_where=_WITHOUT_REPORT,
        postgresql_where=_WITHOUT_REPORT,
    )


def downgrade() -> None:
    op.drop_index("ix_placement_request_open", table_name="placement_request")
    op.drop_index("ix_placement_without_report", table_name="placement")
    op.create_index(
        "ix_placement_without_report",
        "placement",
        ["municipality_id"],
        unique=False,
        sqlite_where=_WITHOUT_REPORT,
        postgresql_where=_WITHOUT_REPORT,
    )
