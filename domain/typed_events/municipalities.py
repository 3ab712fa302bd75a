"""The typed events of a municipality, the program, requisitions and follow-up."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from domain.events import DomainEvent, EventKind

# A municipality


@dataclass(frozen=True, kw_only=True)
class CapacitySet(DomainEvent):
    kind = EventKind.CAPACITY_SET
    previous: int | None
    capacity: int | None
    previous_state: str
    state: str


@dataclass(frozen=True, kw_only=True)
class OfferSet(DomainEvent):
    kind = EventKind.OFFER_SET


@dataclass(frozen=True, kw_only=True)
class ChatChannelSet(DomainEvent):
    """A municipality's Slack channel, or its Matrix room (`room` set); the log keeps the
    key of the one that was set: `channel` or `room`."""

    kind = EventKind.CHAT_CHANNEL_SET
    previous: str | None
    channel: str | None = None
    room: str | None = None
    in_matrix: bool = False

    def details(self) -> dict[str, Any]:
        place = {"room": self.room} if self.in_matrix else {"channel": self.channel}
        return {"previous": self.previous, **place}

    @classmethod
    def read_details(cls, kept: Mapping[str, Any]) -> Mapping[str, Any]:
        return {**kept, "in_matrix": "room" in kept}


@dataclass(frozen=True, kw_only=True)
class MunicipalityAdded(DomainEvent):
    kind = EventKind.MUNICIPALITY_ADDED
    code: str


@dataclass(frozen=True, kw_only=True)
class MunicipalityChanged(DomainEvent):
    kind = EventKind.MUNICIPALITY_CHANGED
    fields: tuple[str, ...]


# The program, requisitions, follow-up


@dataclass(frozen=True, kw_only=True)
class ProgramLoaded(DomainEvent):
    kind = EventKind.PROGRAM_LOADED
    program: str


@dataclass(frozen=True, kw_only=True)
class DailyRateSet(DomainEvent):
    kind = EventKind.DAILY_RATE_SET
    year: int
    previous_ore: int | None
    rate_ore: int


@dataclass(frozen=True, kw_only=True)
class _RequisitionEvent(DomainEvent):
    requisition_id: int
    period_first: date
    period_last: date


@dataclass(frozen=True, kw_only=True)
class RequisitionSubmitted(_RequisitionEvent):
    kind = EventKind.REQUISITION_SUBMITTED
    total_ore: int


@dataclass(frozen=True, kw_only=True)
class RequisitionAttested(_RequisitionEvent):
    kind = EventKind.REQUISITION_ATTESTED
    total_ore: int


@dataclass(frozen=True, kw_only=True)
class RequisitionReturned(_RequisitionEvent):
    kind = EventKind.REQUISITION_RETURNED


@dataclass(frozen=True, kw_only=True)
class RequisitionPaid(_RequisitionEvent):
    kind = EventKind.REQUISITION_PAID
    paid_on: date | None


@dataclass(frozen=True, kw_only=True)
class CostOutcomeEntered(DomainEvent):
    kind = EventKind.COST_OUTCOME_ENTERED
    year: int
    label: str | None
    through: date | None
    amount_ore: int


@dataclass(frozen=True, kw_only=True)
class FinsamFiguresEntered(DomainEvent):
    """The association's own figures for Uppföljning Finsam, entered or corrected."""

    kind = EventKind.FINSAM_FIGURES_ENTERED
    year: int
    allocated_ore: int
    equity_ore: int
    administration_budget_ore: int
    administration_utfall_ore: int


@dataclass(frozen=True, kw_only=True)
class FinsamReported(DomainEvent):
    kind = EventKind.FINSAM_REPORTED
    year: int
    half: int
