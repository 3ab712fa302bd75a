"""The budget chart as server-rendered SVG geometry: one group of bars per program year
(budget, committed, accrued). Every bar carries its amount as text, so nothing is told by
colour alone, and the table next to it is the text alternative."""

from __future__ import annotations

from dataclasses import dataclass

from domain.budget import YearBudget
from domain.money import Money

BAR_HEIGHT = 22
GAP = 6
GROUP_GAP = 26
LABEL_WIDTH = 110
BAR_AREA = 430
WIDTH = LABEL_WIDTH + BAR_AREA + 150


@dataclass(frozen=True)
class Bar:
    kind: str  # budget / committed / accrued: the CSS class and the legend
    amount: Money
    x: int
    y: int
    width: int


@dataclass(frozen=True)
class YearGroup:
    year: int
    label_y: int
    bars: tuple[Bar, ...]


@dataclass(frozen=True)
class Chart:
    groups: tuple[YearGroup, ...]
    width: int
    height: int


def budget_chart(years: list[YearBudget]) -> Chart:
    largest = max([1, *(max(b.budget.ore, b.committed.ore) for b in years)])
    groups, y = [], 10
    for b in years:
        bars = []
        for index, (kind, amount) in enumerate(
            (("budget", b.budget), ("committed", b.committed), ("accrued", b.accrued))
        ):
            width = round(BAR_AREA * max(amount.ore, 0) / largest)
            bars.append(Bar(kind, amount, LABEL_WIDTH, y + index * (BAR_HEIGHT + GAP), width))
        groups.append(YearGroup(b.year.year, y + BAR_HEIGHT + GAP + BAR_HEIGHT // 2, tuple(bars)))
        y += 3 * (BAR_HEIGHT + GAP) + GROUP_GAP
    return Chart(tuple(groups), WIDTH, y)
