"""The second factor of a local account: a TOTP authenticator (RFC 6238, via pyotp) and
one-time recovery codes.

A code is accepted for the current 30-second step and the one before and after (clocks
drift), and only once: the step it belonged to is stored, and a code of that step or an
earlier one is refused afterwards. The store is a compare-and-set on the user's row, so of
two requests with the same code exactly one gets in, on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime

import pyotp
from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session

from domain.errors import RuleViolation
from domain.text import N_
from storage.models import RecoveryCode, User

ISSUER = "Möjlighetsmodellen"
STEP_SECONDS = 30
DRIFT_STEPS = 1
RECOVERY_CODES = 10
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i to misread
RECOVERY_GROUPS, RECOVERY_GROUP_LENGTH = 4, 4

WRONG_CODE = N_("The code is wrong or has already been used. Wait for a new code and try again.")
ENROL_WRONG = N_(
    "The code does not match. Check that the authenticator shows the code for "
    "Möjlighetsmodellen and that the phone's clock is right, then try again."
)


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(secret: str, email: str) -> str:
    """The otpauth:// address the QR code holds."""
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=ISSUER)


def step_at(moment: datetime) -> int:
    return int(moment.timestamp()) // STEP_SECONDS


def code_at(secret: str, moment: datetime) -> str:
    """The code an authenticator shows at `moment` (for the demo users' `mm demo code`)."""
    return pyotp.TOTP(secret).at(moment)


def _normal(code: str) -> str:
    return "".join((code or "").split())


def matching_step(secret: str, code: str, now: datetime) -> int | None:
    """The time step whose code `code` is, within the allowed drift; None if none."""
    code = _normal(code)
    if len(code) != 6 or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret)
    here = step_at(now)
    for step in range(here - DRIFT_STEPS, here + DRIFT_STEPS + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def use_code(session: Session, *, user: User, code: str, now: datetime) -> bool:
    """True once for a right code; a replayed or older code is refused."""
    if not user.totp_secret:
        return False
    step = matching_step(user.totp_secret, code, now)
    if step is None:
        return False
    claimed = session.execute(
        update(User)
        .where(
            User.id == user.id,
            or_(User.totp_last_step.is_(None), User.totp_last_step < step),
        )
        .values(totp_last_step=step)
        .execution_options(synchronize_session=False)
    )
    return bool(claimed.rowcount)  # type: ignore[attr-defined]


def enrol(session: Session, *, user: User, secret: str, code: str, now: datetime) -> list[str]:
    """Saves the key once the person has shown a code from it; returns new recovery codes."""
    step = matching_step(secret, code, now)
    if step is None:
        raise RuleViolation(ENROL_WRONG, field="code")
    user.totp_secret = secret
    user.totp_enrolled_at = now
    user.totp_last_step = step
    return new_recovery_codes(session, user=user, now=now)


def _hash(code: str) -> str:
    return hashlib.sha256(_normal(code).lower().replace("-", "").encode()).hexdigest()


def _recovery_code() -> str:
    groups = (
        "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(RECOVERY_GROUP_LENGTH))
        for _ in range(RECOVERY_GROUPS)
    )
    return "-".join(groups)


def new_recovery_codes(session: Session, *, user: User, now: datetime) -> list[str]:
    """Ten new one-time codes; the earlier ones stop working. Only hashes are kept."""
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = [_recovery_code() for _ in range(RECOVERY_CODES)]
    session.add_all(
        RecoveryCode(user_id=user.id, code_hash=_hash(code), created_at=now) for code in codes
    )
    session.flush()
    return codes


def use_recovery_code(session: Session, *, user: User, code: str, now: datetime) -> bool:
    claimed = session.execute(
        update(RecoveryCode)
        .where(
            RecoveryCode.user_id == user.id,
            RecoveryCode.code_hash == _hash(code),
            RecoveryCode.used_at.is_(None),
        )
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    return bool(claimed.rowcount)  # type: ignore[attr-defined]


def recovery_codes_left(session: Session, *, user_id: int) -> int:
    return len(
        session.scalars(
            select(RecoveryCode.id).where(
                RecoveryCode.user_id == user_id, RecoveryCode.used_at.is_(None)
            )
        ).all()
    )


def clear(session: Session, *, user: User) -> None:
    """Forgets the authenticator and the recovery codes: the next login enrols anew."""
    user.totp_secret = None
    user.totp_enrolled_at = None
    user.totp_last_step = None
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))


def is_recovery_code(code: str) -> bool:
    """A recovery code looks like four groups of letters and digits; a TOTP code is 6 digits."""
    return len(_normal(code).replace("-", "")) == RECOVERY_GROUPS * RECOVERY_GROUP_LENGTH
