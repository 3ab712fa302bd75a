"""The lifecycle of a referral, as the design notes draw it."""

from __future__ import annotations

import pytest

from domain.errors import RuleViolation
from domain.lifecycle import STATUS_LABELS, ReferralStatus, Transition, allowed, next_status
from locales import gettext, render

S, T = ReferralStatus, Transition


def test_the_happy_path_runs_from_draft_to_ended():
    status = S.DRAFT
    for transition in (T.SUBMIT, T.REQUEST, T.ACCEPT, T.START, T.END):
        status = next_status(status, transition)
    assert status is S.ENDED


def test_after_a_decline_another_municipality_can_be_asked():
    assert next_status(S.REQUESTED, T.DECLINE) is S.DECLINED
    assert next_status(S.DECLINED, T.REQUEST) is S.REQUESTED


@pytest.mark.parametrize("status", [S.DRAFT, S.SUBMITTED, S.REQUESTED, S.DECLINED, S.ACCEPTED])
def test_a_referral_can_be_withdrawn_before_the_start(status):
    assert next_status(status, T.WITHDRAW) is S.WITHDRAWN


@pytest.mark.parametrize(
    ("status", "transition", "swedish"),
    [
        (
            S.STARTED,
            T.WITHDRAW,
            "En anmälan kan bara återkallas innan trepartssamtalet har hållits.",
        ),
        (S.SUBMITTED, T.ACCEPT, "Förfrågan har redan besvarats eller återkallats."),
        (
            S.ACCEPTED,
            T.REQUEST,
            "En kommun kan bara tillfrågas om en inskickad anmälan, eller efter ett avböjande.",
        ),
        (S.REQUESTED, T.START, "Trepartssamtal kan bara registreras för en accepterad anmälan."),
        (S.ACCEPTED, T.END, "Bara en startad träningsplats kan avslutas."),
        (S.SUBMITTED, T.SUBMIT, "Bara ett utkast till anmälan kan skickas in."),
    ],
)
def test_illegal_transitions_are_refused_with_a_whole_sentence(status, transition, swedish):
    with pytest.raises(RuleViolation) as caught:
        next_status(status, transition)
    assert render(caught.value.text) == swedish


def test_ended_and_withdrawn_are_final():
    assert allowed(S.ENDED) == frozenset()
    assert allowed(S.WITHDRAWN) == frozenset()


def test_every_status_has_a_swedish_label():
    assert {gettext(STATUS_LABELS[s]) for s in S} == {
        "Utkast",
        "Inskickad",
        "Väntar på svar",
        "Avböjd",
        "Accepterad",
        "Startad",
        "Avslutad",
        "Återkallad",
    }
