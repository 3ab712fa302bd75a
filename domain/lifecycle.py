"""The lifecycle of one referral (anmälan), as a table of allowed transitions.

draft -> submitted -> requested(kommun) -> accepted -> started -> ended(outcome)
                         | declined(reason) -> requested(another kommun) ...
withdrawn from any state before the start.
"""

from __future__ import annotations

from enum import StrEnum

from domain.errors import RuleViolation
from domain.text import N_


class ReferralStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    REQUESTED = "requested"
    DECLINED = "declined"
    ACCEPTED = "accepted"
    STARTED = "started"
    ENDED = "ended"
    WITHDRAWN = "withdrawn"


class RequestAnswer(StrEnum):
    """How a request (förfrågan) was closed: by the municipality's answer, or by FK."""

    ACCEPTED = "accepted"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"


class Transition(StrEnum):
    SUBMIT = "submit"
    REQUEST = "request"
    ACCEPT = "accept"
    DECLINE = "decline"
    WITHDRAW = "withdraw"
    START = "start"
    END = "end"


S = ReferralStatus
_NEXT: dict[tuple[ReferralStatus, Transition], ReferralStatus] = {
    (S.DRAFT, Transition.SUBMIT): S.SUBMITTED,
    (S.SUBMITTED, Transition.REQUEST): S.REQUESTED,
    (S.DECLINED, Transition.REQUEST): S.REQUESTED,
    (S.REQUESTED, Transition.ACCEPT): S.ACCEPTED,
    (S.REQUESTED, Transition.DECLINE): S.DECLINED,
    (S.ACCEPTED, Transition.START): S.STARTED,
    (S.STARTED, Transition.END): S.ENDED,
    **{
        (status, Transition.WITHDRAW): S.WITHDRAWN
        for status in (S.DRAFT, S.SUBMITTED, S.REQUESTED, S.DECLINED, S.ACCEPTED)
    },
}

# Why a transition is refused, one whole sentence per transition.
_REFUSAL = {
    Transition.SUBMIT: N_("Only a draft referral can be submitted."),
    Transition.REQUEST: N_(
        "A municipality can only be asked about a submitted referral, or after a decline."
    ),
    Transition.ACCEPT: N_("This request has already been answered or withdrawn."),
    Transition.DECLINE: N_("This request has already been answered or withdrawn."),
    Transition.WITHDRAW: N_(
        "A referral can only be withdrawn before the tripartite meeting has been held."
    ),
    Transition.START: N_("Only an accepted referral can have its tripartite meeting recorded."),
    Transition.END: N_("Only a started placement can be ended."),
}

STATUS_LABELS = {
    S.DRAFT: N_("Draft"),
    S.SUBMITTED: N_("Submitted"),
    S.REQUESTED: N_("Waiting for an answer"),
    S.DECLINED: N_("Declined"),
    S.ACCEPTED: N_("Accepted"),
    S.STARTED: N_("Started"),
    S.ENDED: N_("Ended"),
    S.WITHDRAWN: N_("Withdrawn"),
}

# A referral in one of these has a placement that the municipality is, or will be, paid for.
ACTIVE_AT_MUNICIPALITY = frozenset({S.ACCEPTED, S.STARTED})

# A referral in one of these is closed; in any other it is open, and a person has at most one
# open referral at a time.
CLOSED = frozenset({S.ENDED, S.WITHDRAWN})


def next_status(current: ReferralStatus, transition: Transition) -> ReferralStatus:
    """The status after `transition`, or a RuleViolation saying why it is not allowed."""
    try:
        return _NEXT[(current, transition)]
    except KeyError:
        raise RuleViolation(_REFUSAL[transition]) from None


def allowed(current: ReferralStatus) -> frozenset[Transition]:
    return frozenset(t for (status, t) in _NEXT if status == current)
