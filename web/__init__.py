"""The web site: Flask app factory. Views are thin; the rules are in domain/."""

from __future__ import annotations

import os
from typing import Any

from flask import Flask

from domain.clock import SystemClock
from storage.db import database_url, make_engine, session_factory


def create_app(config: dict[str, Any] | None = None) -> Flask:
    app = Flask(__name__, instance_path=os.path.abspath("instance"))
    app.config.from_mapping(
        DATABASE_URL=database_url(),
        CLOCK=SystemClock(),
    )
    if config:
        app.config.update(config)
    app.extensions["mm.sessions"] = session_factory(make_engine(app.config["DATABASE_URL"]))

    from web import health

    app.register_blueprint(health.blueprint)

    import bot

    bot.install(app)
    return app
