"""Messages about one request: the card in the municipality's channel, and the investigator's
direct message after the answer.

Only the reference code, municipalities, dates, the fixed decline reason and Slack mentions
of staff go in; never the participant's personal data, never the free-text comment, never a
name typed into the web site, and not the benefit type either: sjukpenning or
aktivitetsersättning is social-insurance information about the person behind the code (it
stays on the web site).
"""

from __future__ import annotations

from datetime import date

from domain.choices import LABELS, DeclineReason
from domain.lifecycle import RequestAnswer
from locales import format_datetime
from locales import gettext as _
from notices.message import (
    Message,
    actions,
    button,
    context,
    escape,
    fields,
    header,
    link,
    mention,
    section,
)
from notices.site import Site
from storage.models import PlacementRequest

ACCEPT_ACTION = "request_accept"
DECLINE_ACTION = "request_decline"


def _meeting_on(request: PlacementRequest) -> date | None:
    placement = request.referral.placement
    return placement.meeting_on if placement else None


def _facts(request: PlacementRequest) -> list[tuple[str, str]]:
    referral = request.referral
    preferred = referral.preferred_municipality
    return [
        (_("Reference code"), referral.reference_code),
        (_("Preferred municipality"), escape(preferred.name) if preferred else _("None given")),
        (_("Request sent"), format_datetime(request.asked_at)),
    ]


def _web_link(request: PlacementRequest, settings: Site) -> str:
    return link(
        settings.referral_url(request.referral.reference_code),
        _("Open the referral on the web site"),
    )


def answer_line(request: PlacementRequest) -> str:
    """Who answered and how, as one sentence (mrkdwn)."""
    by = request.answered_by
    who = by.slack_user_id if by is not None else None
    municipality = escape(request.municipality.name)
    when = request.answered_at
    if request.answer is RequestAnswer.WITHDRAWN:
        return _("Withdrawn by Försäkringskassan on %(when)s.", when=when)
    if request.answer is RequestAnswer.ACCEPTED:
        placement = request.referral.placement
        meeting_on = placement.meeting_on if placement else None
        if who:
            return _(
                "Accepted by %(user)s on %(when)s. Tripartite meeting: %(date)s.",
                user=mention(who),
                when=when,
                date=meeting_on,
            )
        return _(
            "Accepted by %(municipality)s on the web site on %(when)s. "
            "Tripartite meeting: %(date)s.",
            municipality=municipality,
            when=when,
            date=meeting_on,
        )
    reason = _(LABELS[request.decline_reason or DeclineReason.OTHER])
    if who:
        return _(
            "Declined by %(user)s on %(when)s. Reason: %(reason)s.",
            user=mention(who),
            when=when,
            reason=reason,
        )
    return _(
        "Declined by %(municipality)s on the web site on %(when)s. Reason: %(reason)s.",
        municipality=municipality,
        when=when,
        reason=reason,
    )


def request_card(request: PlacementRequest, settings: Site) -> Message:
    """The message in the municipality's channel: buttons while open, the answer after."""
    code = request.referral.reference_code
    municipality = request.municipality.name
    parts = [
        header(_("Request to %(municipality)s: %(code)s", municipality=municipality, code=code)),
        *fields(_facts(request)),
        section(_web_link(request, settings)),
    ]
    if request.answered_at is None:
        parts += [
            section(_("Can you take this participant? Answer here or on the web site.")),
            actions(
                button(
                    _("Accept"),
                    ACCEPT_ACTION,
                    str(request.id),
                    style="primary",
                    url=settings.referral_url(code) + "#acceptera",
                ),
                button(
                    _("Decline"),
                    DECLINE_ACTION,
                    str(request.id),
                    style="danger",
                    url=settings.referral_url(code) + "#avboj",
                ),
                block_id=f"request:{request.id}",
            ),
        ]
        text = _("New request to %(municipality)s: %(code)s", municipality=municipality, code=code)
        return Message(parts=parts, text=text)
    line = answer_line(request)
    parts.append(section(line))
    return Message(parts=parts, text=_("%(code)s: %(answer)s", code=code, answer=line))


def answer_message(request: PlacementRequest, settings: Site) -> Message:
    """The investigator's direct message: the municipality's answer to their request."""
    code = request.referral.reference_code
    municipality = escape(request.municipality.name)
    if request.answer is RequestAnswer.ACCEPTED:
        line = _(
            "%(municipality)s has accepted the request for %(code)s. Tripartite meeting: %(date)s.",
            municipality=municipality,
            code=code,
            date=_meeting_on(request),
        )
    else:
        line = _(
            "%(municipality)s has declined the request for %(code)s (%(reason)s). "
            "You can ask another municipality on the web site.",
            municipality=municipality,
            code=code,
            reason=_(LABELS[request.decline_reason or DeclineReason.OTHER]),
        )
    return Message(parts=[section(line), context(_web_link(request, settings))], text=line)
