"""the municipality's inbox: an index of its placements still without the final report

`/forfragningar` lists a municipality's placements that still need something done: accepted,
running, or ended without the final report (recorded only after the end, so none of them has
one). It read every referral of the municipality, ended ones included (3 735 rows and as
many placement look-ups for the largest at national scale, 12 ms on SQLite), to keep 1 189;
by this index it reads those placements only, and their referrals by key (issue 24).

Revision ID: 0031
Revises: 0030
"""

import sqlalchemy as sa
from alembic import op

revision = "0031"
down_revision = "0030"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_placement_without_report",
        "placement",
        ["municipality_id"],
        unique=False,
        sqlite_where=sa.text("final_report_on IS NULL"),
        postgresql_where=sa.text("final_report_on IS NULL"),
    )


def downgrade() -> None:
    op.drop_index("ix_placement_without_report", table_name="placement")
