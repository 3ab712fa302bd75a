"""Jinja: Flask-Babel for the Swedish catalogue, and the same Swedish formatting as the
command line and the bot (locales), as filters."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import StrEnum
from functools import cache, lru_cache
from types import CodeType
from typing import Any, cast

import flask.templating
from flask import Flask, g, request, url_for
from flask_babel import Babel
from flask_wtf.csrf import CSRFProtect
from jinja2 import BytecodeCache, nodes
from jinja2.bccache import Bucket
from jinja2.visitor import NodeTransformer
from markupsafe import Markup, escape

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


# A list's rows repeat a few statuses and days: each tag and end is written once per
# process (the site speaks one catalogue), not once per row (7 and 5 µs a row with `%`).
@cache
def status_tag(status: ReferralStatus) -> Markup:
    """A referral's status as a tag. Python rather than a macro: a list calls it for each of
    its rows, and a Jinja macro call costs more than the tag."""
    return Markup('<strong class="status status-%s">%s</strong>') % (status.value, _label(status))


PLANNED = N_("%(date)s (planned)")


def end_day(row: Any) -> Markup:
    """The day a placement ended, or its planned end (said so), or a dash."""
    if getattr(row, "ended_on", None):
        return escape(_date(row.ended_on))
    if getattr(row, "planned_end_on", None):
        return _planned(row.planned_end_on)
    return Markup("–")


@lru_cache(maxsize=4096)
def _planned(day: date) -> Markup:
    return Markup(locales.translations().gettext(PLANNED)) % {"date": _date(day)}


SAFE_CODE = re.compile(r"[A-Za-z0-9-]+")


def referral_url(code: str) -> str:
    """url_for('referrals.detail', code=code): a list links each of its rows, so the
    address is built once per request and the code, which needs no quoting, put in it."""
    if not SAFE_CODE.fullmatch(code):
        return url_for("referrals.detail", code=code)
    prefix = g.get("mm_referral_url")
    if prefix is None:
        prefix = g.mm_referral_url = url_for("referrals.detail", code="0")[:-1]
    return f"{prefix}{code}"


_LAYOUT_URLS: dict[tuple[str, str, str | None], str] = {}


def layout_url(endpoint: str, filename: str | None = None) -> str:
    """url_for of an address without parameters (the layout's links and style sheet), made
    once per application root: every page has a dozen of them, always the same."""
    key = (request.script_root, endpoint, filename)
    found = _LAYOUT_URLS.get(key)
    if found is None:
        values: dict[str, Any] = {"filename": filename} if filename is not None else {}
        found = _LAYOUT_URLS[key] = url_for(endpoint, **values)
    return found


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


class Environment(flask.templating.Environment):
    """Flask's Jinja environment, with each `_("...")` of a template translated once, when
    the template is compiled, instead of at every render: the site speaks only Swedish from
    one catalogue, so the sentence is the same every time. The result is exactly what
    Jinja's newstyle gettext returns at render time (Markup when autoescaping, and the
    placeholders filled by `%`, escaping the values); ngettext stays a call."""

    def _parse(self, source: str, name: str | None, filename: str | None) -> nodes.Template:
        tree = super()._parse(source, name, filename)
        _translate_once(tree, locales.translations().gettext)
        return tree


class _CompiledOnce(BytecodeCache):
    """Every app of this process takes a template compiled once, keyed by its name, its
    source (Jinja's checksum) and the catalogue it was translated from (`Environment._parse`
    puts the Swedish text into the code). A worker makes one app, but a test process makes
    hundreds, and compiling the site's templates was about a tenth of the suite's time. The
    code objects themselves are held, not their marshalled bytes: the functions of the
    worker's templates are made from them anyway, so holding them costs next to nothing."""

    def __init__(self) -> None:
        self._held: dict[str, tuple[str, CodeType]] = {}

    def get_cache_key(self, name: str, filename: str | None = None) -> str:
        return f"{super().get_cache_key(name, filename)}:{id(locales.translations())}"

    def load_bytecode(self, bucket: Bucket) -> None:
        held = self._held.get(bucket.key)
        if held is not None and held[0] == bucket.checksum:  # else compiled from the source
            bucket.code = held[1]

    def dump_bytecode(self, bucket: Bucket) -> None:
        if bucket.code is not None:
            self._held[bucket.key] = (bucket.checksum, bucket.code)


_COMPILED = _CompiledOnce()


def _translate_once(tree: nodes.Template, gettext: Callable[[str], str]) -> None:
    # Where a template or one of its macros sets a variable `_`, its `_(...)` means that.
    shadowed = _shadowing(tree, tree, [])
    if tree in shadowed:
        return
    skip = {id(node) for scope in shadowed for node in scope.find_all(nodes.Call)}

    class Fold(NodeTransformer):
        def visit_Call(self, node: nodes.Call) -> nodes.Node:  # noqa: N802 - Jinja's name
            node = cast(nodes.Call, self.generic_visit(node))
            if id(node) in skip or not _literal_gettext(node):
                return node
            msgid = cast(nodes.Const, node.args[0]).value
            translated = gettext(msgid)
            if not node.kwargs:
                try:
                    return nodes.MarkSafeIfAutoescape(nodes.Const(translated % {}))
                except (KeyError, TypeError, ValueError):  # it fails at render time as before
                    return node
            values = nodes.Dict([nodes.Pair(nodes.Const(k.key), k.value) for k in node.kwargs])
            return nodes.Mod(nodes.MarkSafeIfAutoescape(nodes.Const(translated)), values)

    Fold().visit(tree)


def _shadowing(node: nodes.Node, scope: nodes.Node, found: list[nodes.Node]) -> list[nodes.Node]:
    """The template and macros in which `_` is assigned (or a parameter)."""
    if isinstance(node, nodes.Macro):
        scope = node
    if isinstance(node, nodes.Name) and node.name == "_" and node.ctx != "load":
        found.append(scope)
    for child in node.iter_child_nodes():
        _shadowing(child, scope, found)
    return found


def _literal_gettext(node: nodes.Call) -> bool:
    return (
        isinstance(node.node, nodes.Name)
        and node.node.name == "_"
        and len(node.args) == 1
        and isinstance(node.args[0], nodes.Const)
        and isinstance(node.args[0].value, str)
        and node.dyn_args is None
        and node.dyn_kwargs is None
    )


def install(app: Flask) -> None:
    # Before anything makes the app's Jinja environment (Flask makes it on first use).
    assert "jinja_env" not in app.__dict__, "templating.install must make the environment"
    app.jinja_environment = Environment
    app.jinja_env.bytecode_cache = _COMPILED
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
        status_tag=status_tag,
        end_day=end_day,
        referral_url=referral_url,
        layout_url=layout_url,
        state_label=REQUISITION_STATE_LABELS.__getitem__,
    )
    from web import list_rows  # it writes its rows with this module's helpers

    app.jinja_env.globals.update(
        referral_rows=list_rows.referral_rows,
        request_rows=list_rows.request_rows,
        placement_rows=list_rows.placement_rows,
        work_rows=list_rows.work_rows,
    )
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True


def warm_up(app: Flask) -> list[str]:
    """Compiles every template of the site into the app's cache and loads Babel's Swedish
    locale data, for a worker that has just started (gunicorn.conf.py). Otherwise its first
    requests, several threads at once, each compile the same layout and page (about 50 ms a
    template) and load the same locale data (80 ms), and wait for each other on the cores:
    the slowest first overviews took 0.55-0.75 s against 0.27 s warm. The template names."""
    names = app.jinja_env.list_templates(extensions=["html"])
    for name in names:
        app.jinja_env.get_template(name)
    locales.format_number(Decimal("1234.5"), 1)
    locales.format_datetime(datetime.now(UTC))
    return names
