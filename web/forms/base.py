"""The base form: CSRF is checked for every POST by CSRFProtect (the templates put the token
in each form), domain errors land on the field they are about, and the error summary at the
top of the page lists every message with a link to its field."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from flask_wtf import FlaskForm
from wtforms import HiddenField

import locales
from domain.errors import DomainError


@dataclass(frozen=True)
class Problem:
    message: str
    field_id: str | None  # where the summary links to; None for the form as a whole


def _without_nul(value: Any) -> Any:
    """NUL cannot be stored in PostgreSQL text: it never reaches the domain."""
    return value.replace("\x00", "") if type(value) is str else value  # not enums


class Form(FlaskForm):
    class Meta:
        csrf = False  # checked for every request by CSRFProtect, before any view runs

        def bind_field(self, form: Any, unbound_field: Any, options: dict[str, Any]) -> Any:
            filters = [*unbound_field.kwargs.get("filters", ()), _without_nul]
            return unbound_field.bind(form=form, filters=filters, **options)

    def add_error(self, field_name: str | None, message: str) -> None:
        field = self._fields.get(field_name) if field_name else None
        if field is None or isinstance(field, HiddenField):
            self.form_errors = [*getattr(self, "form_errors", []), message]
            return
        field.errors = [*field.errors, message]

    # The domain's name of a field -> this form's, where a page holds several forms and
    # their field ids must differ.
    domain_fields: ClassVar[Mapping[str, str]] = {}

    def add_domain_error(self, error: DomainError) -> None:
        field = self.domain_fields.get(error.field or "", error.field)
        self.add_error(field, locales.render(error.text))

    def problems(self) -> list[Problem]:
        found = [Problem(m, None) for m in getattr(self, "form_errors", [])]
        for field in self:
            visible = not isinstance(field, HiddenField)
            found += [Problem(m, field.id if visible else None) for m in field.errors]
        return found


def _fresh_key() -> str:
    return secrets.token_urlsafe(24)


class SubmissionKeyField(HiddenField):
    """A fresh key when the form is shown; when it is sent, only the key it came with."""

    def process_formdata(self, valuelist: list[str]) -> None:
        self.data = valuelist[0] if valuelist else None


class OnceForm(Form):
    """A form that creates or records something: it carries a one-time key, fresh each time
    the form is shown (services.submissions), so that sending it twice does it once."""

    submission_key = SubmissionKeyField(default=_fresh_key)
