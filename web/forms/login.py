"""Logging in: e-mail and password, then the second factor; setting a password."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import EmailField, PasswordField, StringField

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


class CodeForm(Form):
    code = StringField(
        _l("Code"),
        validators=[
            Required(N_("Enter the code from your authenticator, or a recovery code.")),
            MaxLength(40),
        ],
    )


class EnrolForm(Form):
    code = StringField(
        _l("Code from the authenticator"),
        validators=[
            Required(N_("Enter the six-digit code the authenticator shows.")),
            MaxLength(40),
        ],
    )


class NewPasswordForm(Form):
    password = PasswordField(
        _l("New password"),
        validators=[Required(N_("Enter a new password.")), MaxLength(400)],
    )
    repeat = PasswordField(
        _l("The new password again"),
        validators=[Required(N_("Enter the new password again.")), MaxLength(400)],
    )

    def validate_repeat(self, field: PasswordField) -> None:
        from wtforms.validators import ValidationError

        import locales

        if self.password.data and field.data != self.password.data:
            raise ValidationError(locales.gettext("The two passwords are not the same."))


class ChangePasswordForm(NewPasswordForm):
    current_password = PasswordField(
        _l("Current password"),
        validators=[Required(N_("Enter your current password.")), MaxLength(400)],
    )
