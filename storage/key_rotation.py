"""`mm keys rotate`: every encrypted value re-encrypted under a new key while the site runs.

1. A new data key goes first in the key file (the old ones stay, so everything still opens).
   Every process reads the file again when it changes, so from then on new values are
   encrypted under the new key.
2. After a short grace (a request that read the old file finishes), the rows are re-encrypted
   in small batches, each value by compare-and-set (`UPDATE … WHERE value = old`): a value a
   user changed meanwhile is left as that user wrote it and looked at again next pass.
3. Passes repeat until one finds nothing under an old key; then the old keys leave the file.

With MM_DATA_KEY the keys are in the environment, which this command cannot change: it
re-encrypts under the first data key there, and the operator removes the others.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Engine

from storage import crypto

BATCH = 200
MAX_PASSES = 50


@dataclass(frozen=True)
class Column:
    table: str
    key: str
    name: str
    json: bool = False

    @property
    def context(self) -> str:
        return f"{self.table}.{self.name}"


ENCRYPTED = (
    Column("participant", "referral_id", "name"),
    Column("participant", "referral_id", "personal_identity_number"),
    Column("participant", "referral_id", "phone"),
    Column("participant", "referral_id", "needs"),
    Column("placement_request", "id", "decline_comment"),
    Column("placement_document", "id", "content", json=True),
)


@dataclass
class Rotation:
    new_key_id: str
    reencrypted: dict[str, int] = field(default_factory=dict)
    passes: int = 0
    old_keys_removed: bool = False


def rotate(engine: Engine, *, grace: float = 2.0, new_key: bytes | None = None) -> Rotation:
    """Re-encrypts every value under a new key (the key file) or the first key (MM_DATA_KEY)."""
    from_file = not crypto.keyring_from_environment()
    if from_file:
        ring = crypto.keyring()
        fresh = crypto.Keyring(ring.index, (new_key or crypto.new_key(), *ring.data))
        crypto.write_key_file(crypto.key_file(), fresh)
        time.sleep(grace)
    current = crypto.keyring().current_id
    done = Rotation(new_key_id=current)
    for done.passes in range(1, MAX_PASSES + 1):
        left = 0
        for column in ENCRYPTED:
            changed, behind = _pass(engine, column, current)
            done.reencrypted[column.context] = done.reencrypted.get(column.context, 0) + changed
            left += behind
        if left == 0:
            break
    if from_file and left == 0:
        ring = crypto.keyring()
        crypto.write_key_file(crypto.key_file(), crypto.Keyring(ring.index, ring.data[:1]))
        done.old_keys_removed = True
    return done


def _pass(engine: Engine, column: Column, current: str) -> tuple[int, int]:
    """One pass over a column: (values re-encrypted, values a writer changed meanwhile)."""
    table = sa.table(
        column.table,
        sa.column(column.key, sa.Integer),
        sa.column(column.name, sa.JSON if column.json else sa.Text),
    )
    key, value = table.c[column.key], table.c[column.name]
    # JSON has no equality in PostgreSQL: its text is compared (as SQLAlchemy wrote it).
    stored_text: Callable[[Any], Any] = (
        (lambda c: sa.cast(c, sa.Text)) if column.json else (lambda c: c)
    )
    changed = behind = 0
    last = -1
    while True:
        with engine.begin() as connection:
            rows = connection.execute(
                sa.select(key, value).where(key > last).order_by(key).limit(BATCH)
            ).all()
            for row_key, stored in rows:
                if not crypto.is_encrypted(stored) or crypto.stored_key_id(stored) == current:
                    continue
                fresh = crypto.encrypt(crypto.decrypt(stored, column.context), column.context)
                was = json.dumps(stored) if column.json else stored
                won = connection.execute(
                    table.update()
                    .where(key == row_key, stored_text(value) == was)
                    .values({column.name: fresh})
                ).rowcount
                changed += won
                behind += 1 - won
        if len(rows) < BATCH:
            return changed, behind
        last = rows[-1][0]
