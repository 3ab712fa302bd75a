"""The municipality's own page: capacity and offer."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import TextAreaField

from domain.text import N_
from services.municipalities import MAX_OFFER
from web.forms.base import Form
from web.forms.fields import MaxLength, Required, WholeNumberField


class CapacityForm(Form):
    capacity = WholeNumberField(
        _l("Places you can take now"),
        validators=[Required(N_("Enter how many participants you can take now."))],
    )


class OfferForm(Form):
    offer = TextAreaField(_l("What you offer"), validators=[MaxLength(MAX_OFFER)])
