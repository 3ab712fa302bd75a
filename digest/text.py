"""The daily digest as one message: its lists, titles and lines, written once for every
channel (digest.plan plans and queues it; the Home tab and late notices reuse the lines).
Long lists are cut at MAX_ITEMS with a count and a link to the web site.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from domain.availability import Availability
from domain.deadlines import SLIP_LABELS
from domain.digest import Digest, LateItem, RequisitionDue, UpcomingMeeting, WaitingRequest
from locales import format_percent, format_period, ngettext, phrases
from locales import gettext as _
from locales import render as render_text
from notices.message import Message, Part, context, escape, header, link, paragraphs, section
from services.deliveries import UndeliveredSummary
from transports.delivery_reasons import reason_text
from transports.slack.blockkit import slack_reply
from transports.slack.blocks import Reply
from transports.slack.settings import ChatSettings

MAX_ITEMS = 15  # per list: the rest is on the web site


def _capped(lines: list[str], more_url: str) -> list[str]:
    if len(lines) <= MAX_ITEMS:
        return lines
    rest = len(lines) - MAX_ITEMS
    more = ngettext(
        "…and %(num)d more. See all of them on the web site.",
        "…and %(num)d more. See all of them on the web site.",
        rest,
    )
    return [*lines[:MAX_ITEMS], link(more_url, more)]


def titled(title: str, lines: list[str], more_url: str) -> list[Part]:
    return paragraphs([f"*{title}*", *_capped(lines, more_url)]) if lines else []


def _places(digest: Digest, more_url: str) -> list[Part]:
    shown = list(digest.places)
    if len(shown) > MAX_ITEMS:  # many municipalities: the fullest first
        shown.sort(key=lambda m: (m.free, m.municipality))
    lines = [phrases.place_line(m, escape) for m in shown]
    blocks = titled(_("Free places"), lines, more_url)
    if digest.municipality_id is None:
        total = Availability(digest.places).free
        blocks.append(
            section(
                ngettext("In total: %(num)d free place.", "In total: %(num)d free places.", total)
            )
        )
    if digest.budget is not None:
        blocks.append(
            context(
                phrases.places_left_line(digest.budget),
                _(
                    "Committed share of the budget: %(share)s",
                    share=format_percent(digest.budget.committed_share),
                ),
            )
        )
    return blocks


def waiting_line(item: WaitingRequest) -> str:
    values = {
        "code": item.reference_code,
        "municipality": escape(item.municipality),
        "date": item.asked_on,
    }
    if item.overdue:
        return ngettext(
            ":warning: %(code)s to %(municipality)s, asked %(date)s: %(num)d working day "
            "without an answer (late)",
            ":warning: %(code)s to %(municipality)s, asked %(date)s: %(num)d working days "
            "without an answer (late)",
            item.working_days,
            **values,
        )
    return ngettext(
        "%(code)s to %(municipality)s, asked %(date)s: %(num)d working day without an answer",
        "%(code)s to %(municipality)s, asked %(date)s: %(num)d working days without an answer",
        item.working_days,
        **values,
    )


def meeting_line(m: UpcomingMeeting) -> str:
    return _(
        "%(date)s: %(code)s in %(municipality)s",
        date=m.meeting_on,
        code=m.reference_code,
        municipality=escape(m.municipality),
    )


def late_line(i: LateItem) -> str:
    return _(
        "%(code)s in %(municipality)s: %(slip)s",
        code=i.reference_code,
        municipality=escape(i.municipality),
        slip=_(SLIP_LABELS[i.slip], date=i.due_on),
    )


def meetings_title(digest: Digest) -> str:
    return ngettext(
        "Tripartite meetings in the coming working day",
        "Tripartite meetings in the coming %(num)d working days",
        digest.settings.meetings_within_working_days,
    )


def waiting_title(digest: Digest) -> str:
    return ngettext(
        "%(num)d request waiting for an answer",
        "%(num)d requests waiting for an answer",
        len(digest.waiting),
    )


def undelivered_blocks(undelivered: Sequence[UndeliveredSummary]) -> list[Part]:
    """For the coordinator: chat messages that did not get through, and why."""
    if not undelivered:
        return []
    total = sum(u.count for u in undelivered)
    title = ngettext(
        ":warning: %(num)d chat message could not be delivered",
        ":warning: %(num)d chat messages could not be delivered",
        total,
    )
    lines = [
        ngettext(
            "%(place)s: %(num)d message. %(reason)s",
            "%(place)s: %(num)d messages. %(reason)s",
            u.count,
            place=escape(f"{u.municipality} ({u.channel})" if u.municipality else u.channel),
            reason=escape(render_text(reason_text(u.reason))),
        )
        for u in undelivered
    ]
    note = _("The administrator sends them again on the web site once the cause is fixed.")
    return [*paragraphs([f"*{title}*", *lines[:MAX_ITEMS]]), context(note)]


def day_title(municipality: str | None, today: date) -> str:
    """The digest's heading: the coordinator's (None), or a municipality's."""
    if municipality is None:
        return _("Today's situation, %(date)s", date=today)
    return _(
        "Today's situation in %(municipality)s, %(date)s",
        municipality=municipality,
        date=today,
    )


def render(
    digest: Digest,
    settings: ChatSettings,
    *,
    title: str,
    undelivered: Sequence[UndeliveredSummary] = (),
) -> Reply:
    """The digest for Slack."""
    return slack_reply(compose(digest, settings, title=title, undelivered=undelivered))


def compose(
    digest: Digest,
    settings: ChatSettings,
    *,
    title: str,
    undelivered: Sequence[UndeliveredSummary] = (),
) -> Message:
    """The digest as one message, for any channel; on a quiet day a single line."""
    more_url = settings.site_url + (
        "/oversikt" if digest.municipality_id is None else "/forfragningar"
    )
    if digest.quiet and not undelivered:
        line = _("Nothing new since the last digest, and nothing is waiting.")
        return Message(parts=[section(f"{title}: {line}")], text=f"{title}: {line}")
    blocks: list[Part] = [header(title), *_places(digest, more_url)]
    blocks += titled(
        waiting_title(digest),
        [waiting_line(w) for w in digest.waiting],
        more_url,
    )
    blocks += titled(
        meetings_title(digest),
        [meeting_line(m) for m in digest.meetings],
        more_url,
    )
    blocks += titled(
        _("Behind schedule"),
        [late_line(i) for i in digest.late],
        more_url,
    )
    blocks += _requisition_blocks(digest, more_url)
    if digest.unconfirmed_rate_year is not None:
        blocks.append(
            section(
                _(
                    ":warning: The daily rate for %(year)s is not confirmed yet. Set it on the "
                    "overview page.",
                    year=str(digest.unconfirmed_rate_year),
                )
            )
        )
    blocks += undelivered_blocks(undelivered)
    blocks.append(context(link(more_url, _("Everything is on the web site."))))
    return Message(parts=blocks, text=title)


def _requisition_blocks(digest: Digest, more_url: str) -> list[Part]:
    """Bases waiting for attestation (the coordinator's), and periods not submitted."""
    own = digest.municipality_id is not None

    def line(item: RequisitionDue) -> str:
        if own:
            return format_period(item.period)
        return _(
            "%(municipality)s: %(period)s",
            municipality=escape(item.municipality),
            period=item.period,
        )

    blocks = titled(
        _("Requisition bases waiting for attestation"),
        [line(r) for r in digest.requisitions_waiting],
        more_url,
    )
    blocks += titled(
        _("Your periods that have ended but are not submitted")
        if own
        else _("Ended periods not submitted"),
        [line(r) for r in digest.unsubmitted],
        more_url,
    )
    blocks += titled(
        _("Requisition bases returned for correction"),
        [line(r) for r in digest.returned],
        more_url,
    )
    return blocks
