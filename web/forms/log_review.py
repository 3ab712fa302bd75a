"""The log reviewer's forms: search the audit log, draw a sample, document a review."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, HiddenField, StringField, TextAreaField

from domain.text import N_
from web.forms.base import Form
from web.forms.fields import (
    ChoiceField,
    DateField,
    MaxLength,
    Required,
    WholeNumberField,
    optional_int,
)


class LogSearchForm(Form):
    """Read from the address (GET), so a search can be repeated and exported."""

    period_from = DateField(_l("From"), validators=[Required(N_("Enter the period's first day."))])
    period_to = DateField(_l("To"), validators=[Required(N_("Enter the period's last day."))])
    user = ChoiceField(_l("Person"), coerce=optional_int)
    code = StringField(_l("Reference code"), validators=[MaxLength(20)])
    flagged = BooleanField(_l("Only views with a flag"))


class SampleForm(Form):
    period_from = DateField(_l("From"), validators=[Required(N_("Enter the period's first day."))])
    period_to = DateField(_l("To"), validators=[Required(N_("Enter the period's last day."))])
    size = WholeNumberField(
        _l("Number of views"), validators=[Required(N_("Enter how many views to sample."))]
    )


class ReviewForm(Form):
    period_from = HiddenField()
    period_to = HiddenField()
    selection = HiddenField()
    conclusion = TextAreaField(
        _l("Conclusion of the review"),
        validators=[Required(N_("Write the review's conclusion.")), MaxLength(5000)],
    )
