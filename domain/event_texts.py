"""The status history of a referral as sentences: one Text per event in the log.

Codes, dates, municipalities and choices only, like the log itself: safe for every viewer
who may see the referral, and for chat.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

from domain.choices import LABELS, DeclineReason, Outcome
from domain.text import N_, Text
from storage.models import Event

MESSAGES = {
    "created": N_("The referral was created."),
    "submitted": N_("The referral was submitted."),
    "requested": N_("%(municipality)s was asked to take the participant."),
    "accepted": N_("%(municipality)s accepted; the tripartite meeting is booked for %(date)s."),
    "declined": N_("%(municipality)s declined: %(reason)s."),
    "withdrawn": N_("The referral was withdrawn."),
    "started": N_("The tripartite meeting was held on %(date)s; the placement runs until %(end)s."),
    "assessment_plan": N_("Assessment and individual plan done on %(date)s."),
    "workplace_training": N_("Workplace training started on %(date)s."),
    "extended": N_("The placement was extended from %(previous)s to %(date)s."),
    "ended": N_("The placement ended on %(date)s: %(outcome)s."),
    "final_report": N_("The final report was received on %(date)s."),
    "alternative_plan": N_("Försäkringskassan made an alternative plan on %(date)s."),
}
CHANGED = N_("The referral was changed.")


def _day(value: Any) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) else None


# Which detail fills which placeholder, per kind of event.
_PARAMS: dict[str, Callable[[Mapping[str, Any]], dict[str, Any]]] = {
    "accepted": lambda d: {"date": _day(d.get("meeting_on"))},
    "declined": lambda d: {"reason": Text(LABELS[DeclineReason(d["reason"])])},
    "started": lambda d: {"date": _day(d.get("started_on")), "end": _day(d.get("planned_end_on"))},
    "assessment_plan": lambda d: {"date": _day(d.get("done_on"))},
    "workplace_training": lambda d: {"date": _day(d.get("started_on"))},
    "extended": lambda d: {
        "previous": _day(d.get("previous_end_on")),
        "date": _day(d.get("new_end_on")),
    },
    "ended": lambda d: {
        "date": _day(d.get("ended_on")),
        "outcome": Text(LABELS[Outcome(d["outcome"])]),
    },
    "final_report": lambda d: {"date": _day(d.get("received_on"))},
    "alternative_plan": lambda d: {"date": _day(d.get("planned_on"))},
}


def describe(event: Event, municipality_names: Mapping[int, str]) -> Text:
    """The sentence for one event; nested Texts (labels) are translated by the adapter."""
    msgid = MESSAGES.get(event.kind)
    if msgid is None:
        return Text(CHANGED)
    params = _PARAMS.get(event.kind, lambda _d: {})(event.details or {})
    if "%(municipality)s" in msgid:
        params["municipality"] = municipality_names.get(event.municipality_id, "–")
    return Text(msgid, params)
