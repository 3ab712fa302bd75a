"""Webhooks (issue 26): which events a subscriber may follow, what a delivery carries, and
what a subscriber's address may be. Pure: services.webhooks keeps the subscriptions, the
outbox delivers.

A delivery carries codes, states, dates and the municipality only, as chat does: the
receiver fetches whatever else it may see through the API with its token."""

from __future__ import annotations

import base64
import ipaddress
import secrets
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any
from urllib.parse import urlsplit

from domain.errors import RuleViolation
from domain.events import EventKind
from domain.text import N_

# What a case system follows of a referral. Their payload is built from the event log's
# codes, dates and statuses only.
WEBHOOK_EVENTS = (
    EventKind.REQUESTED,
    EventKind.ACCEPTED,
    EventKind.DECLINED,
    EventKind.WITHDRAWN,
    EventKind.STARTED,
    EventKind.ASSESSMENT_PLAN,
    EventKind.WORKPLACE_TRAINING,
    EventKind.EXTENDED,
    EventKind.ENDED,
    EventKind.FINAL_REPORT,
    EventKind.ALTERNATIVE_PLAN,
)
EVENT_LABELS = {
    EventKind.REQUESTED: N_("A municipality is asked"),
    EventKind.ACCEPTED: N_("The municipality accepts"),
    EventKind.DECLINED: N_("The municipality declines"),
    EventKind.WITHDRAWN: N_("The referral is withdrawn"),
    EventKind.STARTED: N_("The tripartite meeting is held (the placement starts)"),
    EventKind.ASSESSMENT_PLAN: N_("Assessment and plan are done"),
    EventKind.WORKPLACE_TRAINING: N_("Workplace training starts"),
    EventKind.EXTENDED: N_("The placement is extended"),
    EventKind.ENDED: N_("The placement ends"),
    EventKind.FINAL_REPORT: N_("The final report is written"),
    EventKind.ALTERNATIVE_PLAN: N_("Försäkringskassan records the alternative plan"),
}
MAX_URL = 500
SECRET_PREFIX = "whsec_"
# The keys a payload's data may have: nothing else can reach a receiver.
PAYLOAD_KEYS = frozenset(
    {"reference_code", "status", "municipality", "municipality_code", "event_id", "date"}
)


def new_secret() -> str:
    """A Standard Webhooks secret: `whsec_` and 32 random bytes in base64."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def checked_url(url: str | None) -> str:
    url = (url or "").strip()
    parts = urlsplit(url)
    if (
        len(url) > MAX_URL
        or parts.scheme not in ("http", "https")
        or not parts.hostname
        or parts.username
        or parts.password
        or any(ord(c) < 0x21 for c in url)
    ):
        raise RuleViolation(
            N_(
                "Enter the receiver's address, starting with https:// (at most %(limit)s "
                "characters, no user name or password in it)."
            ),
            field="url",
            limit=MAX_URL,
        )
    return url


def checked_events(chosen: list[str] | None) -> list[str]:
    wanted = {c for c in (chosen or [])}
    known = {k.value for k in WEBHOOK_EVENTS}
    if not wanted or not wanted <= known:
        raise RuleViolation(N_("Choose at least one kind of event."), field="events")
    return [k.value for k in WEBHOOK_EVENTS if k.value in wanted]


def payload(
    *,
    kind: EventKind,
    event_id: int,
    at: datetime,
    reference_code: str,
    status: str,
    municipality: str | None,
    municipality_code: str | None,
    on: date | None = None,
) -> dict[str, Any]:
    """The body of one delivery, in the Standard Webhooks shape (type, timestamp, data)."""
    data: dict[str, Any] = {
        "event_id": event_id,
        "reference_code": reference_code,
        "status": status,
        "municipality": municipality,
        "municipality_code": municipality_code,
    }
    if on is not None:
        data["date"] = on.isoformat()
    assert set(data) <= PAYLOAD_KEYS  # never anything else
    return {"type": f"referral.{kind.value}", "timestamp": at.isoformat(), "data": data}


Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def internal_networks(setting: str) -> tuple[Network, ...]:
    """The internal networks receivers may be in (MM_WEBHOOK_NETWORKS: CIDRs, commas
    between). A part that is no network allows nothing: a delivery it was meant for is
    refused, and /leveranser names the setting."""
    found: list[Network] = []
    for part in setting.split(","):
        try:
            found.append(ipaddress.ip_network(part.strip(), strict=False))
        except ValueError:
            continue
    return tuple(found)


def may_receive(address: Address, allowed: Iterable[Network]) -> bool:
    """Whether a webhook may be POSTed to `address`: a public address, or one in a network
    the operator allowed. Loopback, private, link-local (the cloud's metadata service) and
    other special addresses are refused by default: a receiver's address is typed by a
    person, and the site must not become a way to reach the machines behind it."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if any(address in network for network in allowed):
        return True
    return address.is_global and not address.is_multicast
