"""Fields and validators with Swedish messages from the catalogue; they parse and check the
shape of input. The rules themselves are the domain's (some validators call its pure checks,
so that every problem on a form can be shown at once)."""

from __future__ import annotations

import re
from collections.abc import Callable
from enum import StrEnum
from typing import Any

from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape
from wtforms import Field, HiddenField, RadioField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import StopValidation, ValidationError
from wtforms.widgets import DateInput, Select, TimeInput, html_params

import locales
from domain.errors import RuleViolation, checked_text
from domain.parsing import parse_date, parse_kronor, parse_time, parse_whole_number
from domain.text import N_

CHOOSE_FROM_LIST = N_("Choose one of the options in the list.")


class Required:
    """Something must be entered (or ticked); stops further checks of the field."""

    def __init__(self, message: str) -> None:
        self.message = message

    def __call__(self, form: Any, field: Field) -> None:
        if field.process_errors:
            raise StopValidation()  # the value could not be read: that message says it all
        value = field.data
        if value is None or value is False or (isinstance(value, str) and not value.strip()):
            raise StopValidation(locales.gettext(self.message))


class DomainCheck:
    """Runs a pure check of the domain on the value and shows its sentence on the field."""

    def __init__(self, check: Callable[[Any], Any]) -> None:
        self.check = check

    def __call__(self, form: Any, field: Field) -> None:
        if field.data in (None, ""):
            return
        try:
            self.check(field.data)
        except RuleViolation as error:
            raise ValidationError(locales.render(error.text)) from None


class MaxLength(DomainCheck):
    """The domain's own length rule (domain.errors.checked_text), checked with the form."""

    def __init__(self, limit: int) -> None:
        super().__init__(lambda value: checked_text(value, limit, ""))


def _parsed(valuelist: list[str], parse: Callable[[str], Any]) -> Any:
    """The value read by the domain's rule (None when empty); its refusal on the field."""
    raw = (valuelist[0] if valuelist else "").strip()
    if not raw:
        return None
    try:
        return parse(raw)
    except RuleViolation as error:
        raise ValueError(locales.render(error.text)) from None


class DateField(StringField):
    """An <input type="date">; without browser support people type YYYY-MM-DD."""

    widget = DateInput()

    def process_formdata(self, valuelist: list[str]) -> None:
        self.data = _parsed(valuelist, parse_date)

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        return self.data.isoformat() if self.data else ""


class TimeField(StringField):
    """An <input type="time">; without browser support people type 09:30 or 9.30."""

    widget = TimeInput()

    def process_formdata(self, valuelist: list[str]) -> None:
        self.data = _parsed(valuelist, parse_time)

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        return self.data.strftime("%H:%M") if self.data else ""


class WholeNumberField(StringField):
    def process_formdata(self, valuelist: list[str]) -> None:
        self.data = _parsed(valuelist, parse_whole_number)

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        return "" if self.data is None else str(self.data)


class KronorField(StringField):
    """An amount like 206,40 or 206 (kronor, at most two decimals) as Money."""

    def process_formdata(self, valuelist: list[str]) -> None:
        self.data = _parsed(valuelist, parse_kronor)

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        return "" if self.data is None else str(self.data.as_kronor).replace(".", ",")


class _Choosing:
    """Choices whose submitted value must be one of the options: a tampered value gets a
    Swedish message, never an English one or a 500."""

    data: Any  # the coerced choice, or None

    def process_formdata(self, valuelist: list[str]) -> None:
        try:
            super().process_formdata(valuelist)  # type: ignore[misc]
        except ValueError:
            self.data = None
            raise ValueError(locales.gettext(CHOOSE_FROM_LIST)) from None

    def pre_validate(self, form: Any) -> None:
        if self.data is None:
            return
        choices, coerce = self.choices, self.coerce  # type: ignore[attr-defined]
        if isinstance(choices, Choices):
            allowed = choices.allowed(coerce)
        else:
            allowed = {coerce(value) for value, *_rest in choices}
        if self.data not in allowed:
            raise ValidationError(locales.gettext(CHOOSE_FROM_LIST))


class Choices(list[SelectChoice]):
    """Options made once and used by many requests (the 290 municipalities of a list's
    filter, web.views.municipality_filter): what follows from them alone is worked out once
    too, the values allowed and the <option>s written for each choice made. Never changed
    after it is made; plain options only (no groups, no attributes of their own)."""

    LIMIT = 512  # options written for so many different choices at most (any value can be sent)

    def __init__(self, choices: list[SelectChoice]) -> None:
        super().__init__(choices)
        self._allowed: dict[Any, set[Any]] = {}
        self.written: dict[tuple[Any, Any], Markup] = {}

    def allowed(self, coerce: Callable[[Any], Any]) -> set[Any]:
        found = self._allowed.get(coerce)
        if found is None:
            found = self._allowed[coerce] = {coerce(choice.value) for choice in self}
        return found


class PlainOptionsSelect(Select):
    """WTForms' <select>, with each plain option written in one step: its general attribute
    writer, once per option, was most of a list page's CPU with 290 municipalities to pick
    from. The HTML is the same (attributes in its order); options with extra attributes
    still go through WTForms."""

    def __call__(self, field: Any, **kwargs: Any) -> Markup:
        choices = getattr(field, "choices", None)
        if not isinstance(choices, Choices) or self.multiple:
            return Markup(super().__call__(field, **kwargs))
        key = (field.coerce, field.data)
        try:
            written = choices.written.get(key)
        except TypeError:  # a value that cannot be a key: written afresh
            return Markup(super().__call__(field, **kwargs))
        if written is None:
            written = Markup("".join(self.render_option(c) for c in field.iter_choices()))
            if len(choices.written) >= Choices.LIMIT:
                choices.written.clear()
            choices.written[key] = written
        # The <select> itself as WTForms writes it.
        kwargs.setdefault("id", field.id)
        flags = getattr(field, "flags", {})
        for name in dir(flags):
            if name in self.validation_attrs and name not in kwargs:
                kwargs[name] = getattr(flags, name)
        return Markup(f"<select {html_params(name=field.name, **kwargs)}>{written}</select>")

    @classmethod
    def render_option(cls, choice: Any, **kwargs: Any) -> Markup:
        if kwargs or choice.render_kw or isinstance(choice.value, bool):
            return super().render_option(choice, **kwargs)
        selected = "selected " if choice.selected else ""
        label = escape(choice.label or choice.value)
        return Markup(f'<option {selected}value="{escape(choice.value)}">{label}</option>')


class ChoiceField(_Choosing, SelectField):
    widget = PlainOptionsSelect()


class RadioChoiceField(_Choosing, RadioField):
    pass


def optional_int(value: Any) -> int | None:
    if value is None or value == "" or isinstance(value, int):
        return value or None
    if not str(value).isdigit():
        raise ValueError(value)
    return int(value)


def enum_of(kind: type[StrEnum]) -> Callable[[Any], StrEnum | None]:
    def coerce(value: Any) -> StrEnum | None:
        if value is None or value == "":
            return None
        return kind(value)

    return coerce


def options(pairs: Any) -> list[SelectChoice]:
    """Choices for a select or radio field, from (value, label) pairs."""
    return [SelectChoice(value, label) for value, label in pairs]


def enum_choices(kind: type[StrEnum]) -> list[SelectChoice]:
    from domain.choices import LABELS

    return options((member.value, _l(LABELS[member])) for member in kind)


class HiddenIdField(HiddenField):
    """The id of the object a form is about, e.g. which request is answered."""

    def process_formdata(self, valuelist: list[str]) -> None:
        raw = (valuelist[0] if valuelist else "").strip()
        self.data = int(raw) if re.fullmatch(r"\d{1,9}", raw) else None
        if self.data is None:
            raise ValueError(
                locales.gettext(
                    "The form was changed or is out of date. Reload the page and try again."
                )
            )
