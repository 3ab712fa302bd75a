"""The declarative base, its naming convention and the enum column type every model uses."""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import Enum, MetaData
from sqlalchemy.orm import DeclarativeBase

from domain.choices import NEEDS_ALTERNATIVE_PLAN

# What the worklists' partial indexes hold, and their queries say word for word (SQLite uses a
# partial index only when the query repeats its condition, literals included).
FINAL_REPORT_MISSING = "final_report_on IS NULL AND ended_on IS NOT NULL"

# The municipality's inbox lists its placements by this day (the meeting as held, else as
# booked); its index holds the expression, and the query spells it the same, so that both
# databases read the first page in order from the index (no bound parameter in it: a
# generic plan could not match one to the index).
NO_DAY = "'0001-01-01'"  # first in any order of days, on both databases
INBOX_DAY = f"coalesce(started_on, meeting_on, {NO_DAY})"


ALTERNATIVE_PLAN_MISSING = (
    "alternative_plan_on IS NULL AND ended_on IS NOT NULL AND outcome IN ("
    + ", ".join(f"'{o.value}'" for o in sorted(NEEDS_ALTERNATIVE_PLAN))
    + ")"
)


NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def _enum(cls: type[StrEnum]) -> Enum:
    # Stored as the lower-case values, as text, so both databases read the same.
    return Enum(
        cls,
        values_callable=lambda e: [m.value for m in e],
        native_enum=False,
        validate_strings=True,
        length=40,
    )


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
