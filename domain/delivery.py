"""The states of a message on its way out (the chat outbox), as one vocabulary.

pending -> sending -> sent; a failed send goes back to pending until it is given up
(failed), at once when someone must act first (the bot is not in the channel); an update
whose original was never posted is skipped; a send that a process died in the middle of is
checked against the channel before it is sent again, and is unknown when that cannot be
checked (never twice wins over surely once).
"""

from __future__ import annotations

from enum import StrEnum

from domain.text import N_


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


# Our own error codes, kept in the outbox beside each transport's (transports.delivery_reasons says
# them all in words): what happened on our side, whatever the channel.
SENDER_STOPPED = "sender_stopped"  # a process died while sending; checked before a resend
ORIGINAL_MISSING = "original_missing"  # an update whose message was never posted
HISTORY_UNAVAILABLE = "history_unavailable"  # cannot tell whether a message arrived


OUTBOX_STATE_LABELS = {
    OutboxState.PENDING: N_("Waiting"),
    OutboxState.SENDING: N_("Being sent"),
    OutboxState.SENT: N_("Sent"),
    OutboxState.FAILED: N_("Not delivered"),
    OutboxState.SKIPPED: N_("Skipped"),
    OutboxState.UNKNOWN: N_("Unknown whether it arrived"),
}


class Transport(StrEnum):
    """How a message travels: the chat services and e-mail."""

    SLACK = "slack"
    MATRIX = "matrix"
    EMAIL = "email"
    WEBHOOK = "webhook"  # a webhook receiver (issue 26): the channel is its subscription id
