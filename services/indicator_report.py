"""The goal indicators per period and municipality (domain.follow_up.IndicatorRow): the four
goals and the placements new, active and ended from the kept running totals
(storage.figures); the outcomes by kind and the times to answer and to meeting from the
reports' kept totals (storage.report_figures): two days' rows per municipality, whatever the
history, and the answers of the hour or two where a Swedish day's edge differs from UTC."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy.orm import Session

from domain.access import Actor, indicators_scope
from domain.choices import Outcome
from domain.errors import RuleViolation
from domain.figures import (
    IndicatorCounts,
    IndicatorDays,
    Tally,
    indicator_counts,
    indicator_days,
)
from domain.follow_up import IndicatorRow
from domain.indicators import summed
from domain.program import Program
from domain.text import N_
from services import reports
from services.budget_follow_up import municipality_names
from services.kept_answers import kept
from services.program_setup import current_program
from storage import figures, report_figures
from storage.models.report_figures import OUTCOME_COUNTERS

SECONDS_A_DAY = 86400


def _mean(total: Decimal, count: int) -> Decimal | None:
    if not count:
        return None
    return (total / count).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


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
    scope = indicators_scope(actor, municipality_id)
    if names is not None:  # a part of a report that is kept as a whole (steering group's)
        return _indicators(session, first, last, today, scope, names)
    # The same for everyone who may see it: kept while the database reads the same (as a
    # tuple, which no caller can change; each gets a list of its own).
    return list(
        kept(
            session,
            "indicators",
            (first, last, today, scope),
            lambda: tuple(_indicators(session, first, last, today, scope, None)),
        )
    )


def _indicators(
    session: Session,
    first: date,
    last: date,
    today: date,
    municipality_id: int | None,
    names: Sequence[tuple[int, str]] | None,
) -> list[IndicatorRow]:
    program = current_program(session)
    period = indicator_days(first, last, today)
    tallies = figures.tallies_by_municipality(
        session, period.all() if period else set(), first=program.start, last=program.end
    )
    outcomes, answers, meetings = _period_figures(session, first, last, program)
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


Means = dict[int, tuple[int, Decimal]]


def _period_figures(
    session: Session, first: date, last: date, program: Program
) -> tuple[dict[int, dict[Outcome, int]], Means, Means]:
    """Per municipality: the placements ended in [first, last] by outcome, and (count, days)
    of the requests answered and of the tripartite meetings of the placements started in
    it, each only where there is one."""
    days = (program.start, program.end)
    kept = report_figures.period_by_municipality(session, first, last, days)
    edges = report_figures.answer_edges(session, first, last, days)
    outcomes: dict[int, dict[Outcome, int]] = {}
    answers: Means = {}
    meetings: Means = {}
    zero = dict.fromkeys(report_figures.COUNTERS, 0)
    for mid in sorted(set(kept) | set(edges)):
        found = kept.get(mid, zero)
        ended = {o: int(found[name]) for o, name in OUTCOME_COUNTERS.items() if found[name]}
        if ended:
            outcomes[mid] = ended
        extra, seconds = edges.get(mid, (0, 0))
        if found["answers"] + extra:
            total = Decimal(int(found["answer_seconds"]) + seconds) / SECONDS_A_DAY
            answers[mid] = (int(found["answers"]) + extra, total)
        if found["meetings"]:
            meetings[mid] = (int(found["meetings"]), Decimal(int(found["meeting_days"])))
    return outcomes, answers, meetings


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
    answers: tuple[int, Decimal] | None,
    meetings: tuple[int, Decimal] | None,
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
    answers: Means,
    meetings: Means,
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
        mean_days_to_answer=_mean(sum((t for _n, t in answers.values()), Decimal(0)), answered),
        answers=answered,
        mean_days_to_meeting=_mean(sum((t for _n, t in meetings.values()), Decimal(0)), met),
        meetings=met,
        new=sum(r.new for r in rows),
        active=sum(r.active for r in rows),
        ended=sum(r.ended for r in rows),
    )
