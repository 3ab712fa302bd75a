"""The follow-up's forms: which year and cut-off, which period and municipality, which
Finsam period (read from the address, so a report can be bookmarked); and the other cost
lines' utfall that the coordinator enters."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from domain.money import Money
from domain.text import N_
from web.forms.base import Form
from web.forms.fields import (
    ChoiceField,
    DateField,
    KronorField,
    Required,
    WholeNumberField,
    optional_int,
)

ENTER_DATE = N_("Enter a date.")


class FollowUpForm(Form):
    ar = ChoiceField(_l("Year"), coerce=optional_int)
    till = DateField(_l("Up to and including"))
    intag = WholeNumberField(_l("Your own scenario: new starts a month"))


class PeriodForm(Form):
    fran = DateField(_l("From"))
    till = DateField(_l("Up to and including"))
    kommun = ChoiceField(_l("Municipality"), coerce=optional_int)


class FinsamForm(Form):
    ar = ChoiceField(_l("Year"), coerce=optional_int)
    halvar = ChoiceField(_l("Period"), coerce=optional_int)


class CostOutcomeForm(Form):
    label = ChoiceField(
        _l("Cost line"), validators=[Required(N_("Choose one of the cost lines in the list."))]
    )
    through = DateField(_l("Utfall up to and including"), validators=[Required(ENTER_DATE)])
    amount = KronorField(
        _l("Utfall in kronor"),
        validators=[Required(N_("Enter the utfall in kronor, zero or more."))],
    )


class SignedKronorField(KronorField):
    """An amount that may be negative (an association's equity after a deficit): -120 000."""

    def process_formdata(self, valuelist: list[str]) -> None:
        raw = valuelist[0].strip() if valuelist else ""
        negative = raw[:1] in {"-", "\u2212"} and len(raw) > 1
        super().process_formdata([raw[1:]] if negative else valuelist)
        if negative and self.data is not None:
            self.data = Money(-self.data.ore)


class AssociationFiguresForm(Form):
    """Uppföljning Finsam's association-level figures for a year (the national screen's)."""

    ar = WholeNumberField(_l("Year"), validators=[Required(N_("Choose one of the years."))])
    allocated = KronorField(
        _l("Allocated funds in kronor"), validators=[Required(N_("Enter an amount in kronor."))]
    )
    equity = SignedKronorField(
        _l("Equity in kronor"), validators=[Required(N_("Enter an amount in kronor."))]
    )
    administration_budget = KronorField(
        _l("Administration, budget in kronor"),
        validators=[Required(N_("Enter an amount in kronor."))],
    )
    administration_utfall = KronorField(
        _l("Administration, utfall in kronor"),
        validators=[Required(N_("Enter an amount in kronor."))],
    )
