"""Confirming the link between a Slack user and this account."""

from __future__ import annotations

from web.forms.base import Form


class ConfirmLinkForm(Form):
    """Only the button: the token is in the address."""
