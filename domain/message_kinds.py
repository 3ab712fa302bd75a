"""What a message in the outbox was, read from its key, and what the administrator's list of
messages that did not get through calls each kind."""

from __future__ import annotations

from enum import StrEnum

from domain.text import N_


class MessageKind(StrEnum):
    """What a message was, from its outbox key (see notices.request_cards, digest.plan,
    bot.home)."""

    CARD = "card"
    CARD_UPDATE = "card_update"
    ANSWER = "answer"
    DIGEST = "digest"
    WELCOME = "welcome"
    LATE_ANSWER = "late_answer"
    WEBHOOK = "webhook"
    OTHER = "other"


MESSAGE_KIND_LABELS = {
    MessageKind.CARD: N_("Request card"),
    MessageKind.CARD_UPDATE: N_("Answer on a request card"),
    MessageKind.ANSWER: N_("Answer to the investigator"),
    MessageKind.DIGEST: N_("Daily digest"),
    MessageKind.WELCOME: N_("Welcome"),
    MessageKind.LATE_ANSWER: N_("Delayed answer"),
    MessageKind.WEBHOOK: N_("Webhook"),
    MessageKind.OTHER: N_("Other message"),
}


def kind_of(key: str) -> MessageKind:
    if key.startswith("request:"):  # request:<id>:<what>[:matrix | :email:<user>]
        what = key.split(":")[2] if key.count(":") >= 2 else ""
        return {
            "card": MessageKind.CARD,
            "answer": MessageKind.CARD_UPDATE,
            "investigator": MessageKind.ANSWER,
        }.get(what, MessageKind.OTHER)
    prefix = key.split(":", 1)[0]
    return {
        "digest": MessageKind.DIGEST,
        "welcome": MessageKind.WELCOME,
        "late": MessageKind.LATE_ANSWER,
        "webhook": MessageKind.WEBHOOK,
    }.get(prefix, MessageKind.OTHER)
