"""Filters of the worklist, read from the address so that a filtered list can be kept."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from domain.deadlines import Task
from web.forms.base import Form
from web.forms.fields import ChoiceField, enum_of, optional_int


class WorklistFilterForm(Form):
    task = ChoiceField(_l("What"), coerce=enum_of(Task))
    municipality = ChoiceField(_l("Municipality"), coerce=optional_int)
