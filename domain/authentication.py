"""Who must prove who they are with more than a password, and how a login attempt is limited.

Roles that may see a participant's personal data always need a second factor (a TOTP code
with a local account; with OpenID Connect a strong `acr` from the identity provider, or the
site's own TOTP code after the provider's login). The association and the administrator need
one when the setting says so (the default).

Failed attempts are counted per account *and* network address: a wrong password typed in one
office never locks the same account out of another, and a whole office behind one address
is never locked out by one person. After a few free tries each further try must wait, and the
wait doubles with every failure.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from contextlib import suppress
from datetime import datetime, timedelta
from enum import Enum
from typing import Any

from domain.choices import Role
from domain.errors import RuleViolation
from domain.personal_identity import normal_form

# Roles that see personal data (domain.access): a second factor whatever the setting says.
# The log reviewer sees personal data in the log and in register extracts.
PERSONAL_DATA_ROLES = frozenset(
    {Role.INVESTIGATOR, Role.MUNICIPALITY_CONTACT, Role.COORDINATOR, Role.LOG_REVIEWER}
)

FREE_FAILURES = 5
FIRST_WAIT = timedelta(minutes=1)
LONGEST_WAIT = timedelta(hours=1)
# A pending login (password given, code not yet) lasts this long.
SECOND_FACTOR_TIME = timedelta(minutes=5)


def needs_second_factor(role: Role, *, required_for_all: bool) -> bool:
    return role in PERSONAL_DATA_ROLES or required_for_all


def wait_after(failures: int) -> timedelta:
    """How long to wait after the last failure before the next try: nothing for the first
    few, then one minute, doubling with each failure, at most an hour."""
    if failures < FREE_FAILURES:
        return timedelta(0)
    doublings = min(failures - FREE_FAILURES, 12)
    factor: int = 2**doublings  # int ** int is typed Any
    return min(FIRST_WAIT * factor, LONGEST_WAIT)


def next_try_at(failures: int, last_failure_at: datetime | None) -> datetime | None:
    """When the next try may be made, or None when it may be made now."""
    if last_failure_at is None:
        return None
    wait = wait_after(failures)
    return last_failure_at + wait if wait else None


class ProviderLogin(Enum):
    """What a login through the identity provider still lacks for the role."""

    ENOUGH = "enough"
    SECOND_FACTOR = "second_factor"  # the site's own code (TOTP) after the provider's login
    TOO_WEAK = "too_weak"  # refused: only the provider's strong login counts


def provider_login_strength(
    role: Role,
    acr: str | None,
    *,
    accepted: frozenset[str],
    required_for_all: bool,
    site_second_factor: bool,
) -> ProviderLogin:
    """Whether a login through the identity provider is strong enough for the role. The roles
    that need a second factor with a password need one here too: an `acr` the provider
    vouches for among the accepted values, or else (when the setting allows it, the default)
    the site's own code after the provider's login. A provider's login is never taken as
    strong just because nothing says otherwise."""
    if not needs_second_factor(role, required_for_all=required_for_all):
        return ProviderLogin.ENOUGH
    if acr is not None and acr in accepted:
        return ProviderLogin.ENOUGH
    return ProviderLogin.SECOND_FACTOR if site_second_factor else ProviderLogin.TOO_WEAK


def merged_claims(
    id_token: Mapping[str, Any], userinfo: Mapping[str, Any]
) -> dict[str, Any] | None:
    """The ID token's claims completed with those from UserInfo, or None when UserInfo speaks
    of another person (its `sub` must equal the ID token's: OpenID Connect Core 5.3.4). The
    ID token's own claims win: they are signed."""
    sub = id_token.get("sub")
    if not isinstance(sub, str) or not sub or userinfo.get("sub") != sub:
        return None
    return {**userinfo, **id_token}


_WRITTEN_NUMBER = re.compile(r"^(\d{6}|\d{8})[-+]?\d{4}$")


def login_identity(raw: str | None) -> str:
    """An identity at the identity provider as it is stored and compared: trimmed, and a
    valid personnummer in any written form (19810923-9809, 810923-9809) as the 12 digits the
    Swedish OIDC profile's claim carries, so that the administrator may type it as usual.
    Anything else (an HSA-id, an e-mail address) as it is."""
    value = (raw or "").strip()
    if _WRITTEN_NUMBER.match(value.replace(" ", "")):
        with suppress(RuleViolation):
            return normal_form(value)
    return value
