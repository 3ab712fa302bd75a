"""The Finsam page (/uppfoljning/finsam) in the national screens' order: the association's
figures (which the association or the coordinator enters per year), the insats's attributes
and budget and utfall, the participants by gender; what changed since the last report; the
XLSX; and the coordinator's "report" action, which stores a snapshot of every field."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

import locales
from domain.access import can_coordinate, can_enter_finsam_figures, can_see_budget
from domain.choices import Role
from domain.finsam import (
    ASSOCIATION_FIELDS,
    FINSAM_FIELD_LABELS,
    GENDER_LABELS,
    INSATS_FIELDS,
    AssociationFigures,
    Gender,
)
from reports.finsam import field_cell, field_rows, finsam_sheet
from reports.sheets import to_xlsx
from services import finsam as finsam_shape
from services import finsam_follow_up
from services.program_setup import current_program
from web import runtime
from web.auth import permitted
from web.forms.base import Form
from web.forms.fields import options
from web.forms.follow_up import AssociationFiguresForm, FinsamForm
from web.views import attempt
from web.views.follow_up import _download

# Its own blueprint under the follow-up's prefix (web.views.follow_up holds the other reports).
blueprint = Blueprint("finsam", __name__, url_prefix="/uppfoljning")


def _finsam_choice(form: FinsamForm, years: list[int]) -> tuple[int, int | None]:
    today = runtime.today()
    year = form.ar.data if form.ar.data in years else min(max(today.year, years[0]), years[-1])
    half = form.halvar.data if form.halvar.data in (1, 2) else None
    return year, half


def _shown(rows: list[Sequence[Any]]) -> list[list[Any]]:
    return [[label, locales.format_value(value)] for label, value in rows]


def _association_form(found: Any, failed: AssociationFiguresForm | None) -> Any:
    if failed is not None:
        return failed
    form = AssociationFiguresForm(formdata=None)
    form.ar.data = found.year
    if found.association is not None and found.reported_at is None:
        a = found.association
        form.allocated.data, form.equity.data = a.allocated, a.equity
        form.administration_budget.data = a.administration_budget
        form.administration_utfall.data = a.administration_utfall
    return form


def _finsam_page(
    status: int = 200,
    failed: Form | None = None,
    figures_form: AssociationFiguresForm | None = None,
) -> Any:
    form = FinsamForm(formdata=request.args)
    with runtime.transaction(read_only=True) as session:
        program = current_program(session)
        years = [y.year for y in program.years]
        form.ar.choices = options((y, str(y)) for y in years)
        form.halvar.choices = options(
            [
                ("", locales.gettext("The whole year")),
                (1, locales.gettext("First half-year")),
                (2, locales.gettext("Second half-year")),
            ]
        )
        form.validate()
        year, half = _finsam_choice(form, years)
        found = finsam_follow_up.finsam(
            session, actor=runtime.actor(), year=year, half=half, today=runtime.today()
        )
        previous, changed = finsam_shape.changes_since_previous(session, found)
    if request.args.get("format") == "xlsx":
        return _download(to_xlsx([finsam_sheet(found)]), f"finsam-{year}-{half or 'helar'}.xlsx")
    form.ar.data, form.halvar.data = year, half
    role = runtime.actor().role
    return (
        render_template(
            "follow_up/finsam.html",
            form=form,
            failed=failed or figures_form,
            figures=found,
            association_rows=_shown(field_rows(found, ASSOCIATION_FIELDS)),
            insats_rows=_shown(field_rows(found, INSATS_FIELDS)),
            previous=previous,
            changed=[
                [
                    locales.gettext(FINSAM_FIELD_LABELS[k]),
                    locales.format_value(field_cell(k, old)),
                    locales.format_value(field_cell(k, new)),
                ]
                for k, old, new in changed
            ],
            genders=[Gender.WOMEN, Gender.MEN, Gender.UNKNOWN],
            gender_labels=GENDER_LABELS,
            may_enter=role in {Role.COORDINATOR, Role.ASSOCIATION} and found.reported_at is None,
            figures_form=_association_form(found, figures_form),
            may_report=role is Role.COORDINATOR
            and found.reported_at is None
            and found.last < runtime.today(),
            # Said on the page, so that nobody looks for a button that is not there yet.
            report_opens=found.last + timedelta(days=1) if found.last >= runtime.today() else None,
        ),
        status,
    )


@blueprint.get("/finsam")
@permitted(can_see_budget)
def finsam() -> Any:
    return _finsam_page()


@blueprint.post("/finsam/rapportera")
@permitted(can_coordinate)
def report_finsam() -> Any:
    form = FinsamForm()
    form.ar.choices = options((y, str(y)) for y in range(2000, 2100))
    form.halvar.choices = options([("", ""), (1, "1"), (2, "2")])
    form.validate()
    year, half = form.ar.data, form.halvar.data if form.halvar.data in (1, 2) else None
    if year is None:
        abort(400)
    if attempt(
        form,
        lambda session: finsam_follow_up.report_finsam(
            session, actor=runtime.actor(), year=year, half=half, now=runtime.now()
        ),
    ).ok:
        flash(locales.gettext("The Finsam figures are stored as reported."), "success")
        return redirect(url_for("finsam.finsam", ar=year, halvar=half or ""))
    return _finsam_page(400, form)


@blueprint.post("/finsam/forbundet")
@permitted(can_enter_finsam_figures)
def association_figures() -> Any:
    form = AssociationFiguresForm()
    if form.validate():
        year = form.ar.data

        def enter(session: Any) -> None:
            finsam_shape.check_year(current_program(session), year)
            finsam_shape.enter_association_figures(
                session,
                actor=runtime.actor(),
                figures=AssociationFigures(
                    year,
                    form.allocated.data,
                    form.equity.data,
                    form.administration_budget.data,
                    form.administration_utfall.data,
                ),
                now=runtime.now(),
            )

        if attempt(form, enter).ok:
            flash(
                locales.gettext(
                    "The association's figures for %(year)s are saved.", year=str(year)
                ),
                "success",
            )
            return redirect(url_for("finsam.finsam", ar=year))
    return _finsam_page(400, figures_form=form)
