"""What Försäkringskassan does with a referral after filing it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from flask_babel import lazy_gettext as _l
from wtforms import TextAreaField

from domain.text import N_
from web.forms.base import Form, OnceForm
from web.forms.fields import DateField, MaxLength, RadioChoiceField, Required, optional_int


class WithdrawForm(OnceForm):
    """Only the button: the referral is in the address."""


class MarkProtectedForm(OnceForm):
    """Only the button: the participant is marked as having skyddade personuppgifter."""


class AskAnotherForm(OnceForm):
    domain_fields: ClassVar[Mapping[str, str]] = {"municipality": "ask_municipality"}

    ask_municipality = RadioChoiceField(
        _l("Municipality to ask"),
        coerce=optional_int,
        validators=[Required(N_("Choose the municipality to ask."))],
    )


class AlternativePlanForm(OnceForm):
    planned_on = DateField(
        _l("Date of the alternative plan"), validators=[Required(N_("Enter a date."))]
    )


class WithdrawConsentForm(OnceForm):
    withdrawn_on = DateField(
        _l("Date the participant withdrew consent"),
        validators=[Required(N_("Enter the date the participant withdrew consent."))],
    )


class ReasonForm(Form):
    reason = TextAreaField(
        _l("Why do you open the participant's personal data?"),
        validators=[
            Required(N_("Write a short reason for opening the participant's personal data.")),
            MaxLength(500),
        ],
    )
