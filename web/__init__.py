"""The web site: Flask app factory. Views are thin; the rules are in domain/."""

from __future__ import annotations

import os
from typing import Any

from flask import Flask

from storage.db import make_engine, session_factory
from web import settings


def create_app(config: dict[str, Any] | None = None) -> Flask:
    app = Flask(__name__, instance_path=os.path.abspath("instance"))
    app.config.from_mapping(settings.defaults())
    if config:
        app.config.update(config)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = settings.instance_secret_key(app.instance_path)
    app.extensions["mm.sessions"] = session_factory(make_engine(app.config["DATABASE_URL"]))

    from web import auth, errors, security, templating

    security.install(app)
    templating.install(app)
    auth.install(app)
    errors.install(app)

    from web import health
    from web.views import (
        account,
        chat_link,
        follow_up,
        municipality,
        new_referral,
        overview,
        placement_actions,
        referral_actions,
        referrals,
        requisitions,
    )

    for module in (
        health,
        account,
        new_referral,
        referrals,
        referral_actions,
        placement_actions,
        municipality,
        overview,
        requisitions,
        follow_up,
        chat_link,
    ):
        app.register_blueprint(module.blueprint)

    # The chat bot mounts /slack/events on the finished site (after CSRFProtect, which
    # exempts it: Slack signs its requests instead).
    import bot

    bot.install(app)
    return app
