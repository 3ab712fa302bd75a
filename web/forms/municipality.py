"""The municipality's own page: capacity and offer."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import TextAreaField

from domain.choices import IntakeState
from domain.text import N_
from services.municipalities import MAX_OFFER
from web.forms.base import Form
from web.forms.fields import (
    MaxLength,
    RadioChoiceField,
    Required,
    WholeNumberField,
    enum_choices,
    enum_of,
)


class CapacityForm(Form):
    capacity = WholeNumberField(
        _l("Places you can take now"),
        validators=[Required(N_("Enter how many participants you can take now."))],
    )
    state = RadioChoiceField(
        _l("New participants"),
        choices=enum_choices(IntakeState),
        coerce=enum_of(IntakeState),  # left out: unchanged
    )


class OfferForm(Form):
    offer = TextAreaField(_l("What you offer"), validators=[MaxLength(MAX_OFFER)])
