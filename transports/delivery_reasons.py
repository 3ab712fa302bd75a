"""Why a message could not be delivered, in each transport's own words: the error codes the
outbox keeps (Slack's, the mail server's and the homeserver's as transports.delivery_errors names
them, a webhook receiver's HTTP status, and ours from domain.delivery), which of them need
someone to act, and the sentence the administrator reads for each (on /leveranser, in the
coordinator's digest and in `mm digest`).

Only plain data and texts: no chat library, so the web site can read the sentences without
loading a transport. The domain knows none of these codes (tests/test_one_rule.py).
"""

from __future__ import annotations

from domain.delivery import HISTORY_UNAVAILABLE, ORIGINAL_MISSING, SENDER_STOPPED
from domain.text import N_, Text

RATELIMITED = "ratelimited"  # any transport asked the bot to wait

# Slack's error codes. The bot must be invited, a channel id corrected, or the token renewed:
# trying again by itself would only fail again, so these are shown to the administrator at
# once.
SLACK_NEEDS_SOMEONE = frozenset(
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
# Slack's own words for "it may have happened": retried only after a look in the history.
SLACK_MAYBE_DONE = frozenset(
    {"internal_error", "fatal_error", "request_timeout", "service_unavailable"}
)
_RENEW_TOKEN = N_("Slack does not accept the bot's token. Renew SLACK_BOT_TOKEN.")
_NOT_ALLOWED = N_("Slack does not allow the bot to post there.")
SLACK_REASONS: dict[str, str] = {
    "not_in_channel": N_(
        "The bot is not a member of the channel. Invite it in the channel with "
        "/invite @Möjlighetsmodellen, then try again."
    ),
    "channel_not_found": N_(
        "The channel does not exist, or it is private and the bot is not in it. Check the "
        "channel id with mm municipality channel, then try again."
    ),
    "is_archived": N_("The channel is archived. Choose another channel, then try again."),
    "invalid_auth": _RENEW_TOKEN,
    "not_authed": _RENEW_TOKEN,
    "token_revoked": _RENEW_TOKEN,
    "token_expired": _RENEW_TOKEN,
    "account_inactive": _RENEW_TOKEN,
    "missing_scope": N_(
        "The Slack app lacks a permission it needs. Update the app from bot/manifest.yml."
    ),
    "no_permission": _NOT_ALLOWED,
    "restricted_action": _NOT_ALLOWED,
    "user_not_found": N_("The person is no longer in the Slack workspace."),
}

# The mail server's and the homeserver's refusals (transports.delivery_errors names them so).
SMTP_REFUSED, SMTP_UNAVAILABLE = "smtp_refused", "smtp_unavailable"
MATRIX_FORBIDDEN, MATRIX_UNKNOWN_ROOM = "matrix_forbidden", "matrix_unknown_room"
MAIL_AND_MATRIX_REASONS: dict[str, str] = {
    SMTP_REFUSED: N_(
        "The mail server refused the message. Check the e-mail address and the SMTP settings."
    ),
    SMTP_UNAVAILABLE: N_("The mail server could not take the message now."),
    MATRIX_FORBIDDEN: N_(
        "The homeserver does not let the bot post in the room. Invite the bot to the room."
    ),
    MATRIX_UNKNOWN_ROOM: N_(
        "The room does not exist. Check the room id with mm municipality room."
    ),
}

# A webhook receiver: removed (nowhere to send), or its HTTP status as `http_<status>`.
RECEIVER_GONE = "webhook_receiver_gone"
RECEIVER_INTERNAL = "webhook_receiver_internal"
HTTP_PREFIX = "http_"
WEBHOOK_REFUSED = N_("The webhook receiver answered with HTTP status %(status)s.")

NEEDS_SOMEONE = SLACK_NEEDS_SOMEONE | {SMTP_REFUSED, MATRIX_FORBIDDEN, MATRIX_UNKNOWN_ROOM}

REASONS: dict[str, str] = {
    **SLACK_REASONS,
    RATELIMITED: N_("Slack asked the bot to wait (too many messages at once)."),
    # Ours (domain.delivery): what happened on our side.
    SENDER_STOPPED: N_(
        "The sending stopped half-way. The bot checks the channel before it sends again."
    ),
    ORIGINAL_MISSING: N_("The message to update was never posted."),
    HISTORY_UNAVAILABLE: N_(
        "The bot could not check whether the message arrived. Look in the channel before "
        "you try again."
    ),
    RECEIVER_GONE: N_("The webhook receiver has been removed: there is nowhere to send this."),
    RECEIVER_INTERNAL: N_(
        "The webhook receiver's address is in an internal network, which webhooks may not "
        "reach. Give the receiver a public address, or allow its network in "
        "MM_WEBHOOK_NETWORKS."
    ),
    **MAIL_AND_MATRIX_REASONS,
}
OTHER_REASON = N_("The chat service answered: %(code)s")


def needs_someone(code: str) -> bool:
    return code in NEEDS_SOMEONE


def reason_text(code: str | None) -> Text:
    """The administrator's sentence for an error code kept in the outbox."""
    code = code or ""
    if code in REASONS:
        return Text(REASONS[code])
    if code.startswith(HTTP_PREFIX):  # a webhook receiver's answer (transports.delivery_errors)
        return Text(WEBHOOK_REFUSED, {"status": code.removeprefix(HTTP_PREFIX)})
    return Text(OTHER_REASON, {"code": code or "–"})
