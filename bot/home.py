"""The bot's Home tab (App Home), and the welcome in its Messages tab.

The Home tab is published with views.publish when a person opens it, and again when their
work changes (bot.notifications): what waits for them (services.home), free places, the
budget line for those who may see it, and links to the web site. An unlinked person is told
how to link. Codes, municipalities, dates, statuses and counts only.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_sdk import WebClient

from bot.chat_context import ChatContext, not_linked
from digest.text import (
    late_line,
    meeting_line,
    meetings_title,
    titled,
    waiting_line,
    waiting_title,
)
from domain.choices import LABELS, Role
from domain.lifecycle import STATUS_LABELS
from locales import format_datetime, ngettext, phrases
from locales import gettext as _
from notices.message import (
    Message,
    Part,
    context,
    divider,
    escape,
    header,
    link,
    section,
)
from services import chat_links
from services.home import Home, home_for
from storage.db import unit_of_work
from transports import outbox
from transports.slack.blockkit import blocks_of
from transports.slack.blocks import MAX_MODAL_BLOCKS

log = logging.getLogger("mm.chat.home")

View = dict[str, Any]


def _links(home: Home, site_url: str) -> Part:
    role = home.actor.role
    pages = [(site_url + "/", _("The web site"))]
    if role is Role.INVESTIGATOR:
        pages += [
            (site_url + "/anmalningar", _("My referrals")),
            (site_url + "/anmalan/ny", _("New referral")),
        ]
    elif role is Role.MUNICIPALITY_CONTACT:
        pages.append((site_url + "/forfragningar", _("Requests")))
    elif role is Role.COORDINATOR:
        pages.append((site_url + "/oversikt", _("Overview")))
    return section(" · ".join(link(url, label) for url, label in pages))


def _places(home: Home, more_url: str) -> list[Part]:
    shown = home.availability.municipalities
    if home.actor.is_contact:
        shown = tuple(m for m in shown if m.municipality_id == home.actor.municipality_id)
    lines = [phrases.place_line(m, escape) for m in shown]
    blocks = titled(_("Free places"), lines, more_url)  # long lists end with a link
    if not home.actor.is_contact:
        blocks.append(section(phrases.total_free_line(home.availability)))
    if home.budget is not None:
        blocks.append(context(phrases.places_left_line(home.budget)))
    return blocks


def _to_do(home: Home, site_url: str) -> list[Part]:
    """The count of the person's worklist on the web, linking to it."""
    if not home.to_do:  # no worklist, or nothing on it
        return []
    text = ngettext(
        "%(num)d item on your to-do list on the web.",
        "%(num)d items on your to-do list on the web.",
        home.to_do,
    )
    return [section(link(site_url + "/att-gora", text))]


def _work(home: Home, site_url: str) -> list[Part]:
    digest = home.work
    if digest is not None:
        more = site_url + ("/oversikt" if digest.municipality_id is None else "/forfragningar")
        blocks = titled(waiting_title(digest), [waiting_line(w) for w in digest.waiting], more)
        blocks += titled(meetings_title(digest), [meeting_line(m) for m in digest.meetings], more)
        blocks += titled(_("Behind schedule"), [late_line(i) for i in digest.late], more)
        if not blocks:
            blocks = [section(_("Nothing is waiting for you right now."))]
        return blocks
    if home.actor.role is Role.INVESTIGATOR:
        lines = [
            _(
                "%(code)s: %(status)s (%(municipality)s)",
                code=r.reference_code,
                status=_(STATUS_LABELS[r.status]),
                municipality=escape(r.municipality) if r.municipality else "–",
            )
            for r in home.own_referrals
        ]
        more = site_url + "/anmalningar"
        title = _("Your referrals in progress")
        return titled(title, lines, more) or [section(_("You have no referrals in progress."))]
    return []


def home_view(home: Home | None, ctx: ChatContext) -> View:
    """The Home tab of one person (`home` None: not linked yet)."""
    site_url = ctx.settings.site_url
    blocks: list[Part] = [header(_("Möjlighetsmodellen"))]
    if home is None:
        blocks += [
            section(not_linked(ctx)),
            context(_("Chat shows reference codes only, never personal data.")),
        ]
        return {"type": "home", "blocks": blocks_of(blocks)}
    role = _(LABELS[home.actor.role])
    blocks.append(
        context(
            _("You are linked as: %(role)s.", role=role),
            _("Updated %(when)s.", when=format_datetime(ctx.now())),
        )
    )
    blocks += _to_do(home, site_url)
    blocks += _work(home, site_url)
    blocks.append(divider())
    blocks += _places(home, site_url + ("/kommun" if home.actor.is_contact else "/oversikt"))
    blocks += [divider(), _links(home, site_url)]
    return {"type": "home", "blocks": blocks_of(blocks)[:MAX_MODAL_BLOCKS]}


def view_for(ctx: ChatContext, slack_user_id: str) -> View:
    with unit_of_work(ctx.sessions) as session:
        actor = chat_links.actor_for_slack_user(session, slack_user_id)
        home = (
            home_for(session, actor=actor, today=ctx.today(), now=ctx.now())
            if actor is not None
            else None
        )
        return home_view(home, ctx)


def publish(ctx: ChatContext, client: WebClient, slack_user_id: str) -> bool:
    """Publishes one person's Home tab; a failure is logged (the next visit tries again)."""
    try:
        view = view_for(ctx, slack_user_id)
        client.views_publish(user_id=slack_user_id, view=view)
    except Exception as error:
        log.warning("could not publish the Home tab of %s (%s)", slack_user_id, error)
        return False
    return True


def welcome_reply(ctx: ChatContext) -> Message:
    command = f"`{ctx.settings.command}`"
    first = _(
        "Welcome! I am the bot of Möjlighetsmodellen. Write %(help)s here to see what you can "
        "do, or %(link)s to connect your Slack account to the web site.",
        help="`hjälp`",
        link="`koppla`",
    )
    second = _(
        "The same commands work with %(command)s in any channel. I show reference codes, "
        "municipalities, dates and counts only, never personal data.",
        command=command,
    )
    return Message(parts=[section(first), context(second)], text=first)


def welcome(runtime: Any, slack_user_id: str) -> None:
    """The first visit to the Messages tab: a short welcome, once per person (the outbox key
    is the claim)."""
    with unit_of_work(runtime.sessions) as session:
        outbox.enqueue(
            session,
            key=f"welcome:{slack_user_id}",
            channel=slack_user_id,
            reply=welcome_reply(runtime.context),
            now=runtime.clock.now(),
        )
