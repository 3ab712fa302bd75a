"""The places in use per municipality and plan, kept by database triggers (storage.place_ends)."""

from __future__ import annotations

from datetime import date
from typing import ClassVar

from sqlalchemy import Date, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base


class PlaceEnd(Base):
    """How many of a municipality's places in use (referral accepted or started) have their
    expected end counted from one day: `kind` ENDS, a started placement's planned (or actual)
    end; MEETING, the tripartite meeting, from which a whole enrolment is counted
    (domain.forecast.PlaceInUse). Kept by triggers in the same transaction as every change of
    a placement or its referral's status; a row at zero places is removed."""

    __tablename__ = "place_end"

    ENDS: ClassVar[str] = "ends"
    MEETING: ClassVar[str] = "meeting"

    municipality_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(10), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    places: Mapped[int] = mapped_column(Integer, default=0)
