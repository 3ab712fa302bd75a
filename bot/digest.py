"""The daily digest in chat: the coordinator's channel and each municipality's channel.

What it says comes from services.digest (domain.digest); here it becomes Block Kit within
Slack's limits (long lists are cut with a count and a link to the web site), and is queued
in the outbox under the key digest:<channel>:<day>. The key is the claim on the day: however many
schedulers run, and however often, each channel gets one digest a day.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot import outbox
from bot.blockkit import slack_reply
from bot.blocks import Reply
from bot.channels import to_email, to_matrix
from bot.settings import ChatSettings, DigestSchedule
from bot.text import to_plain
from domain.availability import Availability
from domain.calendar import is_working_day
from domain.deadlines import SLIP_LABELS
from domain.delivery import Transport, reason_text
from domain.digest import Digest, LateItem, RequisitionDue, UpcomingMeeting, WaitingRequest
from domain.notices import NoticeKind
from locales import format_percent, format_period, ngettext, phrases
from locales import gettext as _
from locales import render as render_text
from notices.message import Message, Part, context, escape, header, link, paragraphs, section
from notices.recipients import by_email_only, contacts_of, coordinators
from services.deliveries import UndeliveredSummary, undelivered_summary
from services.digest import Audience as DigestAudience
from services.digest import build_digests
from storage import digest_queries
from storage.models import ChatOutbox, Municipality

MAX_ITEMS = 15  # per list: the rest is on the web site
SLACK_ONLY = frozenset({Transport.SLACK})


@dataclass(frozen=True)
class PlannedDigest:
    key: str
    channel: str | None  # None: no channel is set (a dry run still shows it)
    audience: str  # "the coordinator" or the municipality's name, for the dry run
    reply: Reply  # as Slack shows it
    message: Message | None = None  # the same, for any channel
    transport: Transport = Transport.SLACK
    user_id: int | None = None  # an e-mail's recipient


@dataclass(frozen=True)
class Destination:
    """Where one audience's digest goes: a Slack channel, a Matrix room, a person's e-mail."""

    key: str
    transport: Transport
    address: str | None
    user_id: int | None = None


@dataclass(frozen=True)
class Audience:
    municipality_id: int | None  # None: the coordinator
    name: str
    destinations: tuple[Destination, ...]


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


def _previous_digest_at(
    session: Session, channel: str | None, today: date, fallback: datetime
) -> datetime:
    """When this channel's previous digest was made: "changed since" counts from there."""
    if channel is None:
        return fallback
    found = session.scalar(
        select(ChatOutbox.created_at)
        .where(
            ChatOutbox.key.like(f"digest:{channel}:%"), ChatOutbox.key < digest_key(channel, today)
        )
        .order_by(ChatOutbox.key.desc())
        .limit(1)
    )
    return found or fallback


def audiences(
    session: Session,
    *,
    today: date,
    schedule: DigestSchedule,
    transports: frozenset[Transport] = SLACK_ONLY,
    include_unset: bool = False,
) -> list[Audience]:
    """The coordinator and each municipality, with where their digest goes today: their
    Slack channel, their Matrix room, and the e-mail of each person who chose it. An audience
    with nowhere to go is left out (with `include_unset`, a dry run shows it anyway)."""
    day = today.isoformat()
    found = []
    rows: list[tuple[int | None, str, str | None, str | None]] = [
        (None, _("the coordinator"), schedule.channel or None, schedule.matrix_room or None)
    ]
    rows += [
        (m.id, m.name, m.slack_channel, m.matrix_room)
        for m in session.scalars(select(Municipality).order_by(Municipality.name))
    ]
    for municipality_id, name, channel, room in rows:
        places: list[Destination] = []
        if channel and Transport.SLACK in transports:
            places.append(Destination(digest_key(channel, today), Transport.SLACK, channel))
        if room and Transport.MATRIX in transports:
            places.append(Destination(digest_key(room, today), Transport.MATRIX, room))
        if Transport.EMAIL in transports:
            people = (
                coordinators(session, NoticeKind.DIGEST)
                if municipality_id is None
                else contacts_of(session, NoticeKind.DIGEST, municipality_id)
            )
            places += [
                Destination(
                    f"digest:{municipality_id or 'coordinator'}:{day}",
                    Transport.EMAIL,
                    person.email,
                    person.user_id,
                )
                for person in by_email_only(people)
            ]
        if places or include_unset:
            found.append(Audience(municipality_id, name, tuple(places)))
    return found


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


def plan(
    session: Session,
    *,
    today: date,
    now: datetime,
    settings: ChatSettings,
    schedule: DigestSchedule,
    include_unset: bool = False,
    transports: frozenset[Transport] = SLACK_ONLY,
) -> list[PlannedDigest]:
    """The digests of the day: the coordinator's, then each municipality's, planned for each
    of its destinations (with `include_unset`, also those without one, for a dry run). All
    are built in one pass (services.digest); "changed since" counts from the previous digest
    in the audience's first chat channel or room."""
    found = audiences(
        session,
        today=today,
        schedule=schedule,
        transports=transports,
        include_unset=include_unset,
    )
    # Slack channels' previous digests in one statement; a Matrix room is one probe.
    previous = digest_queries.previous_digest_times(
        session, today.isoformat(), schedule.channel or None
    )
    fallback = now - timedelta(days=1)

    def since(audience: Audience) -> datetime:
        chat = [d for d in audience.destinations if d.transport is not Transport.EMAIL]
        if not chat or chat[0].address is None:
            return fallback
        if chat[0].transport is Transport.SLACK:
            return previous.get(chat[0].address, fallback)
        return _previous_digest_at(session, chat[0].address, today, fallback)

    digests = build_digests(
        session,
        today=today,
        audiences=[DigestAudience(a.municipality_id, since(a)) for a in found],
        settings=schedule.content,
    )
    planned = []
    undelivered = undelivered_summary(session)
    for audience, digest in zip(found, digests, strict=True):
        title = (
            _("Today's situation, %(date)s", date=today)
            if audience.municipality_id is None
            else _(
                "Today's situation in %(municipality)s, %(date)s",
                municipality=audience.name,
                date=today,
            )
        )
        message = compose(
            digest,
            settings,
            title=title,
            undelivered=undelivered if audience.municipality_id is None else (),
        )
        reply = slack_reply(message)
        destinations = audience.destinations or (
            Destination(digest_key("-", today), Transport.SLACK, None),
        )
        planned += [
            PlannedDigest(
                key=d.key,
                channel=d.address,
                audience=audience.name,
                reply=reply,
                message=message,
                transport=d.transport,
                user_id=d.user_id,
            )
            for d in destinations
        ]
    return planned


def digest_keys(
    session: Session,
    *,
    today: date,
    schedule: DigestSchedule,
    transports: frozenset[Transport] = SLACK_ONLY,
) -> list[str]:
    """The outbox keys of the day's digests, as bot.channels keys them."""
    suffix = {Transport.SLACK: "", Transport.MATRIX: ":matrix", Transport.EMAIL: ":email:"}
    return [
        d.key + suffix[d.transport] + (str(d.user_id) if d.transport is Transport.EMAIL else "")
        for a in audiences(session, today=today, schedule=schedule, transports=transports)
        for d in a.destinations
    ]


def enqueue_digests(
    session: Session,
    *,
    today: date,
    now: datetime,
    settings: ChatSettings,
    schedule: DigestSchedule,
    transports: frozenset[Transport] = SLACK_ONLY,
) -> list[str]:
    """Queues today's digests (nothing on a day off); returns where they were queued for
    now. A channel, room or person that already has today's digest is left alone."""
    if not is_working_day(today):
        return []
    queued = []
    for item in plan(
        session, today=today, now=now, settings=settings, schedule=schedule, transports=transports
    ):
        if item.channel is None or item.message is None:
            continue
        if item.transport is Transport.SLACK:
            done = outbox.enqueue(
                session, key=item.key, channel=item.channel, reply=item.reply, now=now
            )
        elif item.transport is Transport.MATRIX:
            done = to_matrix(
                session, key=item.key, room=item.channel, message=item.message, now=now
            )
        else:
            done = to_email(
                session,
                key=item.key,
                user_id=item.user_id or 0,
                address=item.channel,
                message=item.message,
                site_url=settings.site_url,
                now=now,
            )
        if done:
            queued.append(item.channel)
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
