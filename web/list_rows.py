"""The rows of the long lists, written in Python: a list page writes 50 of them, and Jinja's
work for each cell (an attribute look-up, an escape and a Markup for every expression, a
context call for every function) cost as much as the rest of the page's rendering (issue
24: 0.6 ms of a 3.3 ms render for the referrals). Every value is escaped here as Jinja
would; the templates keep the tables around the rows and say what each column is."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from markupsafe import Markup, escape

import locales
from domain.deadlines import Task
from domain.text import N_
from web.templating import _date, end_day, referral_url, status_tag

DASH = "–"


def _code(code: str) -> str:
    """The row's header cell: its reference code, a link to the referral."""
    return f'<th scope="row"><a href="{escape(referral_url(code))}">{escape(code)}</a></th>'


def _day(row: Any) -> str:
    """The tripartite meeting: as held, else as booked."""
    return escape(_date(row.started_on or row.meeting_on))


def referral_rows(rows: Iterable[Any], *, named: bool) -> Markup:
    """`/anmalningar`: code, the participant (`named`: the investigator's own list), status,
    municipality, filed, tripartite meeting and end."""
    protected = escape(locales.gettext("Protected personal data"))
    lines = []
    for row in rows:
        name = ""
        if named:
            shown = protected if row.protected_identity else escape(row.name or DASH)
            name = f"<td>{shown}</td>"
        lines.append(
            f"<tr>{_code(row.reference_code)}{name}"
            f"<td>{status_tag(row.status)}</td>"
            f"<td>{escape(row.municipality or DASH)}</td>"
            f"<td>{escape(_date(row.filed_at))}</td>"
            f"<td>{_day(row)}</td><td>{end_day(row)}</td></tr>"
        )
    return Markup("\n".join(lines))


def request_rows(rows: Iterable[Any]) -> Markup:
    """`/forfragningar`, the open requests: code and when asked."""
    return Markup(
        "\n".join(
            f"<tr>{_code(row.reference_code)}<td>{escape(_date(row.asked_at))}</td></tr>"
            for row in rows
        )
    )


def placement_rows(rows: Iterable[Any]) -> Markup:
    """`/forfragningar`, the placements: code, status, tripartite meeting and end."""
    return Markup(
        "\n".join(
            f"<tr>{_code(row.reference_code)}<td>{status_tag(row.status)}</td>"
            f"<td>{_day(row)}</td><td>{end_day(row)}</td></tr>"
            for row in rows
        )
    )


# What the "When" cell of a referral's task says, by task; a request's age and a deadline
# are said apart (work_rows).
_WHEN = {
    Task.HOLD_MEETING: N_("Meeting %(date)s"),
    Task.FOLLOW_UP: N_("Meeting %(date)s"),
    Task.RECORD_MEETING: N_("The meeting was %(date)s: record whether it was held"),
    Task.RECORD_FOLLOW_UP: N_("The meeting was %(date)s: record whether it was held"),
    Task.BOOK_FOLLOW_UP: N_("Started %(date)s"),
    Task.REROUTE: N_("Declined %(date)s"),
    Task.ENDING: N_("Planned end %(date)s"),
}


def _when(item: Any) -> Markup:
    catalogue = locales.translations()
    day = _date(item.on)
    if item.task == Task.ANSWER_REQUEST:
        asked = catalogue.ngettext(
            "Asked %(date)s: %(num)d working day without an answer",
            "Asked %(date)s: %(num)d working days without an answer",
            item.working_days,
        )
        return Markup(asked) % {"date": day, "num": item.working_days}
    if item.task in _WHEN:
        return Markup(catalogue.gettext(_WHEN[item.task])) % {"date": day}
    if item.late:
        return Markup(catalogue.gettext(N_("Late: due %(date)s"))) % {"date": day}
    return Markup(catalogue.gettext(N_("Due %(date)s"))) % {"date": day}


def work_rows(items: Iterable[Any], anchors: dict[Task, str], *, with_municipality: bool) -> Markup:
    """`/att-gora`, a referral's tasks: code (a link to the task's part of the referral),
    the municipality (`with_municipality`: not for its own contact), when, next meeting."""
    late = Markup(' <span class="visually-hidden"> (%s)</span>') % locales.gettext("late")
    lines = []
    for item in items:
        link = f"{escape(referral_url(item.reference_code))}#{escape(anchors[item.task])}"
        where = f"<td>{escape(item.municipality or DASH)}</td>" if with_municipality else ""
        when = (
            f'<td class="late">{_when(item)}{late}</td>' if item.late else f"<td>{_when(item)}</td>"
        )
        lines.append(
            f'<tr><th scope="row"><a href="{link}">{escape(item.reference_code)}</a></th>'
            f"{where}{when}<td>{escape(_date(item.next_meeting))}</td></tr>"
        )
    return Markup("\n".join(lines))
