"""The budget chart as server-rendered SVG geometry: one group of bars per program year
(budget, committed, accrued). Every bar carries its amount as text, so nothing is told by
colour alone, and the table next to it is the text alternative."""

from __future__ import annotations

from dataclasses import dataclass

from domain.budget import YearBudget
from domain.follow_up import MonthPoint
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


# ---- the follow-up: accumulated budget, utfall and forecast per month -----------------


@dataclass(frozen=True)
class Series:
    kind: str  # budget / accrued / forecast: the CSS class and the label
    points: str  # "x,y x,y …" for a polyline
    end_x: int
    end_y: int
    amount: Money


@dataclass(frozen=True)
class MonthChart:
    width: int
    height: int
    series: tuple[Series, ...]
    months: tuple[tuple[int, str], ...]  # x, month number as text
    baseline: int
    left: int
    right: int


def follow_up_chart(months: list[MonthPoint]) -> MonthChart:
    """Three lines over the months of the year; the table beside it is their text."""
    left, right, top, bottom, width, height = 60, 560, 20, 250, 720, 280
    largest = max([1, *(max(m.budget.ore, m.forecast.ore) for m in months)])
    step = (right - left) / max(len(months) - 1, 1)

    def y(amount: Money) -> int:
        return round(bottom - (bottom - top) * max(amount.ore, 0) / largest)

    def series(kind: str, values: list[Money | None]) -> Series | None:
        points = [(round(left + i * step), y(v)) for i, v in enumerate(values) if v is not None]
        if not points:
            return None
        last = next(v for v in reversed(values) if v is not None)
        return Series(
            kind, " ".join(f"{x},{y_}" for x, y_ in points), points[-1][0], points[-1][1], last
        )

    found = [
        series("budget", [m.budget for m in months]),
        series("forecast", [m.forecast for m in months]),
        series("accrued", [m.accrued for m in months]),
    ]
    return MonthChart(
        width=width,
        height=height,
        series=tuple(s for s in found if s is not None),
        months=tuple(
            (round(left + i * step), str(m.month_end.month)) for i, m in enumerate(months)
        ),
        baseline=bottom,
        left=left,
        right=right,
    )
