"""/registerutdrag: a register extract (GDPR art. 15) for one personnummer, made by the
coordinator or the log reviewer: a printable page, or the same as a file (JSON). The
personnummer travels in a POST body only, never in an address."""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, Response, render_template, request
from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, StringField

import locales
from domain.audit import SEEN_LABELS
from domain.choices import LABELS, Role
from domain.errors import RuleViolation
from domain.lifecycle import STATUS_LABELS
from domain.personal_identity import display_personal_identity_number
from domain.text import N_
from services.register_extract import Extract, make_extract
from web import runtime
from web.auth import roles
from web.forms.base import Form
from web.forms.fields import MaxLength, Required

blueprint = Blueprint("register_extract", __name__, url_prefix="/registerutdrag")
extract_makers = roles(Role.COORDINATOR, Role.LOG_REVIEWER)


class ExtractForm(Form):
    personal_identity_number = StringField(
        _l("Personal identity number"),
        validators=[
            Required(N_("Enter the personal identity number of the person who asks.")),
            MaxLength(20),
        ],
    )
    format = HiddenField()


@blueprint.get("")
@extract_makers
def form() -> Any:
    return render_template("register_extract/form.html", form=ExtractForm(formdata=None))


@blueprint.post("")
@extract_makers
def make() -> Any:
    form = ExtractForm()
    if form.validate():
        try:
            with runtime.transaction() as db:
                extract = make_extract(
                    db,
                    actor=runtime.actor(),
                    personal_identity_number=form.personal_identity_number.data,
                    now=runtime.now(),
                    address=request.remote_addr or "",
                )
                if form.format.data == "json":
                    return _file(extract)
                return render_template("register_extract/extract.html", extract=extract)
        except RuleViolation as error:
            form.add_domain_error(error)
    return render_template("register_extract/form.html", form=form), 400


def _label(choice: Any) -> str | None:
    return locales.gettext(LABELS[choice]) if choice is not None else None


def _file(extract: Extract) -> Response:
    g = locales.gettext
    document = {
        "registerutdrag": {
            "personnummer": display_personal_identity_number(extract.personal_identity_number),
            "framstallt": extract.made_at.isoformat(),
            "personuppgiftsbehandling": extract.program.privacy_notice,
            "personuppgiftsansvariga": extract.program.controllers,
            "andamal": extract.program.purposes,
            "rattslig_grund": extract.program.legal_bases,
            "mottagare": extract.program.recipients,
            "lagringstid_manader": {
                "efter_avslut": extract.program.retention_months,
                "utan_plats": extract.program.retention_months_not_started,
            },
            "rattigheter_och_klagomal": extract.program.complaints,
            "anmalningar": [
                {
                    "referenskod": h.referral.reference_code,
                    "status": g(STATUS_LABELS[h.referral.status]),
                    "personuppgifter": {
                        "namn": h.participant.name,
                        "skyddade_personuppgifter": h.participant.protected_identity,
                        "personnummer": display_personal_identity_number(
                            h.participant.personal_identity_number
                        ),
                        "telefon": h.participant.phone,
                        "behov": h.participant.needs,
                    },
                    "ersattning": _label(h.referral.benefit_type),
                    "samtycke_lamnat": h.referral.consent_on.isoformat()
                    if h.referral.consent_on
                    else None,
                    "samtycke_aterkallat": h.referral.consent_withdrawn_on.isoformat()
                    if h.referral.consent_withdrawn_on
                    else None,
                    "forfragningar": [
                        {
                            "kommun": r.municipality.name,
                            "fragad": r.asked_at.isoformat(),
                            "besvarad": r.answered_at.isoformat() if r.answered_at else None,
                            "svar": r.answer.value if r.answer else None,
                            "skal": _label(r.decline_reason),
                            "kommentar": r.decline_comment,
                        }
                        for r in h.referral.requests
                    ],
                    "historik": [
                        {"tid": at.isoformat(), "handelse": locales.render(text)}  # type: ignore[arg-type]
                        for at, text in h.history
                    ],
                    "visningar": [
                        {
                            "tid": v.at.isoformat(),
                            "vem": v.who,
                            "roll": _label(v.role),
                            "kommun": v.municipality,
                            "vad": g(SEEN_LABELS[v.seen]),
                            "skal": v.reason,
                        }
                        for v in h.viewings
                    ],
                }
                for h in extract.referrals
            ],
        }
    }
    name = f"registerutdrag-{extract.made_at.date().isoformat()}.json"
    return Response(
        json.dumps(document, ensure_ascii=False, indent=2),
        mimetype="application/json",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
