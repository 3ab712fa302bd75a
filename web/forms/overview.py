"""The coordinator's overview: confirming a year's daily rate, and filtering referrals."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, StringField, TextAreaField

from domain.lifecycle import ReferralStatus
from domain.text import N_
from services.program_setup import MAX_RATE_REASON
from web.forms.base import Form
from web.forms.fields import (
    ChoiceField,
    KronorField,
    MaxLength,
    Required,
    enum_of,
    optional_int,
)


class RateForm(Form):
    """A year's daily rate as a decision: the year, the rate and why. A change of a confirmed
    rate comes back with `expected` (the rate shown when it was asked) and `confirmed`."""

    year = ChoiceField(
        _l("Year"), coerce=optional_int, validators=[Required(N_("Choose a program year."))]
    )
    rate = KronorField(
        _l("Daily rate in kronor"),
        validators=[Required(N_("Enter the daily rate in kronor, for example 206,40."))],
    )
    reason = TextAreaField(
        _l("Why (the decision)"),
        validators=[
            Required(
                N_("Write why the daily rate is set, for example the association's decision.")
            ),
            MaxLength(MAX_RATE_REASON),
        ],
    )
    expected = KronorField()
    confirmed = HiddenField()


class ReferralFilterForm(Form):
    """Read from the address (GET), so a filtered list can be bookmarked."""

    q = StringField(
        _l("Search by reference code or personal identity number"), validators=[MaxLength(40)]
    )
    status = ChoiceField(_l("Status"), coerce=enum_of(ReferralStatus))
    municipality = ChoiceField(_l("Municipality"), coerce=optional_int)


class SearchForm(Form):
    """A search box read from the address (the municipality's requests and placements)."""

    q = StringField(
        _l("Search by reference code or personal identity number"), validators=[MaxLength(40)]
    )
