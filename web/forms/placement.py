"""What the municipality records about a placement: start, milestones, extension, end."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from domain.choices import Outcome
from domain.text import N_
from web.forms.base import OnceForm
from web.forms.fields import DateField, RadioChoiceField, Required, enum_choices, enum_of

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
