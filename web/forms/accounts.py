"""The administrator's forms for accounts and municipalities."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import EmailField, StringField
from wtforms.fields.choices import SelectChoice

from domain.choices import Role
from domain.names import check_name
from domain.text import N_
from web.forms.base import Form
from web.forms.fields import (
    ChoiceField,
    DomainCheck,
    MaxLength,
    Required,
    enum_choices,
    enum_of,
    optional_int,
)


class UserFilterForm(Form):
    """Read from the address (GET), so a search can be bookmarked."""

    q = StringField(_l("Name or e-mail address"), validators=[MaxLength(100)])
    role = ChoiceField(_l("Role"), coerce=enum_of(Role))
    active = ChoiceField(_l("Status"), coerce=str)


class UserForm(Form):
    name = StringField(
        _l("Name"),
        validators=[
            Required(N_("Enter the user's name.")),
            MaxLength(200),
            DomainCheck(check_name),
        ],
    )
    role = ChoiceField(
        _l("Role"), coerce=enum_of(Role), validators=[Required(N_("Choose a role."))]
    )
    municipality = ChoiceField(_l("Municipality (for municipality contacts)"), coerce=optional_int)
    external_identity = StringField(
        _l("Identity at the identity provider (optional)"), validators=[MaxLength(200)]
    )

    def fill_choices(self, municipalities: list[SelectChoice]) -> None:
        self.role.choices = [SelectChoice("", "–"), *enum_choices(Role)]
        self.municipality.choices = [SelectChoice("", "–"), *municipalities]


class NewUserForm(UserForm):
    email = EmailField(
        _l("E-mail address"),
        validators=[Required(N_("Enter the user's e-mail address.")), MaxLength(254)],
    )


class SlackUserForm(Form):
    slack_user = StringField(
        _l("Slack member id"),
        validators=[Required(N_("Enter the Slack member id, e.g. U012AB3CD.")), MaxLength(40)],
    )


class MunicipalityForm(Form):
    name = StringField(
        _l("Name"), validators=[Required(N_("Enter the municipality's name.")), MaxLength(100)]
    )
    code = StringField(
        _l("Municipality code (kommunkod)"),
        validators=[Required(N_("Enter the four-digit municipality code.")), MaxLength(4)],
    )
    slack_channel = StringField(
        _l("Chat channel (Slack channel id, optional)"), validators=[MaxLength(40)]
    )
    matrix_room = StringField(_l("Matrix room (room id, optional)"), validators=[MaxLength(255)])
