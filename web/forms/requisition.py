"""The requisition flow's forms: submit, attest, return with a reason, record the payment;
and the accruals' date (read from the address, so the list can be bookmarked)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import TextAreaField

from domain.requisition import MAX_RETURN_REASON
from domain.text import N_
from web.forms.base import Form
from web.forms.fields import (
    ChoiceField,
    DateField,
    HiddenIdField,
    MaxLength,
    Required,
    optional_int,
)

MINE = ""  # the list's default: the bases waiting for the viewer
EVERY = "alla"


class SubmitForm(Form):
    pass


class AttestForm(Form):
    # The submission the coordinator looked at: a stale or tampered id changes nothing.
    requisition_id = HiddenIdField()


class ReturnForm(Form):
    requisition_id = HiddenIdField()
    reason = TextAreaField(
        _l("Why the basis is returned"),
        validators=[
            Required(
                N_("Write why the basis is returned, so that the municipality can correct it.")
            ),
            MaxLength(MAX_RETURN_REASON),
        ],
    )


class PaidForm(Form):
    requisition_id = HiddenIdField()
    paid_on = DateField(_l("Payment date"), validators=[Required(N_("Enter the payment date."))])


class AccrualDateForm(Form):
    datum = DateField(_l("Accrued up to and including"))


class RequisitionFilterForm(Form):
    """`/rekvisitioner`'s filters, read from the address: what (waiting for me, all, or a
    state), municipality and year."""

    vad = ChoiceField(_l("Show"))
    kommun = ChoiceField(_l("Municipality"), coerce=optional_int)
    ar = ChoiceField(_l("Year"), coerce=optional_int)
