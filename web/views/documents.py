"""The individual plan and the final documentation on the web: read by those who may see the
participant (audited), written by the municipality running the placement, part by part as
FK's template in the program settings says."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask import session as flask_session
from wtforms import TextAreaField

import locales
from domain.documentation import DOCUMENT_LABELS, MAX_SECTION, DocumentKind, TemplateSection
from domain.errors import RuleViolation
from services import documents
from services.casework import actions_for
from services.program_setup import current_program
from services.referrals import get_referral
from web import runtime
from web.auth import logged_in
from web.forms.base import OnceForm
from web.forms.fields import MaxLength
from web.views import once
from web.views.detail import REASONS

blueprint = Blueprint("documents", __name__, url_prefix="/anmalningar/<code>/dokument")
KINDS = {"plan": DocumentKind.PLAN, "slutdokumentation": DocumentKind.FINAL_REPORT}


def _kind(name: str) -> DocumentKind:
    if name not in KINDS:
        abort(404)
    return KINDS[name]


def document_form(sections: tuple[TemplateSection, ...], *, posted: bool) -> OnceForm:
    """A form with one text area per part of the template (fields named part_<key>)."""

    class DocumentForm(OnceForm):
        pass

    for section in sections:
        setattr(
            DocumentForm,
            f"part_{section.key}",
            TextAreaField(locales.gettext(section.heading), validators=[MaxLength(MAX_SECTION)]),
        )
    return DocumentForm() if posted else DocumentForm(formdata=None)


def _page(code: str, name: str, form: OnceForm | None, status: int) -> Any:
    kind = _kind(name)
    actor = runtime.actor()
    # Read only; the reading of the document is logged apart.
    with runtime.transaction(read_only=True) as session:
        referral = get_referral(session, actor=actor, reference_code=code)
        program = current_program(session)
        sections = program.documentation.sections(kind)
        content = documents.read_document(
            session,
            actor=actor,
            referral=referral,
            kind=kind,
            now=runtime.now(),
            address=request.remote_addr or "",
            reason=(flask_session.get(REASONS) or {}).get(referral.reference_code),
            asking_reasons=current_app.config["MM_ASK_REASON"],
            apart=runtime.sessions(),
        )
        if content is None:  # the coordinator gives a reason on the referral's page first
            return redirect(url_for("referrals.detail", code=referral.reference_code))
        writable = documents.WRITES[kind] in actions_for(
            actor, referral, today=runtime.today(), program=program
        )
        if writable and form is None:
            form = document_form(sections, posted=False)
            for section in sections:
                getattr(form, f"part_{section.key}").data = content.get(section.key, "")
        html = render_template(
            "referrals/document.html",
            code=referral.reference_code,
            heading=locales.gettext(DOCUMENT_LABELS[kind]),
            sections=sections,
            content=content,
            form=form if writable else None,
            failed=form if status != 200 else None,
            title=locales.gettext(DOCUMENT_LABELS[kind]),
        )
    return html, status


@blueprint.get("/<name>")
@logged_in
def page(code: str, name: str) -> Any:
    return _page(code, name, None, 200)


@blueprint.post("/<name>")
@logged_in
def save(code: str, name: str) -> Any:
    kind = _kind(name)
    with runtime.transaction() as session:
        sections = current_program(session).documentation.sections(kind)
    form = document_form(sections, posted=True)
    if form.validate():

        def run(session: Any) -> str:
            referral = get_referral(session, actor=runtime.actor(), reference_code=code)
            try:
                documents.write_document(
                    session,
                    actor=runtime.actor(),
                    referral=referral,
                    kind=kind,
                    content={s.key: getattr(form, f"part_{s.key}").data for s in sections},
                    now=runtime.now(),
                )
            except RuleViolation as error:  # the rules name the parts by their keys
                if error.field is not None:
                    error.field = f"part_{error.field}"
                raise
            return kind.value

        if once(form, run).ok:
            flash(locales.gettext("The document is saved."), "success")
            return redirect(url_for("documents.page", code=code.strip().upper(), name=name))
    return _page(code, name, form, 400)
