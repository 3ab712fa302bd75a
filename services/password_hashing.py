"""The argon2id hasher of the local passwords, and the hash an unknown address is checked
against.

The parameters are RFC 9106's second recommended option, argon2-cffi's default (64 MiB,
3 passes, 4 lanes), unless MM_ARGON2 names others in the hash's own notation, e.g.
`m=65536,t=3,p=4`: the IT department may raise them for its hardware, and a login upgrades a
password hashed with other parameters (services.users.check_password). Below OWASP's
minimum (19 MiB with 2 passes, or as much work) the site still starts, for the test suite's
sake (a login there would cost ~0.3 s of four cores), but each process says so in its log.
A value that is not understood is logged and the default is used: never a weaker hash by a
typo.
"""

from __future__ import annotations

import logging
import os
from functools import cache

from argon2 import PasswordHasher

log = logging.getLogger(__name__)

ENV = "MM_ARGON2"
# OWASP's password storage cheat sheet: m=19456 (KiB), t=2, p=1, or the same memory × passes.
_OWASP_WORK = 19456 * 2

# Verified when the e-mail address is unknown, so that the answer takes as long either way.
# Written out rather than hashed in each process (0.17 s for every `mm` command and web
# worker) while the parameters are the default ones, which a test holds equal to the library's.
_DEFAULT_DUMMY = (
    "$argon2id$v=19$m=65536,t=3,p=4$WcKrDkdYBoIVfZ/zT9GGVA"
    "$XDjFhOlpBrv2rmaaXii8CpkfoSGijItsZi5M1XrSywA"
)


def hasher_for(text: str) -> PasswordHasher:
    """A hasher with `m=…,t=…,p=…` (any of them, in any order; the library's default for the
    rest); ValueError for anything else, what argon2 refuses (under 8 KiB a lane) and what no
    web worker could afford (over 4 GiB, 64 passes or 64 lanes: every login would fail)."""
    default = PasswordHasher()
    chosen = {"m": default.memory_cost, "t": default.time_cost, "p": default.parallelism}
    for part in text.split(","):
        key, _, value = part.strip().partition("=")
        if key not in chosen or not value.strip().isdigit() or int(value) < 1:
            raise ValueError(part)
        chosen[key] = int(value)
    if not 8 * chosen["p"] <= chosen["m"] <= 4 * 1024 * 1024 or max(chosen["t"], chosen["p"]) > 64:
        raise ValueError(text)
    return PasswordHasher(time_cost=chosen["t"], memory_cost=chosen["m"], parallelism=chosen["p"])


@cache
def hasher() -> PasswordHasher:
    """The hasher of this process, made at its first use from MM_ARGON2."""
    text = os.environ.get(ENV, "").strip()
    if not text:
        return PasswordHasher()
    try:
        made = hasher_for(text)
    except ValueError:
        log.warning("%s=%r is not m=…,t=…,p=…; passwords are hashed as by default", ENV, text)
        return PasswordHasher()
    if made.memory_cost * made.time_cost < _OWASP_WORK:
        log.warning("%s=%r is weaker than OWASP's minimum: for tests only", ENV, text)
    return made


@cache
def dummy_hash() -> str:
    """A hash with this process's parameters, for an unknown address to be checked against."""
    if not hasher().check_needs_rehash(_DEFAULT_DUMMY):
        return _DEFAULT_DUMMY
    return hasher().hash("not a password of anyone")
