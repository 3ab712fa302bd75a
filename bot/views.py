"""The modals behind the Acceptera and Avböj buttons, and reading what was filled in.

Block ids are the domain's field names (`meeting_on`, `reason`, `comment`), so that a
DomainError's `field` names the input its message belongs under.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from bot.inbound import record_id
from domain.choices import LABELS, DeclineReason
from locales import gettext as _
from notices.request_cards import answer_line
from storage.models import PlacementRequest
from transports.slack.blocks import MAX_MODAL_TITLE, MAX_OPTION_TEXT, escape, plain, section

ACCEPT_VIEW = "accept_request"
DECLINE_VIEW = "decline_request"
VALUE = "value"  # the action id of every input's element
MAX_COMMENT = 3000  # Slack's limit for a text input

View = dict[str, Any]
# What a modal may be given back with views.update (not its id, state or hash).
MODAL_KEYS = ("type", "callback_id", "title", "submit", "close", "private_metadata")


def _modal(
    callback_id: str, title: str, submit: str | None, blocks: list[Any], **meta: Any
) -> View:
    view: View = {
        "type": "modal",
        "callback_id": callback_id,
        "title": plain(title, MAX_MODAL_TITLE),
        "close": plain(_("Cancel") if submit else _("Close"), MAX_MODAL_TITLE),
        "blocks": blocks,
        "private_metadata": json.dumps(meta),
    }
    if submit:
        view["submit"] = plain(submit, MAX_MODAL_TITLE)
    return view


def _about(request: PlacementRequest) -> str:
    return _(
        "The request for %(code)s to %(municipality)s, sent %(when)s.",
        code=request.referral.reference_code,
        municipality=escape(request.municipality.name),
        when=request.asked_at,
    )


def accept_modal(request: PlacementRequest) -> View:
    date_input = {
        "type": "input",
        "block_id": "meeting_on",
        "label": plain(_("Date of the tripartite meeting"), 2000),
        "element": {
            "type": "datepicker",
            "action_id": VALUE,
            "placeholder": plain(_("Choose a date"), 150),
        },
        "hint": plain(_("Compensation starts when the meeting has been held."), 2000),
    }
    return _modal(
        ACCEPT_VIEW,
        _("Accept request"),
        _("Accept"),
        [section(_about(request)), date_input],
        request_id=request.id,
    )


def decline_modal(request: PlacementRequest) -> View:
    options = [
        {"text": plain(_(LABELS[reason]), MAX_OPTION_TEXT), "value": reason.value}
        for reason in DeclineReason
    ]
    reason_input = {
        "type": "input",
        "block_id": "reason",
        "label": plain(_("Reason"), 2000),
        "element": {
            "type": "static_select",
            "action_id": VALUE,
            "placeholder": plain(_("Choose a reason"), 150),
            "options": options,
        },
    }
    comment_input = {
        "type": "input",
        "block_id": "comment",
        "optional": True,
        "label": plain(_("Comment"), 2000),
        "element": {
            "type": "plain_text_input",
            "action_id": VALUE,
            "multiline": True,
            "max_length": MAX_COMMENT,
        },
        "hint": plain(
            _("The comment is shown on the web site only, never in chat. Needed for Other reason."),
            2000,
        ),
    }
    return _modal(
        DECLINE_VIEW,
        _("Decline request"),
        _("Decline"),
        [section(_about(request)), reason_input, comment_input],
        request_id=request.id,
    )


def answered_modal(request: PlacementRequest) -> View:
    """For the one who clicked second: who answered first, and how."""
    return _modal(
        ACCEPT_VIEW + "_done",
        _("Already answered"),
        None,
        [
            section(_("This request has already been answered.")),
            section(answer_line(request)),
        ],
    )


def saving_modal() -> View:
    """Shown while a slow database keeps the answer from being saved within 3 seconds."""
    return _modal(
        ACCEPT_VIEW + "_saving",
        _("Saving"),
        None,
        [section(_("Saving your answer… This window shows the result in a moment."))],
    )


def saved_modal() -> View:
    return _modal(ACCEPT_VIEW + "_saved", _("Saved"), None, [section(_("Your answer is saved."))])


def with_problem(view: View, text: str) -> View:
    """The submitted modal again, with what stopped the answer above its inputs (after a
    slow save the errors can no longer be put under the inputs themselves)."""
    problem = section(f":warning: {text}")
    shown: View = {key: view[key] for key in MODAL_KEYS if key in view}
    shown["blocks"] = [problem, *view.get("blocks", [])][:100]
    return shown


def request_id_of(view: View) -> int | None:
    try:
        metadata = json.loads(view.get("private_metadata") or "{}")
    except (ValueError, TypeError, RecursionError):
        return None
    return record_id(metadata.get("request_id")) if isinstance(metadata, dict) else None


def _state(view: View, block_id: str) -> dict[str, Any]:
    return view.get("state", {}).get("values", {}).get(block_id, {}).get(VALUE, {}) or {}


def chosen_date(view: View, block_id: str) -> date | None:
    try:
        return date.fromisoformat(_state(view, block_id).get("selected_date") or "")
    except ValueError:
        return None


def chosen_option(view: View, block_id: str) -> str | None:
    return (_state(view, block_id).get("selected_option") or {}).get("value")


def typed_text(view: View, block_id: str) -> str:
    return _state(view, block_id).get("value") or ""


def error_block(view: View, field: str | None) -> str:
    """The input a message goes under: the field's own, or the first input of the modal."""
    inputs = [b["block_id"] for b in view.get("blocks", []) if b.get("type") == "input"]
    if field is not None and field in inputs:
        return field
    return str(inputs[0]) if inputs else "meeting_on"
