"""typed vocabularies: request answers and outbox states stored like the other enums

Event kinds, request answers and outbox states are enums in domain/ now; they are stored as
their values in text columns of one width (40), as every other enum is.

Revision ID: 0005
Revises: 0004
"""

from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

WIDENED = (
    ("placement_request", "answer", 20, True),
    ("chat_outbox", "action", 10, False),
    ("chat_outbox", "state", 10, False),
)


def upgrade() -> None:
    for table, column, old, nullable in WIDENED:
        with op.batch_alter_table(table) as batch:
            batch.alter_column(
                column,
                existing_type=sa.String(length=old),
                type_=sa.String(length=40),
                existing_nullable=nullable,
            )


def downgrade() -> None:
    for table, column, old, nullable in WIDENED:
        with op.batch_alter_table(table) as batch:
            batch.alter_column(
                column,
                existing_type=sa.String(length=40),
                type_=sa.String(length=old),
                existing_nullable=nullable,
            )
