"""The web site: Flask app factory. Views are thin; the rules are in domain/."""

from __future__ import annotations

import os
from typing import Any

from flask import Flask

import locales
from storage import crypto
from storage.db import make_engine, readable_by_others, session_factory
from web import settings
from web.url_rules import BuiltOnce


def create_app(config: dict[str, Any] | None = None) -> Flask:
    app = Flask(__name__, instance_path=os.path.abspath("instance"))
    app.url_rule_class = BuiltOnce  # the URL builders of every app after the first: made once
    app.config.from_mapping(settings.defaults())
    if config:
        app.config.update(config)
    exposed = readable_by_others(app.config["DATABASE_URL"])
    if exposed:
        # Personnummer and health information: the site does not start on an open file.
        raise RuntimeError(
            locales.gettext(
                "The database file %(path)s can be read by other users on this computer. Make "
                "it private to the service user and start again: chmod 600 %(path)s",
                path=exposed,
            )
        )
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = settings.instance_secret_key(app.instance_path)
    engine = make_engine(app.config["DATABASE_URL"])
    try:
        crypto.check_database(engine)
    except crypto.DataKeyError as error:  # the site does not start without its key
        raise RuntimeError(locales.gettext(error.msgid, **error.params)) from None
    app.extensions["mm.sessions"] = session_factory(engine)

    from web import auth, errors, logs, metrics, oidc, security, sessions, templating

    logs.install(app)
    metrics.install(app)
    security.install(app)
    sessions.install(app)
    templating.install(app)
    auth.install(app)
    oidc.install(app)
    errors.install(app)

    from web import health
    from web.views import (
        account,
        accounts,
        api_tokens,
        chat_link,
        deliveries,
        documents,
        finsam,
        follow_up,
        invitation,
        log_review,
        meetings,
        municipalities_admin,
        municipality,
        my_settings,
        new_referral,
        oidc_login,
        overview,
        placement_actions,
        profile,
        public_pages,
        referral_actions,
        referrals,
        register_extract,
        requisitions,
        webhooks,
        worklist,
    )

    for module in (
        health,
        metrics,
        account,
        oidc_login,
        invitation,
        my_settings,
        accounts,
        municipalities_admin,
        log_review,
        register_extract,
        public_pages,
        new_referral,
        referrals,
        referral_actions,
        placement_actions,
        municipality,
        overview,
        requisitions,
        follow_up,
        finsam,
        chat_link,
        deliveries,
        api_tokens,
        webhooks,
        profile,
        meetings,
        worklist,
        documents,
    ):
        app.register_blueprint(module.blueprint)

    # The open API (issue 26): JSON with bearer tokens, exempt from CSRF; and the webhooks
    # that what happens on the site queues, delivered by this process whether or not chat
    # is on (transports.webhook_sender).
    from transports import webhook_sender
    from web import api

    api.install(app)
    webhook_sender.install(app.extensions["mm.sessions"], app.config["CLOCK"])

    # Notices (Slack, Matrix, e-mail) are sent by the delivery runtime, which needs no chat
    # bot. The chat bot is mounted only when Slack is configured, on the finished site (its
    # /slack/events after CSRFProtect, which exempts it: Slack signs its requests instead).
    from transports import delivery

    notices_out = delivery.install(app)
    if notices_out is not None and notices_out.channels.slack.enabled:
        import bot

        bot.install(app, notices_out)
    return app
