"""The floors `make bench` measures the site against, served by gunicorn with the same
settings as the site (gunicorn.conf.py):

- `floors:bare_page()`   a bare Flask page: 50 rows from one SELECT on the same database,
                         rendered as an HTML table (GET /rows);
- `floors:bare_ack(True)` / `floors:bare_ack(False)`   a bare Bolt app that only checks the
                         signature and acknowledges the slash command, with
                         process_before_response=True and in Bolt's default mode
                         (POST /slack/events).
"""

from __future__ import annotations

import os
from typing import Any

from flask import Flask, render_template_string, request
from sqlalchemy import text

from storage.db import make_engine

PAGE = """<!doctype html><html lang="sv"><head><meta charset="utf-8"><title>Rader</title></head>
<body><main><h1>Rader</h1><table><thead><tr><th>Kod</th><th>Status</th><th>Skapad</th></tr>
</thead><tbody>{% for code, status, created in rows %}<tr><td>{{ code }}</td><td>{{ status }}</td>
<td>{{ created }}</td></tr>{% endfor %}</tbody></table></main></body></html>"""


def bare_page() -> Flask:
    app = Flask(__name__)
    engine = make_engine(os.environ["DATABASE_URL"])
    query = text(
        "SELECT reference_code, status, created_at FROM referral ORDER BY id DESC LIMIT 50"
    )

    @app.get("/rows")
    def rows() -> Any:
        with engine.connect() as connection:
            found = list(connection.execute(query))
        return render_template_string(PAGE, rows=found)

    return app


def bare_ack(process_before_response: bool) -> Flask:
    from slack_bolt import Ack, App
    from slack_bolt.adapter.flask import SlackRequestHandler
    from slack_sdk import WebClient

    # The same Web API as the site's (the benchmark's stand-in), for Bolt's one auth.test.
    client = WebClient(
        token=os.environ.get("SLACK_BOT_TOKEN", "xoxb-bench"),
        base_url=os.environ.get("SLACK_API_URL", "https://slack.com/api/"),
    )
    bolt = App(
        signing_secret=os.environ["SLACK_SIGNING_SECRET"],
        client=client,
        token_verification_enabled=False,
        process_before_response=process_before_response,
    )

    @bolt.command(os.environ.get("SLACK_COMMAND", "/mm"))
    def command(ack: Ack) -> None:
        ack(text="ok")

    app = Flask(__name__)
    handler = SlackRequestHandler(bolt)

    @app.post("/slack/events")
    def events() -> Any:
        return handler.handle(request)

    return app
