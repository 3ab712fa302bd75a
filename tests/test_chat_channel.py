"""The municipality's chat channel, and events that name the request they are about."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from domain.choices import DeclineReason, Role
from domain.errors import NotAllowed, RuleViolation
from locales import render
from services import referrals
from services.municipalities import set_slack_channel
from storage.models import Event, Municipality, Referral
from tests.support.clock import moment

NOW = moment(date(2026, 11, 23))


def channel_of(world, name):
    return world.read(
        lambda s: s.scalars(
            select(Municipality.slack_channel).where(Municipality.name == name)
        ).one()
    )


def test_an_admin_or_the_operator_sets_the_channel(world):
    osby = world.municipality("Osby")
    world.do(set_slack_channel, actor=None, municipality_id=osby, channel=" c0123abcd ", now=NOW)
    assert channel_of(world, "Osby") == "C0123ABCD"
    admin = world.user(Role.ADMIN)
    world.do(set_slack_channel, actor=admin, municipality_id=osby, channel="G01234567", now=NOW)
    assert channel_of(world, "Osby") == "G01234567"
    world.do(set_slack_channel, actor=admin, municipality_id=osby, channel="", now=NOW)
    assert channel_of(world, "Osby") is None
    kinds = world.read(
        lambda s: list(s.scalars(select(Event.details).where(Event.kind == "chat_channel_set")))
    )
    assert [k["channel"] for k in kinds] == ["C0123ABCD", "G01234567", None]


def test_only_a_channel_id_and_only_by_an_admin(world):
    osby = world.municipality("Osby")
    with pytest.raises(RuleViolation) as caught:
        world.do(set_slack_channel, actor=None, municipality_id=osby, channel="#osby", now=NOW)
    assert caught.value.field == "slack_channel"
    assert render(caught.value.text).startswith("#OSBY är inget kanal-id i Slack.")
    contact = world.user(Role.MUNICIPALITY_CONTACT, "Osby")
    with pytest.raises(NotAllowed):
        world.do(
            set_slack_channel, actor=contact, municipality_id=osby, channel="C0123ABCD", now=NOW
        )
    assert channel_of(world, "Osby") is None


def test_answers_and_withdrawals_name_their_request(world):
    investigator = world.user(Role.INVESTIGATOR)
    osby = world.user(Role.MUNICIPALITY_CONTACT, "Osby")
    first = world.file(investigator, "Osby", NOW.date())
    first_request = world.open_request_id(first.id)
    world.do(
        referrals.accept_request,
        actor=osby,
        request_id=first_request,
        meeting_on=NOW.date(),
        now=NOW,
    )
    second = world.file(investigator, "Osby", NOW.date())
    second_request = world.open_request_id(second.id)
    world.do(
        referrals.decline_request,
        actor=osby,
        request_id=second_request,
        reason=DeclineReason.LOCATION,
        comment="",
        now=NOW,
    )
    third = world.file(investigator, "Osby", NOW.date())
    third_request = world.open_request_id(third.id)
    world.do(
        lambda s: referrals.withdraw_referral(
            s, actor=investigator, referral=s.get(Referral, third.id), now=NOW
        )
    )

    def request_of(kind, referral_id):
        return world.read(
            lambda s: s.scalars(
                select(Event.details).where(Event.kind == kind, Event.referral_id == referral_id)
            ).one()["request_id"]
        )

    assert request_of("accepted", first.id) == first_request
    assert request_of("declined", second.id) == second_request
    assert request_of("withdrawn", third.id) == third_request
