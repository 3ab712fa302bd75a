"""What each chat command does (bot.commands lists them and routes a line to one): parse
the words, call one use case inside a unit of work, and say the result as a Message. A
DomainError raised here is said by the router."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy.orm import Session

from bot import replies
from bot.chat_context import ChatContext
from domain.access import (
    Actor,
    ReferralFacts,
    can_see_budget,
    can_see_personal_data,
    check_files_referrals,
    check_sees_budget,
    check_sees_referral,
)
from domain.availability import Availability
from domain.budget import YearBudget
from domain.choices import LABELS, Outcome
from domain.errors import NotFound, RuleViolation
from domain.parsing import parse_date, parse_whole_number, parse_year
from domain.text import N_, plain_letters
from locales import gettext as _
from notices.message import KeptMessage, Message, escape, link, say
from reports.scenarios import pace_line
from services import budget_follow_up, placements, reports
from services.kept_answers import kept
from services.municipalities import find_municipality, set_capacity
from services.referrals import facts_of, find_referral, get_referral
from storage.db import unit_of_work
from storage.models import Municipality


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


def places_shown(
    session: Session, ctx: ChatContext, *, page: int = 1, municipality_id: int | None = None
) -> Availability:
    """Every municipality's free places, with the outlook of the ones the answer shows: the
    one asked about, or those on the page."""
    found = reports.availability(session)
    ids = (
        [municipality_id]
        if municipality_id is not None
        else [m.municipality_id for m in replies.shown(found, page)[1]]
    )
    return reports.with_outlooks(session, found, today=ctx.today(), municipality_ids=ids)


def run_places(ctx: ChatContext, actor: Actor, args: list[str], share: bool) -> Message:
    page = 1
    if len(args) >= 2 and plain_letters(args[-2]) == "sida" and args[-1].isdigit():
        page, args = int(args[-1]), args[:-2]
    today = ctx.today()
    with_budget = can_see_budget(actor) and not share
    with ctx.read() as session:
        wanted = find_municipality(session, " ".join(args)) if args else None
        asked = wanted.id if wanted is not None else None

        def work() -> KeptMessage:
            result = places_shown(session, ctx, page=page, municipality_id=asked)
            budget = current_budget(session, ctx) if with_budget else None
            if asked is not None:
                one = next(m for m in result.municipalities if m.municipality_id == asked)
                return replace(replies.places_one(one, budget), shared=share).kept()
            return replies.places_all(result, budget, page=page, shared=share).kept()

        # Everyone's answer alike while the database reads the same (services.kept_answers),
        # as it is said: writing out 25 municipalities costs more than reading them.
        asked_for = (page, asked, today, with_budget, share)
        return kept(session, "chat places", asked_for, work).message()


def run_budget(ctx: ChatContext, actor: Actor, args: list[str], share: bool) -> Message:
    year = parse_year(args[0]) if args else ctx.today().year
    today = ctx.today()
    check_sees_budget(actor)  # before a kept answer too

    def work(session: Session) -> KeptMessage:
        found, at_pace = budget_follow_up.budget_at_pace(
            session, actor=actor, year=year, today=today
        )
        return replies.budget(found, pace_line(year, found.budget, at_pace)).kept()

    with ctx.read() as session:
        return kept(session, "chat budget", (year, today), lambda: work(session)).message()


@dataclass(frozen=True)
class _StatusSaid:
    """One referral's status as it is said, kept while the database reads the same: who may
    see it (its facts, checked for each asker), the whole answer, and the part each asked
    municipality sees once the referral has gone elsewhere (`own`; None: any other)."""

    facts: ReferralFacts
    whole: KeptMessage
    own: tuple[tuple[int | None, KeptMessage], ...]

    def to(self, actor: Actor) -> Message:
        check_sees_referral(actor, self.facts)
        if can_see_personal_data(actor, self.facts):
            return self.whole.message()
        own = dict(self.own)
        return own.get(actor.municipality_id, own[None]).message()


def run_status(ctx: ChatContext, actor: Actor, args: list[str], share: bool) -> Message:
    _needs(args, 1, "status <referenskod>", ctx)
    code = args[0].strip().upper()

    def work(session: Session) -> _StatusSaid | None:
        referral = find_referral(session, code, related=True)
        if referral is None:
            return None
        asked = {r.municipality_id for r in referral.requests} | {None}
        return _StatusSaid(
            facts_of(referral),
            replies.status(referral, ctx.settings, whole=True).kept(),
            tuple(
                (
                    m,
                    replies.status(
                        referral, ctx.settings, whole=False, own_municipality_id=m
                    ).kept(),
                )
                for m in asked
            ),
        )

    # Read as a referral with its requests and placement, the answer cost four times the
    # free places' (issue 24): kept per code, and who asks checked against it every time.
    with ctx.read() as session:
        said = kept(session, "chat status", code, lambda: work(session))
    if said is None:
        raise NotFound(N_("There is no referral with that reference code."))
    return said.to(actor)


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
