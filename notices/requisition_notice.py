"""What a requisition notice says (notices.requisitions), for each channel to render
(transports.outlets): the step, the municipality and kommunkod, the period, the amount, and the
basis's address on the web site. Never a name or a reason: those stay on the web site."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from domain.money import Money
from domain.periods import Period


class Step(StrEnum):
    SUBMITTED = "submitted"
    RETURNED = "returned"
    ATTESTED = "attested"
    PAID = "paid"


@dataclass(frozen=True)
class RequisitionNotice:
    """What a requisition notice says, for any channel to render."""

    step: Step
    municipality: str
    municipality_code: str
    period: Period
    amount: Money
    paid_on: date | None = None

    @property
    def path(self) -> str:
        """The basis on the web site."""
        return f"/rekvisitioner/{self.municipality_code}/{self.period.key}"
