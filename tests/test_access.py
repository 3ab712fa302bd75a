"""Who sees personal data: the investigator who referred, the coordinator, and the contacts
of the municipality with the open request or the placement. Nobody else."""

from __future__ import annotations

import pytest

from domain.access import (
    Actor,
    ReferralFacts,
    can_see_budget,
    can_see_personal_data,
    can_see_referral,
    check_follows_referral,
)
from domain.choices import Role
from domain.errors import NotAllowed, NotFound

FACTS = ReferralFacts(
    investigator_id=1,
    open_request_municipality_id=None,
    placement_municipality_id=20,
    asked_municipality_ids=frozenset({10, 20}),
)
INVESTIGATOR = Actor(1, Role.INVESTIGATOR)
OTHER_INVESTIGATOR = Actor(2, Role.INVESTIGATOR)
COORDINATOR = Actor(3, Role.COORDINATOR)
PLACEMENT_CONTACT = Actor(4, Role.MUNICIPALITY_CONTACT, 20)
DECLINING_CONTACT = Actor(5, Role.MUNICIPALITY_CONTACT, 10)
UNASKED_CONTACT = Actor(6, Role.MUNICIPALITY_CONTACT, 30)
ASSOCIATION = Actor(7, Role.ASSOCIATION)
ADMIN = Actor(8, Role.ADMIN)


@pytest.mark.parametrize(
    ("actor", "personal", "referral"),
    [
        (INVESTIGATOR, True, True),
        (OTHER_INVESTIGATOR, False, False),
        (COORDINATOR, True, True),
        (PLACEMENT_CONTACT, True, True),
        (DECLINING_CONTACT, False, True),  # sees its own answer, not the person
        (UNASKED_CONTACT, False, False),
        (ASSOCIATION, False, False),
        (ADMIN, False, False),
    ],
)
def test_who_sees_what(actor, personal, referral):
    assert can_see_personal_data(actor, FACTS) is personal
    assert can_see_referral(actor, FACTS) is referral


def test_an_open_request_lets_the_asked_municipality_see_the_person():
    asked = ReferralFacts(1, 30, None, frozenset({30}))
    assert can_see_personal_data(UNASKED_CONTACT, asked)


def test_following_up_a_referral_is_fks_job():
    check_follows_referral(INVESTIGATOR, FACTS)
    check_follows_referral(COORDINATOR, FACTS)
    with pytest.raises(NotAllowed):
        check_follows_referral(PLACEMENT_CONTACT, FACTS)
    with pytest.raises(NotFound):  # not even told that it exists
        check_follows_referral(OTHER_INVESTIGATOR, FACTS)


def test_budget_is_for_the_coordinator_the_association_and_the_admin():
    assert [
        can_see_budget(a)
        for a in (INVESTIGATOR, PLACEMENT_CONTACT, COORDINATOR, ASSOCIATION, ADMIN)
    ] == [False, False, True, True, True]
