"""Municipalities and their place counts."""

from __future__ import annotations

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from domain.choices import IntakeState
from storage.models.base import Base, _enum


class Municipality(Base):
    __tablename__ = "municipality"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    code: Mapped[str] = mapped_column(String(4), unique=True)
    capacity: Mapped[int] = mapped_column(Integer, default=0)
    offer: Mapped[str] = mapped_column(Text, default="")
    slack_channel: Mapped[str | None] = mapped_column(String(40))
    intake_state: Mapped[IntakeState] = mapped_column(
        _enum(IntakeState), default=IntakeState.OPEN, server_default=IntakeState.OPEN.value
    )
    matrix_room: Mapped[str | None] = mapped_column(String(255))  # !room:server


class PlaceCount(Base):
    """Placements accepted but not started, and started (running), per municipality: the
    used places of the availability answer, kept by triggers like the day figures."""

    __tablename__ = "place_count"

    municipality_id: Mapped[int] = mapped_column(
        ForeignKey("municipality.id", ondelete="CASCADE"), primary_key=True
    )
    accepted: Mapped[int] = mapped_column(Integer, default=0)
    started: Mapped[int] = mapped_column(Integer, default=0)
