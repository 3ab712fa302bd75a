"""Confirming the link between a Slack user and this account."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField

from web.forms.base import Form


class ConfirmLinkForm(Form):
    """The token is in the address; the box is needed only to replace an existing link."""

    replace = BooleanField(_l("Replace my current link to Slack with this Slack user"))
