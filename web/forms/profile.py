"""Mina uppgifter: the person's own contact details."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import StringField

from domain.staff import MAX_PHONE, MAX_TITLE, checked_contact_details
from web.forms.base import Form
from web.forms.fields import DomainCheck, MaxLength


class ContactDetailsForm(Form):
    phone = StringField(
        _l("Work phone"),
        validators=[MaxLength(MAX_PHONE), DomainCheck(lambda v: checked_contact_details(v, ""))],
    )
    title = StringField(_l("Title"), validators=[MaxLength(MAX_TITLE)])
