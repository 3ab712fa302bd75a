"""the lists: an index for the coordinator's list filtered by status (status, filed, id)

`/anmalningar?status=requested` read the newest referrals of every status by
ix_referral_created until it had found 51 requested ones (about 9 000 SQLite steps at national
scale, more for a rarer status); by this index the page is its own 51 index entries, in the
list's order (issue 24). The counts stay as they are (services.paging.count_up_to reads at
most 1 001 entries of ix_referral_status).

Revision ID: 0029
Revises: 0027
"""

from alembic import op


revision = "0029"
down_revision = "0027"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_referral_status_created", "referral", ["status", "created_at", "id"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_referral_status_created", table_name="referral")
