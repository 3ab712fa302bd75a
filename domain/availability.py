"""Free places: what a municipality has declared it can take, less what is already used;
and whether it takes new participants at all (its intake state)."""

from __future__ import annotations

from dataclasses import dataclass

from domain.choices import IntakeState
from domain.errors import RuleViolation
from domain.forecast import PlaceOutlook
from domain.text import N_


@dataclass(frozen=True)
class MunicipalityPlaces:
    municipality_id: int
    municipality: str
    capacity: int
    started: int
    accepted_not_started: int
    state: IntakeState = IntakeState.OPEN
    outlook: PlaceOutlook | None = None  # the estimate ahead, when asked for (domain.forecast)

    @property
    def free(self) -> int:
        """capacity − started − accepted-not-yet-started; negative means over capacity."""
        return self.capacity - self.started - self.accepted_not_started

    @property
    def free_now(self) -> int:
        """Free places as people are told them: never below zero (see `over_capacity`)."""
        return max(self.free, 0)

    @property
    def over_capacity(self) -> int:
        """How many participants beyond the capacity (0 when within it)."""
        return max(-self.free, 0)

    @property
    def takes_requests(self) -> bool:
        return self.state is not IntakeState.CLOSED


@dataclass(frozen=True)
class Availability:
    municipalities: tuple[MunicipalityPlaces, ...]

    @property
    def capacity(self) -> int:
        return sum(m.capacity for m in self.municipalities)

    @property
    def started(self) -> int:
        return sum(m.started for m in self.municipalities)

    @property
    def accepted_not_started(self) -> int:
        return sum(m.accepted_not_started for m in self.municipalities)

    @property
    def free(self) -> int:
        # A municipality over its capacity does not lend places to the others.
        return sum(max(m.free, 0) for m in self.municipalities)


def suggest_municipality(
    availability: Availability, preferred_municipality_id: int | None
) -> int | None:
    """The best match for a new referral: the preferred location if it has a free place,
    otherwise the municipality with the most free places. FK still chooses."""
    with_room = [
        m for m in availability.municipalities if m.free > 0 and m.state is IntakeState.OPEN
    ]
    for m in with_room:
        if m.municipality_id == preferred_municipality_id:
            return m.municipality_id
    if not with_room:
        return preferred_municipality_id
    return max(with_room, key=lambda m: (m.free, -m.municipality_id)).municipality_id


def check_takes_requests(places: MunicipalityPlaces) -> None:
    """A municipality closed to intake is not asked (a waiting list may be)."""
    if not places.takes_requests:
        raise RuleViolation(
            N_("%(municipality)s is closed to intake right now. Choose another municipality."),
            field="municipality",
            municipality=places.municipality,
        )


class OverCapacity(RuleViolation):
    """Accepting now would take the municipality beyond its capacity: allowed only when the
    person accepting has confirmed it, and then recorded as over capacity."""


def check_room_to_accept(places: MunicipalityPlaces, *, confirmed: bool) -> bool:
    """Whether the acceptance is over capacity; refuses one that is, unless confirmed."""
    if places.free > 0:
        return False
    if confirmed:
        return True
    if places.over_capacity:
        raise OverCapacity(
            N_("%(municipality)s is already over its capacity by %(num)s. Accept anyway?"),
            municipality=places.municipality,
            num=places.over_capacity,
        )
    raise OverCapacity(
        N_("%(municipality)s has 0 free places. Accept anyway?"),
        municipality=places.municipality,
    )
