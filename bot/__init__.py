"""The chat bot (slack-bolt, and the Matrix sync loop): commands, buttons, modals, the Home
tab; the scheduler process (`mm digest schedule`) and `mm chat`. No personal data.

The web site sends its notices through the delivery runtime (transports.delivery), which
needs no chat bot; `install(app, delivery)` mounts the bot on top of it when Slack is configured
(web.create_app calls it).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask

    from bot.runtime import ChatRuntime
    from transports.delivery import Delivery


def install(app: Flask, delivery: Delivery) -> ChatRuntime:
    from bot.app import install as install_bot

    return install_bot(app, delivery)
