"""The chat commands, for `/mm …`, a direct message to the bot, and `mm chat` alike.

`answer(ctx, asker, text)` parses the words, finds the command (COMMANDS, by its name or an
alias), and runs it (bot.command_runs), turning the result, or the DomainError, into a
Message. Commands are Swedish words, matched without regard to case or å/ä/ö. A trailing
`dela` asks to show the answer to the whole channel; only answers that every role may see
can be shared (free places, without the budget line).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from bot.chat_context import Asker as Asker
from bot.chat_context import ChatContext as ChatContext
from bot.chat_context import asker_for_matrix as asker_for_matrix
from bot.chat_context import asker_for_slack as asker_for_slack
from bot.chat_context import not_linked as not_linked
from bot.chat_context import reading_together
from bot.command_runs import (
    run_budget,
    run_capacity,
    run_end,
    run_extend,
    run_new_referral,
    run_places,
    run_status,
)
from domain.access import (
    Actor,
    can_file_referrals,
    can_manage_municipalities,
    can_see_budget,
    works_with_referrals,
)
from domain.choices import LABELS
from domain.errors import DomainError
from domain.text import N_, plain_letters
from locales import gettext as _
from locales import render
from notices.message import Message, context, escape, link, say
from services import chat_links
from storage.db import unit_of_work

Run = Callable[[ChatContext, Actor, list[str], bool], Message]


@dataclass(frozen=True)
class Command:
    name: str
    usage: str  # the words to type after the slash command
    description: str  # msgid
    allowed: Callable[[Actor], bool]
    run: Run | None = None
    shareable: bool = False
    writes: bool = False  # else only reads: asked and answered in one read-only unit of work


def _everyone(actor: Actor) -> bool:
    return True


def _contact(actor: Actor) -> bool:
    return actor.is_contact


COMMANDS = (
    Command(
        "platser",
        "platser [kommun]",
        N_("Free places per municipality, or in one."),
        _everyone,
        run_places,
        shareable=True,
    ),
    Command(
        "budget",
        "budget [år]",
        N_("The budget of a year: committed, accrued, remaining and full-year places left."),
        can_see_budget,
        run_budget,
    ),
    Command(
        "status",
        "status <referenskod>",
        N_("Where one referral stands."),
        works_with_referrals,
        run_status,
    ),
    Command(
        "anmälan",
        "anmälan",
        N_("A link to the web form for a new referral."),
        can_file_referrals,
        run_new_referral,
    ),
    Command(
        "kapacitet",
        "kapacitet <antal>",
        N_("Set how many participants your municipality can take now."),
        can_manage_municipalities,
        run_capacity,
        writes=True,
    ),
    Command(
        "förläng",
        "förläng <referenskod> <ÅÅÅÅ-MM-DD>",
        N_("Extend a running placement to a new end date."),
        _contact,
        run_extend,
        writes=True,
    ),
    Command(
        "avsluta",
        "avsluta <referenskod> <ÅÅÅÅ-MM-DD> <avslutsorsak>",
        N_("End a running placement on a date, with its outcome."),
        _contact,
        run_end,
        writes=True,
    ),
    Command(
        "koppla",
        "koppla",
        N_("Link your %(service)s account to your web account."),
        _everyone,
        writes=True,
    ),
    Command("hjälp", "hjälp", N_("This help."), _everyone),
)
# Other words people type for a command, by the command's name (without å, ä, ö).
ALIASES = {
    "plats": "platser",
    "anmal": "anmalan",
    "forlangning": "forlang",
    "avslut": "avsluta",
    "help": "hjalp",
    "?": "hjalp",
}
BY_WORD = {plain_letters(c.name): c for c in COMMANDS}
BY_WORD |= {alias: BY_WORD[name] for alias, name in ALIASES.items()}


def _command_of(words: list[str]) -> Command | None:
    return BY_WORD.get(plain_letters(words[0])) if words else BY_WORD["hjalp"]


def only_reads(text: str) -> bool:
    """Whether the command line `text` only reads (help and unknown words too): answering it
    again changes nothing, so a served slash command of this kind needs no once-only record
    (bot.dedupe)."""
    command = _command_of((text or "").split())
    return command is None or not command.writes


def reply_for_slack(
    ctx: ChatContext,
    slack_user_id: str,
    text: str,
    *,
    name: str | None = None,
    team: str | None = None,
) -> Message:
    """Who asks and the reply; a command that only reads runs in the same read-only unit of
    work as the look-up of who asks."""
    if not only_reads(text):
        return answer(ctx, asker_for_slack(ctx, slack_user_id, name=name, team=team), text)
    with reading_together(ctx) as reading:
        asker = asker_for_slack(reading, slack_user_id, name=name, team=team)
        return answer(reading, asker, text)


def answer(ctx: ChatContext, asker: Asker, text: str) -> Message:
    """The reply to one command line, e.g. `platser Osby` or `budget 2027 dela`."""
    words = (text or "").split()
    share = bool(words) and plain_letters(words[-1]) == "dela"
    if share:
        words = words[:-1]
    command = _command_of(words)
    if command is None:
        return help_reply(ctx, asker, unknown=words[0])
    if command.name == "koppla":
        return link_reply(ctx, asker)
    if command.name == "hjälp":
        return help_reply(ctx, asker)
    if asker.actor is None:
        return say(not_linked(ctx))
    if command.run is None:  # koppla and hjälp are answered above
        return help_reply(ctx, asker)
    try:
        reply = command.run(ctx, asker.actor, words[1:], share and command.shareable)
    except DomainError as error:
        return say(escape(render(error.text)))
    if share and not command.shareable:
        note = _("This answer is shown only to you: not everyone in the channel may see it.")
        reply = replace(reply, parts=[*reply.parts, context(note)], shared=False)
    return reply


def link_reply(ctx: ChatContext, asker: Asker) -> Message:
    if asker.slack_user_id is None and asker.matrix_user_id is None:
        return say(
            _(
                "Linking is done in Slack: write %(command)s there.",
                command=f"`{ctx.settings.command} koppla`",
            )
        )
    with unit_of_work(ctx.sessions) as session:
        token = chat_links.start_link(
            session,
            slack_user_id=asker.slack_user_id,
            matrix_user_id=asker.matrix_user_id,
            slack_user_name=asker.slack_user_name,
            slack_team=asker.slack_team,
            now=ctx.now(),
        )
    url = ctx.settings.link_url(token)
    label = _("Link my %(service)s account", service=ctx.service)
    reply = say(
        _(
            "Open the link, log in and confirm: then I know who you are. The link works once, "
            "for 30 minutes: %(link)s",
            link=link(url, label),
        )
    )
    if asker.actor is not None:
        already = _(
            "Your %(service)s account is already linked; use the link only to change account.",
            service=ctx.service,
        )
        reply.parts.append(context(already))
    return reply


def help_reply(ctx: ChatContext, asker: Asker, unknown: str | None = None) -> Message:
    """What this user may do; an unlinked user is told how to link first."""
    lines = []
    if unknown is not None:
        lines.append(_("I do not know the command %(word)s.", word=f"`{escape(unknown)}`"))
    actor = asker.actor
    if actor is None:
        lines.append(not_linked(ctx))
        shown = [c for c in COMMANDS if c.name in ("koppla", "hjälp")]
    else:
        lines.append(_("You are linked as: %(role)s.", role=_(LABELS[actor.role])))
        shown = [c for c in COMMANDS if c.allowed(actor)]
    title = _("Commands you can use")
    listing = [
        f"• `{ctx.settings.command} {escape(c.usage)}` – {_(c.description, service=ctx.service)}"
        for c in shown
    ]
    reply = say(*lines, f"*{title}*\n" + "\n".join(listing))
    if actor is not None:
        reply.parts.append(
            context(
                _(
                    "Add %(word)s at the end to show free places to everyone in the channel. "
                    "Other answers are shown only to you.",
                    word="`dela`",
                )
            )
        )
    return reply
