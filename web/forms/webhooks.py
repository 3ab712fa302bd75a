"""The administrator's form for a webhook receiver."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectMultipleField, StringField
from wtforms.widgets import CheckboxInput, ListWidget

from domain.api_tokens import MAX_NAME
from domain.text import N_
from domain.webhooks import EVENT_LABELS, MAX_URL, WEBHOOK_EVENTS
from web.forms.base import Form
from web.forms.fields import MaxLength, Required, options


class WebhookForm(Form):
    name = StringField(
        _l("Name (who receives)"),
        validators=[Required(N_("Give the receiver a name.")), MaxLength(MAX_NAME)],
    )
    url = StringField(
        _l("Address (URL) the events are sent to"),
        validators=[Required(N_("Enter the receiver's address.")), MaxLength(MAX_URL)],
    )
    events = SelectMultipleField(
        _l("Events to send"),
        choices=options((k.value, _l(EVENT_LABELS[k])) for k in WEBHOOK_EVENTS),
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
        validate_choice=False,  # checked by the use case, with a Swedish sentence
    )
