"""The daily digest in chat: the coordinator's channel and each municipality's channel.

What it says comes from services.digest (domain.digest) and is written by digest.text;
here it is planned for each audience's destinations (Slack channel, Matrix room, e-mail)
and queued in the outbox under the key digest:<channel>:<day>. The key is the claim on the
day: however many schedulers run, and however often, each channel gets one digest a day.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from digest.settings import DigestSchedule
from digest.text import compose, day_title
from domain.calendar import is_working_day
from domain.delivery import Transport
from domain.notices import NoticeKind
from locales import gettext as _
from notices.message import Message
from notices.recipients import by_email_only, contacts_of, coordinators
from services.deliveries import undelivered_summary
from services.digest import Audience as DigestAudience
from services.digest import build_digests
from storage import digest_queries
from storage.models import ChatOutbox, Municipality
from transports import outbox
from transports.channels import to_email, to_matrix
from transports.slack.blockkit import slack_reply
from transports.slack.blocks import Reply
from transports.slack.settings import ChatSettings
from transports.slack.text import to_plain

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
    digests = build_digests(
        session,
        today=today,
        audiences=_changed_since(session, found, today=today, now=now, schedule=schedule),
        settings=schedule.content,
    )
    planned = []
    undelivered = undelivered_summary(session)
    for audience, digest in zip(found, digests, strict=True):
        message = compose(
            digest,
            settings,
            title=day_title(None if audience.municipality_id is None else audience.name, today),
            undelivered=undelivered if audience.municipality_id is None else (),
        )
        planned += _planned(audience, message, today)
    return planned


def _changed_since(
    session: Session,
    found: list[Audience],
    *,
    today: date,
    now: datetime,
    schedule: DigestSchedule,
) -> list[DigestAudience]:
    """Each audience with the time its previous digest was made, in its first chat channel
    or room (a day ago when it has none)."""
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

    return [DigestAudience(a.municipality_id, since(a)) for a in found]


def _planned(audience: Audience, message: Message, today: date) -> list[PlannedDigest]:
    """One audience's digest at each of its destinations (a dry run shows one without)."""
    reply = slack_reply(message)
    destinations = audience.destinations or (
        Destination(digest_key("-", today), Transport.SLACK, None),
    )
    return [
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


def digest_keys(
    session: Session,
    *,
    today: date,
    schedule: DigestSchedule,
    transports: frozenset[Transport] = SLACK_ONLY,
) -> list[str]:
    """The outbox keys of the day's digests, as transports.channels keys them."""
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
