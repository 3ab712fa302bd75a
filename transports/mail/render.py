"""A Message (notices.message) as an e-mail: a subject, plain text and HTML. The reference code
and links only, like every other channel; the footer says why the person gets it and where
to change that (also the List-Unsubscribe header, transports.mail.sender)."""

from __future__ import annotations

from html import escape as html_escape
from typing import Any

from locales import gettext as _
from notices.message import Message
from transports.markup import html_of, plain_of

SETTINGS_PATH = "/mina-installningar"


def email_of(message: Message, *, organisation: str, site_url: str) -> dict[str, Any]:
    """{subject, text, html, unsubscribe}: what transports.mail.sender sends."""
    settings_url = site_url + SETTINGS_PATH
    why = _(
        "You get this e-mail because you chose e-mail for this notice. Change that in My "
        "settings: %(url)s",
        url=settings_url,
    )
    subject = _("%(summary)s – %(organisation)s", summary=message.text, organisation=organisation)
    text = f"{plain_of(message)}\n\n-- \n{organisation}\n{why}\n"
    link = f'<a href="{html_escape(settings_url)}">{html_escape(settings_url)}</a>'
    footer = html_escape(why).replace(html_escape(settings_url), link)
    html = (
        '<!doctype html><html lang="sv"><head><meta charset="utf-8">'
        f"<title>{html_escape(subject)}</title></head><body>"
        f"{html_of(message)}<hr><p>{html_escape(organisation)}</p><p><small>{footer}</small></p>"
        "</body></html>"
    )
    return {
        "subject": subject.replace("\n", " ")[:200],
        "text": text,
        "html": html,
        "unsubscribe": settings_url,
    }
