"""Requisition pages (domain.requisition): the list of bases, one basis with the actions the
viewer may take on it now, its XLSX and CSV, and the association's accruals.

Municipality contacts see their own municipality's bases; the coordinator, the association
and the administrator see them all. An action that is not the viewer's gives 404 before the
form is read, like the actions on a referral.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from sqlalchemy import select
from sqlalchemy.orm import Session

import locales
from domain import requisition as rules
from domain.clock import local_date
from domain.deadlines import REQUISITION_TASKS
from domain.errors import DomainError, RuleViolation
from domain.requisition import Action, Basis, Period, State
from domain.text import N_
from reports.documents import accruals_sheet, basis_sheet
from reports.sheets import to_csv, to_xlsx
from services import requisition_lists, requisitions, worklist
from services.lists import Page
from services.program_setup import current_program
from storage.models import Municipality
from web import errors, runtime
from web.auth import permitted
from web.forms.base import Form
from web.forms.fields import options
from web.forms.requisition import (
    EVERY,
    MINE,
    AccrualDateForm,
    AttestForm,
    PaidForm,
    RequisitionFilterForm,
    ReturnForm,
    SubmitForm,
)
from web.views import attempt, municipality_filter, page_number

blueprint = Blueprint("requisitions", __name__)
PER_PAGE = 50  # bases per page
ACCRUALS_PER_PAGE = 50  # periods per page; the XLSX has them all
FORMS: dict[Action, type[Form]] = {
    Action.SUBMIT: SubmitForm,
    Action.ATTEST: AttestForm,
    Action.RETURN: ReturnForm,
    Action.MARK_PAID: PaidForm,
}
DONE = {
    Action.SUBMIT: N_("The basis is submitted. The coordinator attests it."),
    Action.ATTEST: N_("The basis is attested. The association pays it."),
    Action.RETURN: N_("The basis is returned to the municipality."),
    Action.MARK_PAID: N_("The payment is recorded."),
}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
USE_CASES: dict[Action, Callable[..., Any]] = {
    Action.SUBMIT: requisitions.submit,
    Action.ATTEST: requisitions.attest,
    Action.RETURN: requisitions.return_basis,
    Action.MARK_PAID: requisitions.mark_paid,
}


def _period(session: Session, raw: str) -> Period:
    try:
        return rules.parse_period(raw, current_program(session))
    except DomainError:
        abort(404)


def _municipality_id(session: Session, code: str) -> int:
    found = session.scalar(select(Municipality.id).where(Municipality.code == code))
    if found is None:
        abort(404)
    return found


def _basis(session: Session, code: str, raw_period: str) -> Basis:
    try:
        return requisitions.basis(
            session,
            actor=runtime.actor(),
            municipality_id=_municipality_id(session, code),
            period=_period(session, raw_period),
            today=runtime.today(),
        )
    except RuleViolation as error:  # a period that has not started: say so, in Swedish
        abort(Response(*errors.page(404, locales.render(error.text))))
    except DomainError:
        abort(404)


def _filters(session: Session, actor: Any, program: Any) -> RequisitionFilterForm:
    form = RequisitionFilterForm(formdata=request.args)
    every = locales.gettext("All")
    mine = [(MINE, locales.gettext("Waiting for me"))] if worklist.tasks_of(actor.role) else []
    form.vad.choices = options(
        mine
        + [(EVERY, every)]
        + [(s.value, locales.gettext(rules.REQUISITION_STATE_LABELS[s])) for s in State]
    )
    # The contact's list is their own municipality's: no filter, unless one was sent.
    form.kommun.choices = municipality_filter(
        session, every, needed=not actor.is_contact or form.kommun.data is not None
    )
    form.ar.choices = options([("", every)] + [(y.year, str(y.year)) for y in program.years])
    return form


@blueprint.get("/rekvisitioner")
@permitted(rules.can_see_any)
def listing() -> Any:
    """Every basis the viewer may see across periods; by default those waiting for them."""
    actor, today = runtime.actor(), runtime.today()
    with runtime.transaction(read_only=True) as session:
        program = current_program(session)
        form = _filters(session, actor, program)
        valid = form.validate()
        default = MINE if worklist.tasks_of(actor.role) else EVERY
        what = (form.vad.data if valid else None) or default
        form.vad.data = what
        chosen: dict[str, Any] = {}
        if what == MINE:
            chosen["tasks"] = set(worklist.tasks_of(actor.role)) & set(REQUISITION_TASKS)
        elif what != EVERY:
            chosen["states"] = {State(what)}
        rows = requisition_lists.listing(
            session,
            actor=actor,
            today=today,
            municipality_id=form.kommun.data if valid and not actor.is_contact else None,
            year=form.ar.data if valid else None,
            **chosen,
        )
    page = Page.of(rows, page_number(), PER_PAGE)
    html = render_template(
        "requisitions/list.html",
        form=form,
        page=page,
        own=actor.is_contact,
        today=today,
        state_labels=rules.REQUISITION_STATE_LABELS,
        mine=what == MINE,
    )
    return html, 200 if valid else 400


def _page(code: str, raw_period: str, failed: tuple[Action, Form] | None, status: int) -> Any:
    actor, today = runtime.actor(), runtime.today()
    with runtime.transaction(read_only=True) as session:
        found = _basis(session, code, raw_period)
    forms: dict[Action, Form] = {
        a: FORMS[a](formdata=None) for a in rules.allowed(actor, found, today)
    }
    for form in forms.values():
        if hasattr(form, "requisition_id"):
            form.requisition_id.data = found.requisition_id
    if Action.MARK_PAID in forms:
        forms[Action.MARK_PAID].paid_on.data = today
    if failed is not None and failed[0] in forms:  # offered still: show what was typed
        forms[failed[0]] = failed[1]
    html = render_template(
        "requisitions/basis.html",
        basis=found,
        code=code,
        forms=forms,
        failed=failed[1] if failed else None,
        state_labels=rules.REQUISITION_STATE_LABELS,
        today=today,
        attested_on=local_date(found.attested_at) if found.attested_at else None,
    )
    return html, status


@blueprint.get("/rekvisitioner/<code>/<period>")
@permitted(rules.can_see_any)
def basis(code: str, period: str) -> Any:
    return _page(code, period, None, 200)


def _act(code: str, raw_period: str, action: Action) -> Any:
    """Not the viewer's action: 404. Theirs, but not possible now (a second submission, a
    period not ended): the reason in Swedish, and nothing changes."""
    actor = runtime.actor()
    with runtime.transaction(read_only=True) as session:
        found = _basis(session, code, raw_period)
        if not rules.is_actors(actor, found, action):
            abort(404)
        municipality_id, chosen = found.municipality_id, found.period
    form = FORMS[action]()
    refused = rules.refusal(found, action, runtime.today())
    if refused is not None:
        form.add_domain_error(refused)
    elif form.validate():
        given = getattr(form, "requisition_id", None)
        params: dict[str, Any] = {
            "actor": actor,
            "municipality_id": municipality_id,
            "period": chosen,
            "now": runtime.now(),
        }
        if action is not Action.SUBMIT:
            params["requisition_id"] = given.data if given is not None else None
        if action is Action.RETURN:
            params["reason"] = form.reason.data
        if action is Action.MARK_PAID:
            params["paid_on"] = form.paid_on.data
        use_case = USE_CASES[action]
        if attempt(form, lambda session: use_case(session, **params)).ok:
            flash(locales.gettext(DONE[action]), "success")
            return redirect(url_for("requisitions.basis", code=code, period=chosen.key))
    return _page(code, raw_period, (action, form), 400)


@blueprint.post("/rekvisitioner/<code>/<period>/skicka-in")
@permitted(rules.can_see_any)
def submit(code: str, period: str) -> Any:
    return _act(code, period, Action.SUBMIT)


@blueprint.post("/rekvisitioner/<code>/<period>/attestera")
@permitted(rules.can_see_any)
def attest(code: str, period: str) -> Any:
    return _act(code, period, Action.ATTEST)


@blueprint.post("/rekvisitioner/<code>/<period>/returnera")
@permitted(rules.can_see_any)
def send_back(code: str, period: str) -> Any:
    return _act(code, period, Action.RETURN)


@blueprint.post("/rekvisitioner/<code>/<period>/betald")
@permitted(rules.can_see_any)
def paid(code: str, period: str) -> Any:
    return _act(code, period, Action.MARK_PAID)


def _file_name(found: Basis, extension: str) -> str:
    return f"rekvisitionsunderlag-{found.header.municipality_code}-{found.period.key}.{extension}"


def _download(content: bytes, mimetype: str, name: str) -> Response:
    return Response(
        content,
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@blueprint.get("/rekvisitioner/<code>/<period>/underlag.xlsx")
@permitted(rules.can_see_any)
def basis_xlsx(code: str, period: str) -> Any:
    with runtime.transaction(read_only=True) as session:
        found = _basis(session, code, period)
    return _download(to_xlsx([basis_sheet(found)]), XLSX, _file_name(found, "xlsx"))


@blueprint.get("/rekvisitioner/<code>/<period>/underlag.csv")
@permitted(rules.can_see_any)
def basis_csv(code: str, period: str) -> Any:
    with runtime.transaction(read_only=True) as session:
        found = _basis(session, code, period)
    content = to_csv(basis_sheet(found)).encode("utf-8")
    return _download(content, "text/csv; charset=utf-8", _file_name(found, "csv"))


def _accruals(form: AccrualDateForm) -> tuple[date, list[rules.Accrual]]:
    on = form.datum.data if not form.datum.errors and form.datum.data else runtime.today()
    with runtime.transaction(read_only=True) as session:
        found = requisition_lists.accruals(
            session, actor=runtime.actor(), on=on, today=runtime.today()
        )
    return on, found


@blueprint.get("/upplupna-kostnader")
@permitted(rules.can_see_accruals)
def accruals() -> Any:
    form = AccrualDateForm(formdata=request.args)
    form.validate()
    on, found = _accruals(form)
    if not form.datum.errors and not form.datum.data:
        form.datum.data = on  # today, shown in the field the result speaks of
    pages = max(1, -(-len(found) // ACCRUALS_PER_PAGE))
    raw = request.args.get("sida", "1")
    page = min(int(raw) if raw.isdigit() and int(raw) > 0 else 1, pages)
    return render_template(
        "requisitions/accruals.html",
        form=form,
        failed=form if form.datum.errors else None,
        on=on,
        accruals=found[(page - 1) * ACCRUALS_PER_PAGE : page * ACCRUALS_PER_PAGE],
        count=len(found),
        total=rules.accrual_total(found),
        page=page,
        pages=pages,
        state_labels=rules.REQUISITION_STATE_LABELS,
    )


@blueprint.get("/upplupna-kostnader.xlsx")
@permitted(rules.can_see_accruals)
def accruals_xlsx() -> Any:
    form = AccrualDateForm(formdata=request.args)
    form.validate()
    on, found = _accruals(form)
    return _download(to_xlsx([accruals_sheet(found, on)]), XLSX, f"upplupna-kostnader-{on}.xlsx")
