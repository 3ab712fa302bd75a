"""Personal data encrypted per field, and keyed hashes to find it without decrypting.

A stolen database file or `pg_dump` must not reveal who the participants are. So the columns
that hold personal data (storage.types.Encrypted) are encrypted with AES-256-GCM from the
`cryptography` package, each value with its own random nonce and the column's name as
associated data (a value copied into another column does not open). The personnummer and
each word of the name also get an HMAC-SHA256 digest (a blind index): the one-open-referral
index and the searches compare digests, never plain text.

The keys live outside the database: the file `instance/data_key` (made 0600 at first start,
beside the secret key; `MM_DATA_KEY_FILE` names another path), or the variable `MM_DATA_KEY`
with the same content. The file has one `index=` line (the HMAC key) and one or more `data=`
lines, the newest first: data is encrypted with the newest and opened with any of them, so
`mm keys rotate` can add a key, re-encrypt every row and then drop the old one while the site
runs. The file is read again whenever it changes, so every worker follows a rotation.

The index key is not rotated: rotating it while the site runs would break the unique index
that keeps one open referral per person (see README, Data at rest).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
import threading
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import Engine, text
from sqlalchemy.exc import SQLAlchemyError

from domain.text import N_

ENV_KEY = "MM_DATA_KEY"
ENV_KEY_FILE = "MM_DATA_KEY_FILE"
DEFAULT_KEY_FILE = Path("instance") / "data_key"
_DEFAULT_KEY_FILE = str(DEFAULT_KEY_FILE)
PREFIX = "mm1:"  # version 1: AES-256-GCM, 12-byte nonce
_NONCE = 12
_HEADER = "# Möjlighetsmodellen: the key to the personal data. Keep it away from the backups.\n"

MISSING = N_(
    "The key to the personal data is missing: %(source)s does not exist, but the database "
    "holds encrypted personal data. Put back the key file from where you keep it (not beside "
    "the backups), or set MM_DATA_KEY, and start again."
)
WRONG = N_(
    "The key in %(source)s does not open the personal data in the database. Use the key the "
    "data was encrypted with and start again."
)
UNREADABLE = N_(
    "The key in %(source)s cannot be read: it needs one line index=… and at least one line "
    "data=…, each 32 bytes in base64."
)


class DataKeyError(RuntimeError):
    """The key is missing, unreadable or does not fit the database: the site does not start.
    `msgid` and `params` make the Swedish sentence (the adapters translate it)."""

    def __init__(self, msgid: str, **params: str) -> None:
        self.msgid, self.params = msgid, params
        super().__init__(msgid % params)


@dataclass(frozen=True)
class Keyring:
    index: bytes
    data: tuple[bytes, ...]  # newest first

    @cached_property
    def current_id(self) -> str:
        return key_id(self.data[0])

    @cached_property
    def ciphers(self) -> dict[str, AESGCM]:
        """Each data key's cipher by its id, made once per keyring: a list of 50 names
        decrypts 50 values, and an HMAC and a cipher per value cost 20 times the decryption."""
        return {key_id(key): AESGCM(key) for key in self.data}

    def text(self) -> str:
        lines = [f"index={_b64(self.index)}"] + [f"data={_b64(k)}" for k in self.data]
        return _HEADER + "\n".join(lines) + "\n"


def key_id(key: bytes) -> str:
    """A short name of a key, stored with each value; it reveals nothing of the key."""
    return hmac.new(key, b"mm key id", hashlib.sha256).hexdigest()[:8]


def new_key() -> bytes:
    return secrets.token_bytes(32)


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode("ascii")


def parse(text: str, source: str) -> Keyring:
    index: bytes | None = None
    data: list[bytes] = []
    try:
        for line in text.replace(";", "\n").splitlines():
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            name, _, value = line.partition("=")
            raw = base64.urlsafe_b64decode(value.strip().encode("ascii"))
            if len(raw) != 32 or name.strip() not in ("index", "data"):
                raise ValueError(line)
            if name.strip() == "index":
                index = raw
            else:
                data.append(raw)
    except ValueError:
        raise DataKeyError(UNREADABLE, source=source) from None
    if index is None or not data:
        raise DataKeyError(UNREADABLE, source=source)
    return Keyring(index, tuple(data))


def key_file() -> Path:
    return Path(_key_file_name())


def _key_file_name() -> str:
    # A str, not a Path: keyring() asks for it for every value opened.
    return os.environ.get(ENV_KEY_FILE) or _DEFAULT_KEY_FILE


def keyring_from_environment() -> bool:
    return bool(os.environ.get(ENV_KEY))


def source_name() -> str:
    return ENV_KEY if os.environ.get(ENV_KEY) else str(key_file())


class _Loaded:
    """The keyring as last read, and the file's state then (read again when it changes)."""

    lock = threading.Lock()
    ring: Keyring | None = None
    stamp: tuple[str, float, int] | None = None


def _stamp(path: str) -> tuple[str, float, int] | None:
    try:
        stat = os.stat(path)  # a str, not a Path: this runs for every value opened
    except FileNotFoundError:
        return None
    # A rotation replaces the file (a new inode), so the inode tells a change the clock might not.
    return (path, stat.st_mtime, stat.st_size * 2**32 + stat.st_ino)


def keyring() -> Keyring:
    """The keys now: from MM_DATA_KEY, else the key file (created when there is none; the
    start-up check refuses a missing file when the database already holds encrypted data)."""
    env = os.environ.get(ENV_KEY)
    if env:
        if _Loaded.stamp != ("env", 0.0, hash(env)):
            _Loaded.ring, _Loaded.stamp = parse(env, ENV_KEY), ("env", 0.0, hash(env))
        assert _Loaded.ring is not None
        return _Loaded.ring
    path = _key_file_name()
    stamp = _stamp(path)
    if stamp is None or stamp != _Loaded.stamp or _Loaded.ring is None:
        with _Loaded.lock:
            if stamp is None:
                create_key_file(Path(path))
                stamp = _stamp(path)
            _Loaded.ring = parse(Path(path).read_text(encoding="utf-8"), path)
            _Loaded.stamp = stamp
    return _Loaded.ring


def create_key_file(path: Path) -> None:
    """A new key file, 0600 in a 0700 directory; of two processes racing, one file wins."""
    if not path.parent.exists():
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    write_key_file(path, Keyring(new_key(), (new_key(),)), replace=False)


def write_key_file(path: Path, ring: Keyring, *, replace: bool = True) -> None:
    """Written whole to a private temporary file, then moved in place in one step."""
    candidate = path.with_name(f"{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    descriptor = os.open(candidate, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as out:
        out.write(ring.text())
        out.flush()
        os.fsync(out.fileno())
    try:
        if replace:
            os.replace(candidate, path)
        else:
            os.link(candidate, path)  # fails if another process made the key first
    except FileExistsError:
        pass
    finally:
        candidate.unlink(missing_ok=True)


def encrypt(plain: str, context: str) -> str:
    """The stored form of `plain`: prefix, key id, nonce and ciphertext. "" stays "" (what
    was left empty, a phone number say, is no secret)."""
    if plain == "":
        return ""
    ring = keyring()
    nonce = secrets.token_bytes(_NONCE)
    current = ring.current_id
    sealed = ring.ciphers[current].encrypt(nonce, plain.encode("utf-8"), context.encode())
    return f"{PREFIX}{current}:{_b64(nonce + sealed)}"


def is_encrypted(stored: str | None) -> bool:
    return bool(stored) and stored.startswith(PREFIX)  # type: ignore[union-attr]


def stored_key_id(stored: str) -> str:
    return stored[len(PREFIX) :].split(":", 1)[0]


def decrypt(stored: str, context: str) -> str:
    """The plain text of a stored value. Plain text from before migration 0021 passes as it
    is; a value under a key the keyring lacks raises DataKeyError."""
    if not is_encrypted(stored):
        return stored
    cipher = keyring().ciphers.get(stored_key_id(stored))
    if cipher is None:
        raise DataKeyError(WRONG, source=source_name())
    raw = base64.urlsafe_b64decode(stored.rsplit(":", 1)[1].encode("ascii"))
    try:
        plain = cipher.decrypt(raw[:_NONCE], raw[_NONCE:], context.encode())
    except InvalidTag:
        raise DataKeyError(WRONG, source=source_name()) from None
    return plain.decode("utf-8")


def digest(purpose: str, value: str) -> str:
    """The keyed hash that finds `value` (a personnummer, one name word) without storing it."""
    message = f"{purpose}\0{value}".encode()
    return hmac.new(keyring().index, message, hashlib.sha256).hexdigest()


def check_database(engine: Engine) -> None:
    """At start: a database that holds encrypted personal data needs the key it was
    encrypted with. A missing key file is then an error (a new key would open nothing), and
    so is a key that does not open the newest participant's personnummer. A database without
    any gets the key made now, beside the secret key."""
    try:
        with engine.connect() as connection:
            sample = connection.execute(
                text(
                    "SELECT personal_identity_number FROM participant"
                    " WHERE personal_identity_number LIKE 'mm1:%'"
                    " ORDER BY referral_id DESC LIMIT 1"
                )
            ).scalar()
    except SQLAlchemyError:  # not migrated yet: nothing encrypted to open
        sample = None
    if sample is None:
        keyring()
        return
    if not os.environ.get(ENV_KEY) and not key_file().exists():
        raise DataKeyError(MISSING, source=str(key_file()))
    decrypt(sample, "participant.personal_identity_number")
