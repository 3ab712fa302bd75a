"""The chat commands, for `/mm …`, a direct message to the bot, and `mm chat` alike.

`answer(ctx, asker, text)` parses the words, calls one use case of domain/ inside a unit of
work and turns the result, or the DomainError, into a Message. Commands are Swedish words,
matched without regard to case or å/ä/ö. A trailing `dela` asks to show the answer to the
whole channel; only answers that every role may see can be shared (free places, without the
budget line).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from bot import replies
from bot.settings import ChatSettings
from domain.access import Actor, can_see_budget, can_see_personal_data, check_files_referrals
from domain.budget import YearBudget
from domain.budget_forecast import cut_off_for
from domain.choices import LABELS, Outcome, Role
from domain.clock import Clock, local_date
from domain.errors import DomainError, NotFound, RuleViolation
from domain.parsing import parse_date, parse_whole_number, parse_year
from domain.text import N_, plain_letters
from locales import gettext as _
from locales import render
from notices.message import Message, context, escape, link, say
from reports.scenarios import pace_budget_line
from services import chat_links, follow_up, placements, reports
from services.municipalities import find_municipality, set_capacity
from services.referrals import facts_of, get_referral
from storage.db import unit_of_work
from storage.models import Municipality


@dataclass(frozen=True)
class ChatContext:
    settings: ChatSettings  # its `command` is how commands are written: /mm, or !mm in Matrix
    sessions: sessionmaker[Session]
    clock: Clock
    service: str = "Slack"  # the chat service's name, in sentences about linking

    def now(self) -> datetime:
        return self.clock.now()

    def today(self) -> date:
        return local_date(self.now())


@dataclass(frozen=True)
class Asker:
    """Who asks: their Slack user id (None in `mm chat --as`) and, when linked, their Actor;
    in Matrix, their Matrix user id instead."""

    slack_user_id: str | None
    actor: Actor | None
    matrix_user_id: str | None = None

    # As Slack names them (slash commands carry both), for the link confirmation page.
    slack_user_name: str | None = None
    slack_team: str | None = None


def asker_for_matrix(ctx: ChatContext, matrix_user_id: str) -> Asker:
    with unit_of_work(ctx.sessions) as session:
        actor = chat_links.actor_for_matrix_user(session, matrix_user_id)
        return Asker(None, actor, matrix_user_id)


def asker_for_slack(
    ctx: ChatContext, slack_user_id: str, *, name: str | None = None, team: str | None = None
) -> Asker:
    with unit_of_work(ctx.sessions, read_only=True) as session:
        actor = chat_links.actor_for_slack_user(session, slack_user_id)
        return Asker(slack_user_id, actor, slack_user_name=name, slack_team=team)


Run = Callable[[ChatContext, Actor, list[str], bool], Message]


@dataclass(frozen=True)
class Command:
    name: str
    usage: str  # the words to type after the slash command
    description: str  # msgid
    allowed: Callable[[Actor], bool]
    run: Run | None = None
    shareable: bool = False


def _fail(msgid: str, **params: Any) -> RuleViolation:
    return RuleViolation(msgid, **params)


def _needs(args: list[str], count: int, usage: str, ctx: ChatContext) -> None:
    if len(args) < count:
        raise _fail(N_("Write it like this: %(usage)s"), usage=f"`{ctx.settings.command} {usage}`")


def current_budget(session: Session, ctx: ChatContext) -> YearBudget | None:
    try:
        return reports.year_budget(session, year=ctx.today().year, today=ctx.today())
    except RuleViolation:  # a date outside the program's years: no budget line
        return None


def run_places(ctx: ChatContext, actor: Actor, args: list[str], share: bool) -> Message:
    page = 1
    if len(args) >= 2 and plain_letters(args[-2]) == "sida" and args[-1].isdigit():
        page, args = int(args[-1]), args[:-2]
    with unit_of_work(ctx.sessions, read_only=True) as session:
        wanted = find_municipality(session, " ".join(args)) if args else None
        result = reports.availability(session, today=ctx.today())
        budget = current_budget(session, ctx) if can_see_budget(actor) and not share else None
    if wanted is not None:
        one = next(m for m in result.municipalities if m.municipality_id == wanted.id)
        return replace(replies.places_one(one, budget), shared=share)
    return replies.places_all(result, budget, page=page, shared=share)


def run_budget(ctx: ChatContext, actor: Actor, args: list[str], share: bool) -> Message:
    year = parse_year(args[0]) if args else ctx.today().year
    today = ctx.today()
    with unit_of_work(ctx.sessions, read_only=True) as session:
        found = reports.budget_for(session, actor=actor, year=year, today=today)
        ahead = follow_up.budget_follow_up(
            session, actor=actor, year=year, to=cut_off_for(year, today), today=today
        )
    return replies.budget(found, pace_budget_line(ahead))


def run_status(ctx: ChatContext, actor: Actor, args: list[str], share: bool) -> Message:
    _needs(args, 1, "status <referenskod>", ctx)
    with unit_of_work(ctx.sessions, read_only=True) as session:
        referral = get_referral(session, actor=actor, reference_code=args[0])
        whole = can_see_personal_data(actor, facts_of(referral))
        return replies.status(
            referral, ctx.settings, whole=whole, own_municipality_id=actor.municipality_id
        )


def run_new_referral(ctx: ChatContext, actor: Actor, args: list[str], share: bool) -> Message:
    check_files_referrals(actor)
    form = link(ctx.settings.new_referral_url(), _("New referral"))
    return say(
        _(
            "A referral is filled in on the web site, where the participant's details are "
            "protected: %(link)s",
            link=form,
        ),
        _("Never write a participant's name, personal identity number or health in chat."),
    )


def _municipality_for(
    ctx: ChatContext, session: Session, actor: Actor, args: list[str]
) -> Municipality:
    if args:
        return find_municipality(session, " ".join(args))
    if actor.municipality_id is None:
        raise _fail(
            N_("Write which municipality too, for example: %(example)s"),
            example=f"`{ctx.settings.command} kapacitet 5 Osby`",
        )
    own = session.get(Municipality, actor.municipality_id)
    if own is None:
        raise NotFound(N_("There is no such municipality."))
    return own


def run_capacity(ctx: ChatContext, actor: Actor, args: list[str], share: bool) -> Message:
    _needs(args, 1, "kapacitet <antal>", ctx)
    capacity = parse_whole_number(args[0])
    with unit_of_work(ctx.sessions) as session:
        municipality = _municipality_for(ctx, session, actor, args[1:])
        set_capacity(
            session,
            actor=actor,
            municipality_id=municipality.id,
            capacity=capacity,
            now=ctx.now(),
        )
        session.flush()
        places = next(
            m
            for m in reports.availability(session).municipalities
            if m.municipality_id == municipality.id
        )
    done = _(
        "The capacity of %(municipality)s is now %(capacity)s.",
        municipality=escape(municipality.name),
        capacity=capacity,
    )
    return say(done, replies.places_one(places, None).text)


def run_extend(ctx: ChatContext, actor: Actor, args: list[str], share: bool) -> Message:
    _needs(args, 2, "förläng <referenskod> <ÅÅÅÅ-MM-DD>", ctx)
    new_end = parse_date(args[1])
    with unit_of_work(ctx.sessions) as session:
        referral = get_referral(session, actor=actor, reference_code=args[0])
        placements.extend_placement(
            session, actor=actor, referral_id=referral.id, new_end=new_end, now=ctx.now()
        )
        code = referral.reference_code
    return say(_("%(code)s is extended to %(date)s.", code=code, date=new_end))


def _lower_first(label: str) -> str:
    return label[:1].lower() + label[1:]


def _outcome(words: list[str]) -> Outcome:
    wanted = plain_letters(" ".join(words))
    found = [o for o in Outcome if wanted and plain_letters(_(LABELS[o])).startswith(wanted)]
    if len(found) != 1:
        raise _fail(
            N_("Write the outcome as one of: %(outcomes)s."),
            outcomes=", ".join(_lower_first(_(LABELS[o])) for o in Outcome),
        )
    return found[0]


def run_end(ctx: ChatContext, actor: Actor, args: list[str], share: bool) -> Message:
    _needs(args, 3, "avsluta <referenskod> <ÅÅÅÅ-MM-DD> <avslutsorsak>", ctx)
    ended_on, outcome = parse_date(args[1]), _outcome(args[2:])
    with unit_of_work(ctx.sessions) as session:
        referral = get_referral(session, actor=actor, reference_code=args[0])
        placements.end_placement(
            session,
            actor=actor,
            referral_id=referral.id,
            ended_on=ended_on,
            outcome=outcome,
            now=ctx.now(),
        )
        code = referral.reference_code
    return say(
        _(
            "%(code)s ended on %(date)s. Outcome: %(outcome)s.",
            code=code,
            date=ended_on,
            outcome=_(LABELS[outcome]),
        ),
        _("Remember the final report; it is recorded on the web site."),
    )


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
        lambda a: a.role in {Role.INVESTIGATOR, Role.COORDINATOR, Role.MUNICIPALITY_CONTACT},
        run_status,
    ),
    Command(
        "anmälan",
        "anmälan",
        N_("A link to the web form for a new referral."),
        lambda a: a.role is Role.INVESTIGATOR,
        run_new_referral,
    ),
    Command(
        "kapacitet",
        "kapacitet <antal>",
        N_("Set how many participants your municipality can take now."),
        lambda a: a.is_contact or a.role is Role.ADMIN,
        run_capacity,
    ),
    Command(
        "förläng",
        "förläng <referenskod> <ÅÅÅÅ-MM-DD>",
        N_("Extend a running placement to a new end date."),
        _contact,
        run_extend,
    ),
    Command(
        "avsluta",
        "avsluta <referenskod> <ÅÅÅÅ-MM-DD> <avslutsorsak>",
        N_("End a running placement on a date, with its outcome."),
        _contact,
        run_end,
    ),
    Command(
        "koppla", "koppla", N_("Link your %(service)s account to your web account."), _everyone
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


def answer(ctx: ChatContext, asker: Asker, text: str) -> Message:
    """The reply to one command line, e.g. `platser Osby` or `budget 2027 dela`."""
    words = (text or "").split()
    share = bool(words) and plain_letters(words[-1]) == "dela"
    if share:
        words = words[:-1]
    command = BY_WORD.get(plain_letters(words[0])) if words else BY_WORD["hjalp"]
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


def not_linked(ctx: ChatContext) -> str:
    return _(
        "I do not know who you are yet. Write %(command)s to get a link that connects your "
        "%(service)s account to your account on the web site.",
        command=f"`{ctx.settings.command} koppla`",
        service=ctx.service,
    )


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
