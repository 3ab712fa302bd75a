"""The states of a message on its way out (the chat outbox), as one vocabulary.

pending -> sending -> sent; a failed send goes back to pending until it is given up
(failed); an update whose original was never posted is skipped; a send that a process died
in the middle of is unknown (never sent again: never twice wins over surely once).
"""

from __future__ import annotations

from enum import StrEnum


class OutboxState(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    SKIPPED = "skipped"
    UNKNOWN = "unknown"


class OutboxAction(StrEnum):
    POST = "post"  # a new message
    UPDATE = "update"  # replace a message posted earlier
