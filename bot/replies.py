"""Answers to the queries, as Block Kit: free places, the budget, one referral's status.

Pure rendering of what the domain returns. A long list of municipalities is split into pages
of PAGE_SIZE, with buttons to turn the page, so any number of municipalities gives a valid
message.
"""

from __future__ import annotations

from datetime import date, datetime

from domain.availability import Availability, MunicipalityPlaces
from domain.budget import YearBudget
from domain.choices import LABELS
from domain.lifecycle import STATUS_LABELS, RequestAnswer
from locales import format_date, format_datetime, format_percent, phrases
from locales import gettext as _
from notices.message import (
    Message,
    Part,
    actions,
    button,
    context,
    escape,
    fields,
    header,
    link,
    paragraphs,
    section,
)
from storage.models import PlacementRequest, Referral
from transports.slack.settings import ChatSettings

PAGE_SIZE = 25
PAGE_ACTION = "places_page"


def _place_line(m: MunicipalityPlaces) -> str:
    return phrases.place_line(m, escape)


def places_one(m: MunicipalityPlaces, budget: YearBudget | None) -> Message:
    parts: list[Part] = [
        header(_("Free places in %(municipality)s", municipality=m.municipality)),
        *fields(
            [
                (_("Free places"), str(m.free_now)),  # never negative: see over capacity
                *([(_("Over capacity"), str(m.over_capacity))] if m.over_capacity else []),
                (_("Capacity"), str(m.capacity)),
                (_("Placements started"), str(m.started)),
                (_("Accepted, not started"), str(m.accepted_not_started)),
            ]
        ),
    ]
    ahead = phrases.next_place_line(m)
    if ahead is not None:
        parts.append(context(ahead))
    if budget is not None:
        parts.append(context(phrases.places_left_line(budget)))
    return Message(parts=parts, text=_place_line(m))


def pages(availability: Availability) -> int:
    return max(1, -(-len(availability.municipalities) // PAGE_SIZE))


def shown(availability: Availability, page: int) -> tuple[int, tuple[MunicipalityPlaces, ...]]:
    """The page asked for, kept within the pages there are, and its municipalities."""
    page = min(max(page, 1), pages(availability))
    return page, availability.municipalities[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]


def places_all(
    availability: Availability, budget: YearBudget | None, *, page: int = 1, shared: bool = False
) -> Message:
    """All municipalities, PAGE_SIZE to a page; the totals on every page."""
    last = pages(availability)
    page, on_page = shown(availability, page)
    total = phrases.total_free_line(availability)
    parts: list[Part] = [
        header(_("Free places")),
        *paragraphs(_place_line(m) for m in on_page),
        section(f"*{total}*"),
    ]
    if budget is not None:
        parts.append(context(phrases.places_left_line(budget)))
    if last > 1:
        parts.append(
            context(
                _(
                    "Page %(page)s of %(pages)s. Write the name of a municipality to see only it.",
                    page=page,
                    pages=last,
                )
            )
        )
        suffix = ":shared" if shared else ""
        buttons = []
        if page > 1:
            buttons.append(button(_("Previous page"), PAGE_ACTION, f"{page - 1}{suffix}"))
        if page < last:
            buttons.append(button(_("Next page"), PAGE_ACTION, f"{page + 1}{suffix}"))
        parts.append(actions(*buttons, block_id=f"places:{page}"))
    return Message(parts=parts, text=total, shared=shared)


def budget(b: YearBudget, forecast: str | None = None) -> Message:
    """The budget of a year; `forecast` the one-line answer where the money lands by the
    year's end at the current pace (reports.scenarios)."""
    title = phrases.budget_title(b)
    parts: list[Part] = [header(title)]
    if forecast is not None:
        parts.append(section(forecast))
    parts += paragraphs(phrases.budget_lines(b))
    share = _("Committed share of the budget: %(share)s", share=format_percent(b.committed_share))
    parts.append(context(share))
    parts += paragraphs(phrases.other_cost_lines(b, escape))
    return Message(parts=parts, text=title)


def _date(value: date | None) -> str:
    return format_date(value) if value else "–"


def _moment(value: datetime | None) -> str:
    return format_datetime(value) if value else "–"


def _request_line(request: PlacementRequest) -> str:
    municipality = escape(request.municipality.name)
    if request.answered_at is None:
        return _(
            "%(municipality)s was asked on %(asked)s and has not answered yet.",
            municipality=municipality,
            asked=request.asked_at,
        )
    if request.answer is RequestAnswer.ACCEPTED:
        return _(
            "%(municipality)s was asked on %(asked)s and accepted on %(answered)s.",
            municipality=municipality,
            asked=request.asked_at,
            answered=request.answered_at,
        )
    if request.answer is RequestAnswer.DECLINED:
        return _(
            "%(municipality)s was asked on %(asked)s and declined on %(answered)s (%(reason)s).",
            municipality=municipality,
            asked=request.asked_at,
            answered=request.answered_at,
            reason=_(LABELS[request.decline_reason]) if request.decline_reason else "–",
        )
    return _(
        "%(municipality)s was asked on %(asked)s; the request was withdrawn on %(answered)s.",
        municipality=municipality,
        asked=request.asked_at,
        answered=request.answered_at,
    )


def status(
    referral: Referral,
    settings: ChatSettings,
    *,
    whole: bool,
    own_municipality_id: int | None = None,
) -> Message:
    """Where one referral stands. `whole` is False for a municipality that was asked but is
    no longer part of it: it sees its own request and answer, not where the referral went."""
    code = referral.reference_code
    web = link(settings.referral_url(code), _("Open the referral on the web site"))
    requests = [r for r in referral.requests if whole or r.municipality_id == own_municipality_id]
    parts: list[Part] = [header(_("Referral %(code)s", code=code))]
    if whole:
        placement = referral.placement
        pairs = [
            (_("Status"), _(STATUS_LABELS[referral.status])),
            (_("Submitted"), _moment(referral.submitted_at)),
        ]
        if placement is not None:
            pairs += [
                (_("Municipality"), escape(placement.municipality.name)),
                (_("Tripartite meeting"), _date(placement.started_on or placement.meeting_on)),
                (_("Planned end"), _date(placement.planned_end_on)),
            ]
            if placement.extensions:
                pairs.append((_("Extended"), str(len(placement.extensions))))
            if placement.ended_on:
                pairs.append((_("Ended"), _date(placement.ended_on)))
            if placement.outcome:
                pairs.append((_("Outcome"), _(LABELS[placement.outcome])))
        parts += fields(pairs)
    parts += paragraphs(_request_line(r) for r in requests)
    parts.append(section(web))
    text = (
        _("%(code)s: %(status)s", code=code, status=_(STATUS_LABELS[referral.status]))
        if whole
        else _("Referral %(code)s", code=code)
    )
    return Message(parts=parts, text=text)
