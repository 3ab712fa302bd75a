"""The rules for API tokens (issue 26): which roles a token may have, when it may be used,
and the rate limit. Pure: the use cases in services.api_tokens load and save."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from domain.choices import Role
from domain.errors import RuleViolation
from domain.text import N_

# A municipality's case system, FK's tools and the association's finance system. Not the
# investigator's (an investigator sees the referrals they filed, and a token files none),
# nor the administrator's or the log reviewer's, who have nothing in the API: reviewing the
# log stays a person's work.
TOKEN_ROLES = (Role.MUNICIPALITY_CONTACT, Role.COORDINATOR, Role.ASSOCIATION)
WINDOW = timedelta(minutes=1)
MAX_NAME = 100


def check_token_role(role: Role) -> None:
    if role not in TOKEN_ROLES:
        raise RuleViolation(
            N_("An API token can have the role %(roles)s."),
            field="role",
            roles=", ".join(r.value for r in TOKEN_ROLES),
        )


def checked_token_name(name: str | None) -> str:
    name = (name or "").strip()
    if not name or len(name) > MAX_NAME:
        raise RuleViolation(
            N_("Give the token a name (at most %(limit)s characters)."),
            field="name",
            limit=MAX_NAME,
        )
    return name


def usable(*, revoked_at: datetime | None, expires_at: datetime | None, now: datetime) -> bool:
    return revoked_at is None and (expires_at is None or now < expires_at)


@dataclass(frozen=True)
class Window:
    """Calls counted in the current minute of one token."""

    started_at: datetime | None
    calls: int

    def after_call(self, now: datetime) -> Window:
        if self.started_at is None or now - self.started_at >= WINDOW or now < self.started_at:
            return Window(now, 1)
        return Window(self.started_at, self.calls + 1)

    def over(self, limit: int) -> bool:
        return self.calls > limit

    def retry_after(self, now: datetime) -> int:
        """Whole seconds until the window ends (at least one)."""
        if self.started_at is None:
            return 1
        left = (self.started_at + WINDOW - now).total_seconds()
        return max(1, int(left + 0.999))
