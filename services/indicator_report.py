"""The goal indicators per period and municipality (domain.follow_up.IndicatorRow): the four
goals and the placements new, active and ended from the kept running totals
(storage.figures); the outcomes by kind and the times to answer and to meeting counted in the
database, by index over the period only (no running total keeps them)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy.orm import Session

from domain.access import Actor, indicators_scope
from domain.choices import Outcome
from domain.errors import RuleViolation
from domain.figures import IndicatorCounts, IndicatorDays, Tally, indicator_counts, indicator_days
from domain.follow_up import IndicatorRow
from domain.indicators import summed
from domain.text import N_
from services import reports
from services.budget_follow_up import municipality_names
from services.program_setup import current_program
from storage import figures
from storage import follow_up_queries as queries


def _mean(total: float, count: int) -> Decimal | None:
    if not count:
        return None
    return (Decimal(str(total)) / count).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def indicators_report(
    session: Session,
    *,
    actor: Actor | None,
    first: date,
    last: date,
    today: date,
    municipality_id: int | None = None,
    names: Sequence[tuple[int, str]] | None = None,
) -> list[IndicatorRow]:
    """The four goals for placements started (milestones) or ended (outcomes) in [first,
    last], as known today, per municipality and (without `municipality_id`) in total.
    `names`: the municipalities when the caller has read them already."""
    if last < first:
        raise RuleViolation(N_("The period must end after it starts."), field="to")
    municipality_id = indicators_scope(actor, municipality_id)
    program = current_program(session)
    period = indicator_days(first, last, today)
    tallies = figures.tallies_by_municipality(
        session, period.all() if period else set(), first=program.start, last=program.end
    )
    outcomes: dict[int, dict[Outcome, int]] = defaultdict(dict)
    for where, outcome, count in queries.outcomes(session, first, last):
        outcomes[where][Outcome(outcome)] = count
    answers = {
        row[0]: (row[1], float(row[2] or 0)) for row in queries.answer_times(session, first, last)
    }
    meetings = {
        row[0]: (row[1], float(row[2] or 0)) for row in queries.meeting_times(session, first, last)
    }
    rows = [
        _indicator_row(
            name,
            mid,
            indicator_counts(period, tallies[mid]) if period and mid in tallies else None,
            outcomes.get(mid, {}),
            answers.get(mid),
            meetings.get(mid),
            _people(period, tallies.get(mid)),
        )
        for mid, name in (municipality_names(session) if names is None else names)
        if municipality_id in (None, mid)
    ]
    if municipality_id is None:
        rows.append(_total_row(rows, answers, meetings))
    return rows


def _people(period: IndicatorDays | None, tally: dict[date, Tally] | None) -> dict[str, int]:
    """Placements new (started), active (placed at some time) and ended in the period, from
    the kept running totals: no placement is read."""
    if period is None or tally is None:
        return {}
    before, last = tally[period.before_first], tally[period.last]
    return {
        "new": last.starts - before.starts,
        "active": last.running_from - before.running_to,
        "ended": last.ends - before.ends,
    }


def _indicator_row(
    label: str,
    municipality_id: int | None,
    counts: IndicatorCounts | None,
    outcomes: dict[Outcome, int],
    answers: tuple[int, float] | None,
    meetings: tuple[int, float] | None,
    people: dict[str, int],
) -> IndicatorRow:
    found = counts or IndicatorCounts(0, 0, 0, 0, 0, 0, 0, 0)
    return IndicatorRow(
        label=label,
        municipality_id=municipality_id,
        indicators=tuple(reports.indicators_from(found)),
        outcomes=outcomes,
        mean_days_to_answer=_mean(answers[1], answers[0]) if answers else None,
        answers=answers[0] if answers else 0,
        mean_days_to_meeting=_mean(meetings[1], meetings[0]) if meetings else None,
        meetings=meetings[0] if meetings else 0,
        new=people.get("new", 0),
        active=people.get("active", 0),
        ended=people.get("ended", 0),
    )


def _total_row(
    rows: list[IndicatorRow],
    answers: dict[int, tuple[int, float]],
    meetings: dict[int, tuple[int, float]],
) -> IndicatorRow:
    """Every municipality together: the counts added up, the means over all of them."""
    outcomes: dict[Outcome, int] = defaultdict(int)
    for row in rows:
        for outcome, count in row.outcomes.items():
            outcomes[outcome] += count
    answered = sum(n for n, _t in answers.values())
    met = sum(n for n, _t in meetings.values())
    return IndicatorRow(
        label="",
        municipality_id=None,
        indicators=summed([row.indicators for row in rows]),
        outcomes=dict(outcomes),
        mean_days_to_answer=_mean(sum(t for _n, t in answers.values()), answered),
        answers=answered,
        mean_days_to_meeting=_mean(sum(t for _n, t in meetings.values()), met),
        meetings=met,
        new=sum(r.new for r in rows),
        active=sum(r.active for r in rows),
        ended=sum(r.ended for r in rows),
    )
