"""The administrator's form for a new API token."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import StringField

from domain.api_tokens import MAX_NAME, TOKEN_ROLES
from domain.choices import LABELS, Role
from domain.text import N_
from web.forms.base import Form
from web.forms.fields import (
    ChoiceField,
    DateField,
    MaxLength,
    Required,
    SelectChoice,
    enum_of,
    optional_int,
    options,
)


class ApiTokenForm(Form):
    name = StringField(
        _l("Name (what the token is for)"),
        validators=[Required(N_("Give the token a name.")), MaxLength(MAX_NAME)],
    )
    role = ChoiceField(
        _l("Role"), coerce=enum_of(Role), validators=[Required(N_("Choose a role."))]
    )
    municipality = ChoiceField(_l("Municipality (for municipality contacts)"), coerce=optional_int)
    expires = DateField(_l("Last day the token works (optional)"))

    def fill_choices(self, municipalities: list[SelectChoice]) -> None:
        self.role.choices = [
            SelectChoice("", "–"),
            *options((r.value, _l(LABELS[r])) for r in TOKEN_ROLES),
        ]
        self.municipality.choices = [SelectChoice("", "–"), *municipalities]
