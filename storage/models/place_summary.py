"""Each municipality's places in use and the revision of its plans, kept by database triggers
(storage.place_summary)."""

from __future__ import annotations

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base


class PlaceSummary(Base):
    """The sum of a municipality's `place_end` rows, and a random token that changes with
    every change of them: the key under which its next-free estimate is kept in the process."""

    __tablename__ = "place_summary"

    municipality_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    places: Mapped[int] = mapped_column(Integer, default=0)
    revision: Mapped[str] = mapped_column(String(32))
