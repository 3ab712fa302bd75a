"""The states of a message on its way out (the chat outbox), as one vocabulary.

pending -> sending -> sent; a failed send goes back to pending until it is given up
(failed), at once when someone must act first (the bot is not in the channel); an update
whose original was never posted is skipped; a send that a process died in the middle of is
checked against the channel before it is sent again, and is unknown when that cannot be
checked (never twice wins over surely once).
"""

from __future__ import annotations

from enum import StrEnum

from domain.text import N_, Text


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


# Why a message could not be delivered, as the administrator reads it on the web. The keys
# are the error codes kept in the outbox: the chat service's own (Slack's error codes), or
# ours for what happened on our side.
SENDER_STOPPED = "sender_stopped"  # a process died while sending; checked before a resend
ORIGINAL_MISSING = "original_missing"  # an update whose message was never posted
HISTORY_UNAVAILABLE = "history_unavailable"  # cannot tell whether a message arrived

# The bot must be invited, a channel id corrected, or the token renewed: trying again by
# itself would only fail again, so these are shown to the administrator at once.
NEEDS_SOMEONE = frozenset(
    {
        "not_in_channel",
        "channel_not_found",
        "is_archived",
        "invalid_auth",
        "not_authed",
        "account_inactive",
        "token_revoked",
        "token_expired",
        "no_permission",
        "missing_scope",
        "restricted_action",
        "user_not_found",
        "cannot_dm_bot",
        "invalid_blocks",
        "msg_too_long",
        "msg_blocks_too_long",
        "team_access_not_granted",
    }
)

REASONS: dict[str, str] = {
    "not_in_channel": N_(
        "The bot is not a member of the channel. Invite it in the channel with "
        "/invite @Möjlighetsmodellen, then try again."
    ),
    "channel_not_found": N_(
        "The channel does not exist, or it is private and the bot is not in it. Check the "
        "channel id with mm municipality channel, then try again."
    ),
    "is_archived": N_("The channel is archived. Choose another channel, then try again."),
    "invalid_auth": N_("Slack does not accept the bot's token. Renew SLACK_BOT_TOKEN."),
    "not_authed": N_("Slack does not accept the bot's token. Renew SLACK_BOT_TOKEN."),
    "token_revoked": N_("Slack does not accept the bot's token. Renew SLACK_BOT_TOKEN."),
    "token_expired": N_("Slack does not accept the bot's token. Renew SLACK_BOT_TOKEN."),
    "account_inactive": N_("Slack does not accept the bot's token. Renew SLACK_BOT_TOKEN."),
    "missing_scope": N_(
        "The Slack app lacks a permission it needs. Update the app from bot/manifest.yml."
    ),
    "no_permission": N_("Slack does not allow the bot to post there."),
    "restricted_action": N_("Slack does not allow the bot to post there."),
    "user_not_found": N_("The person is no longer in the Slack workspace."),
    "ratelimited": N_("Slack asked the bot to wait (too many messages at once)."),
    SENDER_STOPPED: N_(
        "The sending stopped half-way. The bot checks the channel before it sends again."
    ),
    ORIGINAL_MISSING: N_("The message to update was never posted."),
    HISTORY_UNAVAILABLE: N_(
        "The bot could not check whether the message arrived. Look in the channel before "
        "you try again."
    ),
}
OTHER_REASON = N_("The chat service answered: %(code)s")
WEBHOOK_REFUSED = N_("The webhook receiver answered with HTTP status %(status)s.")
REASONS["webhook_receiver_gone"] = N_(
    "The webhook receiver has been removed: there is nowhere to send this."
)


def needs_someone(code: str) -> bool:
    return code in NEEDS_SOMEONE


def reason_text(code: str | None) -> Text:
    """The administrator's sentence for an error code kept in the outbox."""
    code = code or ""
    if code in REASONS:
        return Text(REASONS[code])
    if code.startswith("http_"):  # a webhook receiver's answer (bot.delivery_errors)
        return Text(WEBHOOK_REFUSED, {"status": code.removeprefix("http_")})
    return Text(OTHER_REASON, {"code": code or "–"})


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


# The mail server's and the homeserver's refusals, as the outbox keeps them.
REASONS.update(
    {
        "smtp_refused": N_(
            "The mail server refused the message. Check the e-mail address and the SMTP settings."
        ),
        "smtp_unavailable": N_("The mail server could not take the message now."),
        "matrix_forbidden": N_(
            "The homeserver does not let the bot post in the room. Invite the bot to the room."
        ),
        "matrix_unknown_room": N_(
            "The room does not exist. Check the room id with mm municipality room."
        ),
    }
)
NEEDS_SOMEONE = NEEDS_SOMEONE | {"smtp_refused", "matrix_forbidden", "matrix_unknown_room"}
