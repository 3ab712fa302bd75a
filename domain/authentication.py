"""Who must prove who they are with more than a password, and how a login attempt is limited.

Roles that may see a participant's personal data always need a second factor (a TOTP code
with a local account; the identity provider's multi-factor login with OpenID Connect). The
association and the administrator need one when the setting says so (the default).

Failed attempts are counted per account *and* network address: a wrong password typed in one
office never locks the same account out of another, and a whole office behind one address
is never locked out by one person. After a few free tries each further try must wait, and the
wait doubles with every failure.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from domain.choices import Role

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
    return min(FIRST_WAIT * (2**doublings), LONGEST_WAIT)


def next_try_at(failures: int, last_failure_at: datetime | None) -> datetime | None:
    """When the next try may be made, or None when it may be made now."""
    if last_failure_at is None:
        return None
    wait = wait_after(failures)
    return last_failure_at + wait if wait else None


def acr_accepted(
    role: Role, acr: str | None, *, required_for: frozenset[Role], accepted: frozenset[str]
) -> bool:
    """Whether a login through the identity provider was strong enough for the role: when
    accepted values are set and the role is among those that need them, the ID token's
    `acr` must be one of them."""
    if not accepted or role not in required_for:
        return True
    return acr in accepted
