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
# Room right of the longest bar for its label: 150 cut "Budget 1 790 000 kr" at "k".
WIDTH = LABEL_WIDTH + BAR_AREA + 190


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
# Drawn at a size whose text stays readable when the figure is shown at its smallest
# (.chart-scroll keeps it at least 36rem wide, scrolling in its own region on a phone).
LEFT, RIGHT, TOP, BOTTOM, CHART_WIDTH, CHART_HEIGHT = 70, 500, 34, 254, 720, 290
LABEL_X, LABEL_GAP = RIGHT + 34, 20


@dataclass(frozen=True)
class Series:
    kind: str  # budget / accrued / forecast: the CSS class and the label
    points: str  # "x,y x,y …" for a polyline
    end_x: int
    end_y: int
    amount: Money
    label_y: int = 0  # where its label sits in the column right of the lines


@dataclass(frozen=True)
class Tick:
    y: int
    thousands: int  # the value in thousands of kronor (tkr), as the association writes it


@dataclass(frozen=True)
class MonthChart:
    width: int
    height: int
    series: tuple[Series, ...]
    months: tuple[tuple[int, str], ...]  # x, the month's short Swedish name
    ticks: tuple[Tick, ...]
    baseline: int
    left: int
    right: int
    top: int
    label_x: int


def _step(largest_kronor: float) -> int:
    """A round step (1, 2, 2.5 or 5 × 10^n kronor) giving at most five lines above zero."""
    magnitude = 1
    while True:
        for factor in (1, 2, 2.5, 5):
            step = int(factor * magnitude)
            if step and largest_kronor / step <= 5:
                return step
        magnitude *= 10


def _apart(wanted: list[int], top: int, bottom: int) -> list[int]:
    """The labels' heights, each at least LABEL_GAP from the next, as near their lines'
    ends as that allows: "Utfall" and "Prognos" no longer sit on each other."""
    order = sorted(range(len(wanted)), key=lambda i: wanted[i])
    placed = [0] * len(wanted)
    last = top - LABEL_GAP
    for i in order:
        last = max(wanted[i], last + LABEL_GAP)
        placed[i] = last
    overflow = max(0, last - bottom)
    return [y - overflow for y in placed]


def follow_up_chart(months: list[MonthPoint], month_names: list[str]) -> MonthChart:
    """Three lines over the months of the year, a y-axis in tkr and the months by name; the
    table beside it is their text."""
    largest_ore = max([1, *(max(m.budget.ore, m.forecast.ore) for m in months)])
    step = _step(largest_ore / 100)
    top_value = step * max(1, -(-largest_ore // (step * 100)))  # kronor, rounded up
    x_step = (RIGHT - LEFT) / max(len(months) - 1, 1)

    def y(ore: int) -> int:
        return round(BOTTOM - (BOTTOM - TOP) * max(ore, 0) / (top_value * 100))

    def series(kind: str, values: list[Money | None]) -> Series | None:
        points = [
            (round(LEFT + i * x_step), y(v.ore)) for i, v in enumerate(values) if v is not None
        ]
        if not points:
            return None
        last = next(v for v in reversed(values) if v is not None)
        return Series(
            kind, " ".join(f"{x},{y_}" for x, y_ in points), points[-1][0], points[-1][1], last
        )

    found = [
        s
        for s in (
            series("budget", [m.budget for m in months]),
            series("forecast", [m.forecast for m in months]),
            series("accrued", [m.accrued for m in months]),
        )
        if s is not None
    ]
    heights = _apart([s.end_y + 5 for s in found], TOP + 5, BOTTOM + 5)
    return MonthChart(
        width=CHART_WIDTH,
        height=CHART_HEIGHT,
        series=tuple(
            Series(s.kind, s.points, s.end_x, s.end_y, s.amount, h)
            for s, h in zip(found, heights, strict=True)
        ),
        months=tuple(
            (round(LEFT + i * x_step), name) for i, name in enumerate(month_names[: len(months)])
        ),
        ticks=tuple(Tick(y(value * 100), value // 1000) for value in range(0, top_value + 1, step)),
        baseline=BOTTOM,
        left=LEFT,
        right=RIGHT,
        top=TOP,
        label_x=LABEL_X,
    )
