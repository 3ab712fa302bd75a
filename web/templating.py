"""Jinja: Flask-Babel for the Swedish catalogue, and the same Swedish formatting as the
command line and the bot (locales), as filters."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from flask import Flask, request, url_for
from flask_babel import Babel
from flask_wtf.csrf import CSRFProtect
from markupsafe import Markup

import locales
from domain.choices import LABELS, Role
from domain.lifecycle import STATUS_LABELS, ReferralStatus
from domain.meetings import MEETING_LABELS, MeetingKind
from domain.money import Money
from domain.personal_identity import display_personal_identity_number
from domain.requisition import REQUISITION_STATE_LABELS
from domain.text import N_, Text

csrf = CSRFProtect()
babel = Babel()


def _date(value: date | datetime | None) -> str:
    return locales.format_date(value) if value is not None else "–"


def _datetime(value: datetime | None) -> str:
    return locales.format_datetime(value) if value is not None else "–"


def _label(choice: StrEnum | None) -> str:
    if choice is None:
        return "–"
    if isinstance(choice, ReferralStatus):
        return locales.gettext(STATUS_LABELS[choice])
    if isinstance(choice, MeetingKind):
        return locales.gettext(MEETING_LABELS[choice])
    return locales.gettext(LABELS[choice])


def _say(text: Text) -> str:
    return locales.render(text)


MENU: dict[Role, tuple[tuple[str, str], ...]] = {
    Role.INVESTIGATOR: (
        ("worklist.page", N_("To do")),
        ("referrals.listing", N_("My referrals")),
        ("new_referral.new", N_("New referral")),
    ),
    Role.MUNICIPALITY_CONTACT: (
        ("worklist.page", N_("To do")),
        ("municipality.inbox", N_("Requests")),
        ("municipality.page", N_("Our municipality")),
        ("requisitions.listing", N_("Requisitions")),
        ("follow_up.indicators", N_("Follow-up")),
    ),
    Role.COORDINATOR: (
        ("worklist.page", N_("To do")),
        ("overview.overview", N_("Overview")),
        ("referrals.listing", N_("All referrals")),
        ("overview.budget", N_("Budget")),
        ("register_extract.form", N_("Register extract")),
        ("requisitions.listing", N_("Requisitions")),
        ("follow_up.index", N_("Follow-up")),
    ),
    Role.ASSOCIATION: (
        ("worklist.page", N_("To do")),
        ("overview.budget", N_("Budget")),
        ("requisitions.listing", N_("Requisitions")),
        ("requisitions.accruals", N_("Accrued costs")),
        ("follow_up.index", N_("Follow-up")),
    ),
    Role.ADMIN: (  # the accounts first: they are the work; the figures are only read
        ("accounts.listing", N_("Users")),
        ("municipalities_admin.listing", N_("Municipalities")),
        ("accounts.history", N_("History")),
        ("deliveries.listing", N_("Failed deliveries")),
        ("overview.budget", N_("Budget")),
        ("requisitions.listing", N_("Requisitions")),
        ("follow_up.index", N_("Follow-up")),
        ("api_tokens.listing", N_("API tokens")),
        ("webhooks.listing", N_("Webhooks")),
    ),
    Role.LOG_REVIEWER: (
        ("log_review.search", N_("Log review")),
        ("log_review.reviews", N_("Documented reviews")),
        ("register_extract.form", N_("Register extract")),
    ),
}


def url_with(**changes: Any) -> str:
    """This page's address with some of its query parameters changed (e.g. the page); a
    parameter changed to "" is left out."""
    args = {**request.args.to_dict(), **{k: v for k, v in changes.items() if v is not None}}
    args = {k: v for k, v in args.items() if v != ""}
    return url_for(request.endpoint or "account.home", **(request.view_args or {}), **args)


def menu(role: Role) -> list[tuple[str, str, int | None]]:
    """The menu of a role: (endpoint, text, a count beside it or None)."""
    from web.views import worklist

    return [
        (endpoint, locales.gettext(text), worklist.count() if endpoint == "worklist.page" else None)
        for endpoint, text in MENU[role]
    ]


def field_attributes(field: Any, hint: Any = None, **extra: Any) -> dict[str, Any]:
    """The attributes of an input: its hint and error tied to it, invalid when in error."""
    described = [f"{field.id}-hint"] if hint else []
    if field.errors:
        described.append(f"{field.id}-error")
        extra["aria-invalid"] = "true"
    if described:
        extra["aria-describedby"] = " ".join(described)
    return {key: value for key, value in extra.items() if value is not None}


def _ref(code: str) -> Markup:
    """A reference code that never breaks inside, also in the middle of a sentence."""
    return Markup('<span class="ref">%s</span>') % code


FILTERS: dict[str, Any] = {
    "ref": _ref,
    "money": locales.format_money,
    "day": _date,
    "moment": _datetime,
    "percent": locales.format_percent,
    "number": locales.format_number,
    "label": _label,
    "say": _say,
    "personnummer": display_personal_identity_number,
    "period": locales.format_period,
    "month": locales.format_month,
    "ore": lambda ore: locales.format_money(Money(ore)),
}


def install(app: Flask) -> None:
    babel.init_app(app, locale_selector=lambda: "sv", timezone_selector=lambda: "Europe/Stockholm")
    # The site speaks only Swedish: templates translate straight from the one catalogue that
    # Flask-Babel would look up again for every sentence (a page has a few hundred).
    catalogue = locales.translations()
    app.jinja_env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=catalogue.gettext, ngettext=catalogue.ngettext, newstyle=True
    )
    csrf.init_app(app)
    app.jinja_env.filters.update(FILTERS)
    app.jinja_env.globals.update(
        menu=menu,
        field_attributes=field_attributes,
        url_with=url_with,
        state_label=REQUISITION_STATE_LABELS.__getitem__,
    )
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
