"""Logging in."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import EmailField, PasswordField

from domain.text import N_
from web.forms.base import Form
from web.forms.fields import MaxLength, Required


class LoginForm(Form):
    email = EmailField(
        _l("E-mail address"),
        validators=[Required(N_("Enter your e-mail address.")), MaxLength(254)],
    )
    password = PasswordField(
        _l("Password"), validators=[Required(N_("Enter your password.")), MaxLength(200)]
    )
