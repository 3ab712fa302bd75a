"""Personnummer: the usual written forms are accepted and stored as 12 digits."""

from __future__ import annotations

from datetime import date

import pytest

from domain.errors import RuleViolation
from domain.personal_identity import (
    display_personal_identity_number,
    normalise_personal_identity_number,
)
from locales import render

TODAY = date(2026, 11, 23)


@pytest.mark.parametrize(
    "written",
    ["19900118-9811", "199001189811", "900118-9811", "9001189811", " 900118-9811 "],
)
def test_usual_forms_are_stored_in_one_normal_form(written):
    assert normalise_personal_identity_number(written, today=TODAY) == "199001189811"


def test_display_form_has_the_dash():
    assert display_personal_identity_number("199001189811") == "19900118-9811"


def test_a_wrong_check_digit_is_refused_with_a_swedish_sentence():
    with pytest.raises(RuleViolation) as caught:
        normalise_personal_identity_number("19900118-9812", today=TODAY)
    assert caught.value.field == "personal_identity_number"
    assert render(caught.value.text) == (
        "Personnumret är inte giltigt. Skriv det som ÅÅÅÅMMDD-XXXX och kontrollera sista siffran."
    )


@pytest.mark.parametrize("written", ["", "abc", "1990-01-18", "19900132-9811"])
def test_nonsense_is_refused(written):
    with pytest.raises(RuleViolation):
        normalise_personal_identity_number(written, today=TODAY)


def test_a_child_is_not_in_the_target_group():
    # 12121212-1212 parses as 2012: a 13-year-old.
    with pytest.raises(RuleViolation) as caught:
        normalise_personal_identity_number("121212-1212", today=TODAY)
    assert "13 år" in render(caught.value.text)


def test_a_coordination_number_is_accepted():
    # samordningsnummer: day of birth + 60
    assert normalise_personal_identity_number("19900178-9818", today=TODAY) == "199001789818"
