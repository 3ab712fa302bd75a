"""The status history of a referral as sentences: one Text per event in the log.

Codes, dates, municipalities and choices only, like the log itself: safe for every viewer
who may see the referral, and for chat.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

from domain.choices import LABELS, DeclineReason, Outcome
from domain.corrections import DATE_LABELS, REASON_LABELS, CorrectionReason, RecordedDate
from domain.documentation import DocumentKind
from domain.events import EventKind, LoggedEvent
from domain.meetings import MeetingKind
from domain.participants import DETAIL_LABELS
from domain.text import N_, Text

K = EventKind
MESSAGES = {
    K.CREATED: N_("The referral was created."),
    K.SUBMITTED: N_("The referral was submitted."),
    K.REQUESTED: N_("%(municipality)s was asked to take the participant."),
    K.ACCEPTED: N_("%(municipality)s accepted; the tripartite meeting is booked for %(date)s."),
    K.DECLINED: N_("%(municipality)s declined: %(reason)s."),
    K.WITHDRAWN: N_("The referral was withdrawn."),
    K.STARTED: N_("The tripartite meeting was held on %(date)s; the placement runs until %(end)s."),
    K.ASSESSMENT_PLAN: N_("Assessment and individual plan done on %(date)s."),
    K.WORKPLACE_TRAINING: N_("Workplace training started on %(date)s."),
    K.EXTENDED: N_("The placement was extended from %(previous)s to %(date)s."),
    K.ENDED: N_("The placement ended on %(date)s: %(outcome)s."),
    K.FINAL_REPORT: N_("The final report was received on %(date)s."),
    K.ALTERNATIVE_PLAN: N_("Försäkringskassan made an alternative plan on %(date)s."),
    K.PARTICIPANT_CORRECTED: N_("The participant's details were corrected: %(fields)s."),
    K.MEETING_BOOKED: N_("A follow-up meeting was booked for %(date)s."),
    K.DOCUMENT_WRITTEN: N_("The %(document)s was written or updated."),
    K.MEETING_MOVED: N_("The %(meeting)s on %(previous)s was moved to %(date)s."),
    K.MEETING_HELD: N_("The follow-up meeting of %(previous)s was held on %(date)s."),
    K.DATE_CORRECTED: N_(
        "%(what)s was corrected from %(previous)s to %(date)s. Reason: %(reason)s."
    ),
    K.CONSENT_WITHDRAWN: N_("The participant withdrew consent on %(date)s."),
    K.PERSONAL_DATA_PURGED: N_("The participant's personal data was purged (gallrad)."),
}
CHANGED = N_("The referral was changed.")
DOCUMENT_NOUNS = {
    DocumentKind.PLAN: N_("individual plan"),
    DocumentKind.FINAL_REPORT: N_("final documentation"),
}
# The meeting as the object of a sentence ("The … was moved").
MEETING_NOUNS = {
    MeetingKind.TRIPARTITE: N_("tripartite meeting"),
    MeetingKind.FOLLOW_UP: N_("follow-up meeting"),
}
ACCEPTED_OVER_CAPACITY = N_(
    "%(municipality)s accepted over its capacity; the tripartite meeting is booked for %(date)s."
)


def _day(value: Any) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) else None


# Which detail fills which placeholder, per kind of event.
def _no_params(_details: Mapping[str, Any]) -> dict[str, Any]:
    return {}


_PARAMS: dict[EventKind, Callable[[Mapping[str, Any]], dict[str, Any]]] = {
    K.ACCEPTED: lambda d: {"date": _day(d.get("meeting_on"))},
    K.DECLINED: lambda d: {"reason": Text(LABELS[DeclineReason(d["reason"])])},
    K.STARTED: lambda d: {"date": _day(d.get("started_on")), "end": _day(d.get("planned_end_on"))},
    K.ASSESSMENT_PLAN: lambda d: {"date": _day(d.get("done_on"))},
    K.WORKPLACE_TRAINING: lambda d: {"date": _day(d.get("started_on"))},
    K.EXTENDED: lambda d: {
        "previous": _day(d.get("previous_end_on")),
        "date": _day(d.get("new_end_on")),
    },
    K.ENDED: lambda d: {
        "date": _day(d.get("ended_on")),
        "outcome": Text(LABELS[Outcome(d["outcome"])]),
    },
    K.FINAL_REPORT: lambda d: {"date": _day(d.get("received_on"))},
    K.ALTERNATIVE_PLAN: lambda d: {"date": _day(d.get("planned_on"))},
    K.PARTICIPANT_CORRECTED: lambda d: {
        "fields": [Text(DETAIL_LABELS[f]) for f in d.get("fields", []) if f in DETAIL_LABELS]
    },
    K.MEETING_BOOKED: lambda d: {"date": _day(d.get("on"))},
    K.DOCUMENT_WRITTEN: lambda d: {"document": Text(DOCUMENT_NOUNS[DocumentKind(d["document"])])},
    K.MEETING_MOVED: lambda d: {
        "meeting": Text(MEETING_NOUNS[MeetingKind(d["meeting_kind"])]),
        "previous": _day(d.get("previous")),
        "date": _day(d.get("on")),
    },
    K.MEETING_HELD: lambda d: {"previous": _day(d.get("on")), "date": _day(d.get("held_on"))},
    K.DATE_CORRECTED: lambda d: {
        "what": Text(DATE_LABELS[RecordedDate(d["field"])]),
        "previous": _day(d.get("previous")),
        "date": _day(d.get("corrected")),
        "reason": Text(REASON_LABELS[CorrectionReason(d["reason"])]),
    },
    K.CONSENT_WITHDRAWN: lambda d: {"date": _day(d.get("withdrawn_on"))},
}


def describe(event: LoggedEvent, municipality_names: Mapping[int, str]) -> Text:
    """The sentence for one event; nested Texts (labels) are translated by the adapter."""
    msgid = MESSAGES.get(event.kind)
    if event.kind is K.ACCEPTED and (event.details or {}).get("over_capacity"):
        msgid = ACCEPTED_OVER_CAPACITY
    if msgid is None:
        return Text(CHANGED)
    params = _PARAMS.get(event.kind, _no_params)(event.details or {})
    if "%(municipality)s" in msgid:
        where = event.municipality_id
        params["municipality"] = municipality_names.get(where, "–") if where is not None else "–"
    return Text(msgid, params)
