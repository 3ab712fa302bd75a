"""The chat bot (slack-bolt): commands, buttons, notifications, daily digest. No personal data.

`install(app)` mounts it into the web site (web.create_app calls it).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask

    from bot.runtime import ChatRuntime


def install(app: Flask) -> ChatRuntime | None:
    from bot.app import install as install_bot

    return install_bot(app)
