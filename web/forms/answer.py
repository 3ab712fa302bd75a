"""The municipality's answer to a request: accept with a meeting date, or decline."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, StringField, TextAreaField

from domain.choices import DeclineReason
from domain.meetings import MAX_PLACE
from domain.participants import MAX_TEXT
from domain.text import N_
from web.forms.base import OnceForm
from web.forms.fields import (
    DateField,
    HiddenIdField,
    MaxLength,
    RadioChoiceField,
    Required,
    TimeField,
    enum_choices,
    enum_of,
)


class AcceptForm(OnceForm):
    request_id = HiddenIdField()
    # "1" when the contact has confirmed accepting without a free place.
    over_capacity = HiddenField()
    meeting_on = DateField(
        _l("Date of the tripartite meeting"),
        validators=[Required(N_("Enter the date of the tripartite meeting."))],
    )
    meeting_time = TimeField(
        _l("Time"), validators=[Required(N_("Enter the time of the meeting."))]
    )
    place = StringField(
        _l("Place"),
        validators=[Required(N_("Enter where the meeting is held.")), MaxLength(MAX_PLACE)],
    )


class DeclineForm(OnceForm):
    request_id = HiddenIdField()
    reason = RadioChoiceField(
        _l("Reason"),
        choices=enum_choices(DeclineReason),
        coerce=enum_of(DeclineReason),
        validators=[Required(N_("Choose a reason for declining."))],
    )
    comment = TextAreaField(_l("Comment"), validators=[MaxLength(MAX_TEXT)])
