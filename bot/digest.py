"""The daily digest in chat: the coordinator's channel and each municipality's channel.

What it says comes from services.digest (domain.digest); here it becomes Block Kit within
Slack's limits (long lists are cut with a count and a link to the web site), and is queued
in the outbox under the key digest:<channel>:<day>. The key is the claim on the day: however many
schedulers run, and however often, each channel gets one digest a day.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot import outbox
from bot.blocks import Block, Reply, context, escape, header, link, paragraphs, section
from bot.settings import ChatSettings, DigestSchedule
from bot.text import to_plain
from domain.availability import Availability
from domain.calendar import is_working_day
from domain.deadlines import SLIP_LABELS
from domain.digest import Digest, RequisitionDue, WaitingRequest
from locales import format_percent, format_period, ngettext, phrases
from locales import gettext as _
from services.digest import Audience, build_digests
from storage import digest_queries
from storage.models import Municipality

MAX_ITEMS = 15  # per list: the rest is on the web site


@dataclass(frozen=True)
class PlannedDigest:
    key: str
    channel: str | None  # None: no channel is set (a dry run still shows it)
    audience: str  # "the coordinator" or the municipality's name, for the dry run
    reply: Reply


def digest_key(channel: str, day: date) -> str:
    return f"digest:{channel}:{day.isoformat()}"


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


def _titled(title: str, lines: list[str], more_url: str) -> list[Block]:
    return paragraphs([f"*{title}*", *_capped(lines, more_url)]) if lines else []


def _places(digest: Digest, more_url: str) -> list[Block]:
    shown = list(digest.places)
    if len(shown) > MAX_ITEMS:  # many municipalities: the fullest first
        shown.sort(key=lambda m: (m.free, m.municipality))
    lines = [phrases.place_line(m, escape) for m in shown]
    blocks = _titled(_("Free places"), lines, more_url)
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


def _waiting_line(item: WaitingRequest) -> str:
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


def render(digest: Digest, settings: ChatSettings, *, title: str) -> Reply:
    """The digest as one message; on a quiet day a single line."""
    more_url = settings.site_url + (
        "/oversikt" if digest.municipality_id is None else "/forfragningar"
    )
    if digest.quiet:
        line = _("Nothing new since the last digest, and nothing is waiting.")
        return Reply(blocks=[section(f"{title}: {line}")], text=f"{title}: {line}")
    blocks: list[Block] = [header(title), *_places(digest, more_url)]
    blocks += _titled(
        ngettext(
            "%(num)d request waiting for an answer",
            "%(num)d requests waiting for an answer",
            len(digest.waiting),
        ),
        [_waiting_line(w) for w in digest.waiting],
        more_url,
    )
    blocks += _titled(
        ngettext(
            "Tripartite meetings in the coming working day",
            "Tripartite meetings in the coming %(num)d working days",
            digest.settings.meetings_within_working_days,
        ),
        [
            _(
                "%(date)s: %(code)s in %(municipality)s",
                date=m.meeting_on,
                code=m.reference_code,
                municipality=escape(m.municipality),
            )
            for m in digest.meetings
        ],
        more_url,
    )
    blocks += _titled(
        _("Behind schedule"),
        [
            _(
                "%(code)s in %(municipality)s: %(slip)s",
                code=i.reference_code,
                municipality=escape(i.municipality),
                slip=_(SLIP_LABELS[i.slip], date=i.due_on),
            )
            for i in digest.late
        ],
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
    blocks.append(context(link(more_url, _("Everything is on the web site."))))
    return Reply(blocks=blocks, text=title)


def _requisition_blocks(digest: Digest, more_url: str) -> list[Block]:
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

    blocks = _titled(
        _("Requisition bases waiting for attestation"),
        [line(r) for r in digest.requisitions_waiting],
        more_url,
    )
    blocks += _titled(
        _("Your periods that have ended but are not submitted")
        if own
        else _("Ended periods not submitted"),
        [line(r) for r in digest.unsubmitted],
        more_url,
    )
    return blocks


def plan(
    session: Session,
    *,
    today: date,
    now: datetime,
    settings: ChatSettings,
    schedule: DigestSchedule,
    include_unset: bool = False,
) -> list[PlannedDigest]:
    """The digests of the day: the coordinator's, then each municipality's (those with a
    channel; with `include_unset`, also those without, for a dry run). All are built in one
    pass (services.digest); "changed since" counts from each channel's previous digest."""
    audiences: list[tuple[str | None, int | None, str]] = []
    if schedule.channel or include_unset:
        audiences.append((schedule.channel or None, None, _("the coordinator")))
    for municipality in session.scalars(select(Municipality).order_by(Municipality.name)):
        if municipality.slack_channel or include_unset:
            audiences.append((municipality.slack_channel, municipality.id, municipality.name))
    previous = digest_queries.previous_digest_times(
        session, today.isoformat(), schedule.channel or None
    )
    fallback = now - timedelta(days=1)
    digests = build_digests(
        session,
        today=today,
        audiences=[
            Audience(municipality_id, previous.get(channel, fallback) if channel else fallback)
            for channel, municipality_id, _audience in audiences
        ],
        settings=schedule.content,
    )
    planned = []
    for (channel, municipality_id, audience), digest in zip(audiences, digests, strict=True):
        title = (
            _("Today's situation, %(date)s", date=today)
            if municipality_id is None
            else _(
                "Today's situation in %(municipality)s, %(date)s", municipality=audience, date=today
            )
        )
        planned.append(
            PlannedDigest(
                key=digest_key(channel or "-", today),
                channel=channel,
                audience=audience,
                reply=render(digest, settings, title=title),
            )
        )
    return planned


def enqueue_digests(
    session: Session,
    *,
    today: date,
    now: datetime,
    settings: ChatSettings,
    schedule: DigestSchedule,
) -> list[str]:
    """Queues today's digests (nothing on a day off); returns the channels queued for now.
    A channel that already has today's digest is left alone."""
    if not is_working_day(today):
        return []
    queued = []
    for planned in plan(session, today=today, now=now, settings=settings, schedule=schedule):
        if outbox.enqueue(
            session, key=planned.key, channel=planned.channel, reply=planned.reply, now=now
        ):
            queued.append(planned.channel)
    return queued


def as_text(planned: Iterable[PlannedDigest]) -> str:
    """The digests as a terminal shows them (`mm digest --dry-run`)."""
    parts = []
    for item in planned:
        where = item.channel or _("no channel set")
        parts.append(f"── {item.audience} ({where}) ──")
        message = item.reply.message()
        parts.append(to_plain(message["blocks"], message["text"]))
    return "\n\n".join(parts)
