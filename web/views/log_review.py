"""/loggkontroll: the log reviewer's pages. Search the audit log, draw a random sample,
see the flags, export a selection as CSV and document the review. Each search, sample and
export is written to the audit log too."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from wtforms.fields.choices import SelectChoice

import locales
from domain.audit import AUDIT_FIELD_LABELS, SEEN_LABELS, Seen
from domain.choices import LABELS, Role
from domain.errors import RuleViolation
from domain.log_review import FLAG_LABELS
from domain.text import N_
from locales.phrases import verification_line
from reports.sheets import rows_to_csv
from services import log_review, verification
from web import runtime
from web.auth import roles
from web.forms.log_review import LogSearchForm, ReviewForm, SampleForm
from web.views import attempt

blueprint = Blueprint("log_review", __name__, url_prefix="/loggkontroll")
reviewers_only = roles(Role.LOG_REVIEWER)


def _defaults(form: Any) -> None:
    today = runtime.today()
    if not request.args:
        form.period_from.data = today - timedelta(days=30)
        form.period_to.data = today


def _review_form(period: log_review.Period | None, selection: dict[str, Any]) -> ReviewForm | None:
    if period is None:
        return None
    form = ReviewForm(formdata=None)
    form.period_from.data = period.start.isoformat()
    form.period_to.data = period.end.isoformat()
    form.selection.data = json.dumps(selection, sort_keys=True)
    return form


@blueprint.get("")
@reviewers_only
def search() -> Any:
    form = LogSearchForm(request.args, meta={"csrf": False})
    with runtime.transaction(read_only=True) as db:
        form.user.choices = [
            SelectChoice("", locales.gettext("Everyone")),
            *[SelectChoice(i, n) for i, n in log_review.people(db, actor=runtime.actor())],
        ]
        verified = verification.last_verification(db, actor=runtime.actor())
    _defaults(form)
    rows, period, status = None, None, 200
    if request.args:
        if form.validate():
            try:
                period = log_review.checked_period(form.period_from.data, form.period_to.data)
                with runtime.transaction() as db:
                    rows = log_review.search(
                        db,
                        actor=runtime.actor(),
                        period=period,
                        user_id=form.user.data,
                        code=form.code.data,
                        flagged_only=bool(form.flagged.data),
                        now=runtime.now(),
                        address=request.remote_addr or "",
                    )
            except RuleViolation as error:
                form.add_domain_error(error)
        if form.problems():
            status, rows, period = 400, None, None
    selection = {"kind": "search", **{k: v for k, v in request.args.items()}}
    return render_template(
        "log_review/search.html",
        form=form,
        rows=rows,
        verified=verified,
        verified_line=verification_line(verified) if verified else None,
        review=_review_form(period, selection),
        export=f"{url_for('log_review.export')}?{request.query_string.decode()}" if rows else None,
        labels=_labels(),
    ), status


@blueprint.get("/stickprov")
@reviewers_only
def sample() -> Any:
    form = SampleForm(request.args, meta={"csrf": False})
    _defaults(form)
    if not request.args:
        form.size.data = 20
    rows, period, status = None, None, 200
    if request.args:
        if form.validate():
            try:
                period = log_review.checked_period(form.period_from.data, form.period_to.data)
                with runtime.transaction() as db:
                    rows = log_review.random_sample(
                        db,
                        actor=runtime.actor(),
                        period=period,
                        size=form.size.data,
                        now=runtime.now(),
                        address=request.remote_addr or "",
                    )
            except RuleViolation as error:
                form.add_domain_error(error)
        if form.problems():
            status, rows, period = 400, None, None
    selection = {"kind": "sample", "ids": [r.id for r in rows or []]}
    return render_template(
        "log_review/sample.html",
        form=form,
        rows=rows,
        review=_review_form(period, selection),
        labels=_labels(),
    ), status


def _labels() -> dict[str, Any]:
    return {
        "seen": {k: locales.gettext(v) for k, v in SEEN_LABELS.items()},
        "field": {k: locales.gettext(v) for k, v in AUDIT_FIELD_LABELS.items()},
        "flag": {k: locales.gettext(v) for k, v in FLAG_LABELS.items()},
        "role": {k: locales.gettext(LABELS[k]) for k in Role},
    }


CSV_COLUMNS = (
    N_("When"),
    N_("Person"),
    N_("Role"),
    N_("Municipality"),
    N_("Address"),
    N_("What"),
    N_("Data shown"),
    N_("Reference code"),
    N_("Reason"),
    N_("Flags"),
)


@blueprint.get("/export.csv")
@reviewers_only
def export() -> Any:
    form = LogSearchForm(request.args, meta={"csrf": False})
    form.user.choices = None  # any id: the search checks nothing else about it
    try:
        period = log_review.checked_period(form.period_from.data, form.period_to.data)
    except RuleViolation:
        return redirect(url_for("log_review.search"))
    with runtime.transaction() as db:
        rows = log_review.search(
            db,
            actor=runtime.actor(),
            period=period,
            user_id=_int(request.args.get("user")),
            code=form.code.data,
            flagged_only=bool(form.flagged.data),
            now=runtime.now(),
            address=request.remote_addr or "",
            seen=Seen.LOG_EXPORT,
        )
    labels = _labels()
    g = locales.gettext
    lines = [
        [
            g("When"),
            g("Person"),
            g("Role"),
            g("Municipality"),
            g("Address"),
            g("What"),
            g("Data shown"),
            g("Reference code"),
            g("Reason"),
            g("Flags"),
        ]
    ]
    for r in rows:
        lines.append(
            [
                locales.format_datetime(r.at),
                r.user,
                labels["role"].get(r.role, "–") if r.role else "–",
                r.municipality or "",
                r.address,
                labels["seen"][r.seen],
                ", ".join(labels["field"][f] for f in r.fields),
                r.code or "",
                r.reason or "",
                ", ".join(labels["flag"][f] for f in sorted(r.flags)),
            ]
        )
    name = f"loggkontroll-{period.start.isoformat()}-{period.end.isoformat()}.csv"
    return Response(
        rows_to_csv(lines),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


def _date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value or "")
    except ValueError:
        return None


@blueprint.post("/granskning")
@reviewers_only
def document() -> Any:
    form = ReviewForm()
    start, end = _date(form.period_from.data), _date(form.period_to.data)
    try:
        selection = json.loads(form.selection.data or "{}")
    except ValueError:
        selection = {}
    if form.validate():
        done = attempt(
            form,
            lambda db: log_review.record_review(
                db,
                actor=runtime.actor(),
                period=log_review.checked_period(start, end),
                selection=selection if isinstance(selection, dict) else {},
                conclusion=form.conclusion.data,
                now=runtime.now(),
            ),
        )
        if done.ok:
            flash(locales.gettext("The review has been documented."), "success")
            return redirect(url_for("log_review.reviews"))
    return render_template("log_review/document_failed.html", form=form), 400


@blueprint.get("/granskningar")
@reviewers_only
def reviews() -> Any:
    with runtime.transaction(read_only=True) as db:
        found = [
            {
                "at": r.at,
                "reviewer": r.reviewer.name,
                "period_from": r.period_from,
                "period_to": r.period_to,
                "kind": (r.selection or {}).get("kind"),
                "count": len((r.selection or {}).get("ids", [])),
                "conclusion": r.conclusion,
            }
            for r in log_review.reviews(db, actor=runtime.actor())
        ]
    return render_template("log_review/reviews.html", reviews=found)
