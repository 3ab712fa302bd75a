"""What the municipality records about a placement: start, milestones, extension, end."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import StringField

from domain.choices import Outcome
from domain.corrections import REASON_LABELS, CorrectionReason, RecordedDate
from domain.meetings import MAX_PLACE
from domain.text import N_
from web.forms.base import OnceForm
from web.forms.fields import (
    DateField,
    MaxLength,
    RadioChoiceField,
    Required,
    TimeField,
    enum_choices,
    enum_of,
    options,
)

ENTER_DATE = N_("Enter a date.")


class MeetingHeldForm(OnceForm):
    held_on = DateField(
        _l("Date the tripartite meeting was held"), validators=[Required(ENTER_DATE)]
    )


class AssessmentPlanForm(OnceForm):
    done_on = DateField(
        _l("Date the assessment and individual plan were done"),
        validators=[Required(ENTER_DATE)],
    )


class WorkplaceTrainingForm(OnceForm):
    started_on = DateField(
        _l("Date the workplace training started"), validators=[Required(ENTER_DATE)]
    )


class ExtendForm(OnceForm):
    new_end = DateField(_l("New end date"), validators=[Required(ENTER_DATE)])


class EndForm(OnceForm):
    end_date = DateField(_l("End date"), validators=[Required(ENTER_DATE)])
    outcome = RadioChoiceField(
        _l("Outcome"),
        choices=enum_choices(Outcome),
        coerce=enum_of(Outcome),
        validators=[Required(N_("Choose the outcome of the placement."))],
    )


class FinalReportForm(OnceForm):
    received_on = DateField(
        _l("Date the final report was received"), validators=[Required(ENTER_DATE)]
    )


class CorrectDateForm(OnceForm):
    """The choices of `field` are the placement's recorded dates (set by the view)."""

    field = RadioChoiceField(
        _l("Date to correct"),
        coerce=enum_of(RecordedDate),
        validators=[Required(N_("Choose the date to correct."))],
    )
    corrected_on = DateField(_l("The right date"), validators=[Required(ENTER_DATE)])
    reason = RadioChoiceField(
        _l("Why it is corrected"),
        choices=options((r.value, _l(REASON_LABELS[r])) for r in CorrectionReason),
        coerce=enum_of(CorrectionReason),
        validators=[Required(N_("Choose why the date is corrected."))],
    )


class BookMeetingForm(OnceForm):
    """A follow-up meeting booked, or any meeting moved: a date, a time and a place."""

    on = DateField(_l("Date"), validators=[Required(N_("Enter the date of the meeting."))])
    at = TimeField(_l("Time"), validators=[Required(N_("Enter the time of the meeting."))])
    place = StringField(
        _l("Place"),
        validators=[Required(N_("Enter where the meeting is held.")), MaxLength(MAX_PLACE)],
    )


class FollowUpHeldForm(OnceForm):
    held_on = DateField(_l("Date the meeting was held"), validators=[Required(ENTER_DATE)])
