"""Free places: what a municipality has declared it can take, less what is already used."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class MunicipalityPlaces:
    municipality_id: int
    municipality: str
    capacity: int
    started: int
    accepted_not_started: int

    @property
    def free(self) -> int:
        """capacity − started − accepted-not-yet-started; negative means over capacity."""
        return self.capacity - self.started - self.accepted_not_started


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
    with_room = [m for m in availability.municipalities if m.free > 0]
    for m in with_room:
        if m.municipality_id == preferred_municipality_id:
            return m.municipality_id
    if not with_room:
        return preferred_municipality_id
    return max(with_room, key=lambda m: (m.free, -m.municipality_id)).municipality_id
