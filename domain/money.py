"""Money in whole öre, so that rate × days is exact."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True, order=True)
class Money:
    ore: int

    @classmethod
    def kronor(cls, amount: int | Decimal | str) -> Money:
        value = Decimal(str(amount)) * 100
        if value != value.to_integral_value():
            raise ValueError(f"{amount} kr has fractions of an öre")
        return cls(int(value))

    @property
    def as_kronor(self) -> Decimal:
        return Decimal(self.ore) / 100

    def __add__(self, other: Money) -> Money:
        return Money(self.ore + other.ore)

    def __sub__(self, other: Money) -> Money:
        return Money(self.ore - other.ore)

    def __mul__(self, factor: int) -> Money:
        if not isinstance(factor, int):
            return NotImplemented
        return Money(self.ore * factor)

    __rmul__ = __mul__

    def __neg__(self) -> Money:
        return Money(-self.ore)

    def ratio(self, other: Money) -> Decimal:
        """How many times `other` fits in this amount (0 when `other` is zero)."""
        if other.ore == 0:
            return Decimal(0)
        return Decimal(self.ore) / Decimal(other.ore)


ZERO = Money(0)
