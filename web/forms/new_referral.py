"""Ny anmälan: one participant, the consent, and the municipality to ask."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, Field, StringField, TextAreaField
from wtforms.validators import StopValidation

from domain.choices import BenefitType
from domain.clock import local_date
from domain.names import check_name
from domain.participants import (
    BENEFIT_REQUIRED,
    CONSENT_DATE_REQUIRED,
    CONSENT_REQUIRED,
    MAX_NAME,
    MAX_PHONE,
    MAX_TEXT,
    NAME_REQUIRED,
)
from domain.personal_identity import NUMBER_REQUIRED, normalise_personal_identity_number
from domain.text import N_
from web import runtime
from web.forms.base import OnceForm
from web.forms.fields import (
    ChoiceField,
    DateField,
    DomainCheck,
    MaxLength,
    RadioChoiceField,
    Required,
    enum_choices,
    enum_of,
    optional_int,
)


def _valid_number(value: str) -> None:
    normalise_personal_identity_number(value, today=local_date(runtime.now()))


class UnlessProtected:
    """A protected participant's name and phone are not asked for, and what was typed in
    them anyway is dropped before anything reads it (domain.participants drops it too)."""

    def __call__(self, form: Any, field: Field) -> None:
        if form.protected_identity.data:
            field.data = ""
            raise StopValidation()


class ParticipantForm(OnceForm):
    """The participant's details: on a new referral, and corrected before acceptance."""

    protected_identity = BooleanField(_l("Protected personal data"))
    name = StringField(
        _l("Name"),
        validators=[
            UnlessProtected(),
            Required(NAME_REQUIRED),
            MaxLength(MAX_NAME),
            DomainCheck(check_name),
        ],
    )
    personal_identity_number = StringField(
        _l("Personal identity number"),
        validators=[
            Required(NUMBER_REQUIRED),
            MaxLength(20),
            DomainCheck(_valid_number),
        ],
    )
    phone = StringField(
        _l("Phone (optional)"), validators=[UnlessProtected(), MaxLength(MAX_PHONE)]
    )
    needs = TextAreaField(
        _l("What the participant needs and wants"), validators=[MaxLength(MAX_TEXT)]
    )


class NewReferralForm(ParticipantForm):
    benefit_type = RadioChoiceField(
        _l("Benefit"),
        choices=enum_choices(BenefitType),
        coerce=enum_of(BenefitType),
        validators=[Required(BENEFIT_REQUIRED)],
    )
    preferred_municipality = ChoiceField(_l("Preferred location"), coerce=optional_int)
    consent_given = BooleanField(
        _l(
            "The participant consents to Försäkringskassan and the municipality sharing "
            "information with each other."
        ),
        validators=[Required(CONSENT_REQUIRED)],
    )
    consent_on = DateField(
        _l("Date of consent"),
        validators=[Required(CONSENT_DATE_REQUIRED)],
    )
    municipality = RadioChoiceField(
        _l("Municipality to ask"),
        coerce=optional_int,
        validators=[Required(N_("Choose the municipality to ask."))],
    )
