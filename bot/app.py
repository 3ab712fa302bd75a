"""The Bolt app, and mounting it into the web site at POST /slack/events.

One endpoint takes slash commands, interactivity (buttons, modals) and events; Bolt checks
every request's signature first (unsigned, badly signed or older than 5 minutes: 401).
Listeners acknowledge at once and run in threads; a slash command that is not answered within
`ack_budget` seconds is acknowledged with "one moment" and answered through its response_url.
"""

from __future__ import annotations

import logging
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Any

from flask import Flask, Response, request
from slack_bolt import Ack, App, Respond
from slack_bolt.adapter.flask import SlackRequestHandler
from slack_sdk import WebClient

from bot import actions, commands, dedupe
from bot.blocks import Reply, say
from bot.runtime import ChatRuntime
from bot.settings import ChatSettings
from domain.clock import SystemClock
from locales import gettext as _

log = logging.getLogger("mm.chat")
EVENTS_PATH = "/slack/events"


class _OwnClientIsMeant(logging.Filter):
    """Bolt warns that SLACK_BOT_TOKEN in the environment is unused when it is given a
    client; the client (with SLACK_API_URL and no retries of its own) is meant."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith("As you gave `client` as well")


def build_bolt_app(runtime: ChatRuntime) -> App:
    bolt_log = logging.getLogger("mm.chat.bolt")
    if not any(isinstance(f, _OwnClientIsMeant) for f in bolt_log.filters):
        bolt_log.addFilter(_OwnClientIsMeant())
    app = App(
        name="mojlighetsmodellen",
        client=runtime.client,
        signing_secret=runtime.settings.signing_secret,
        token_verification_enabled=False,  # the site starts even when Slack cannot be reached
        process_before_response=False,
        listener_executor=runtime.listeners,
        logger=bolt_log,
    )
    app.use(dedupe.middleware(runtime.sessions, runtime.clock))
    _register_commands(app, runtime)
    actions.register(app, runtime)
    return app


def _slash_answer(reply: Reply) -> dict[str, Any]:
    return {"response_type": "in_channel" if reply.shared else "ephemeral", **reply.message()}


def _failed() -> Reply:
    return say(_("Something went wrong. Try again in a moment, or use the web site."))


def _register_commands(app: App, runtime: ChatRuntime) -> None:
    ctx = runtime.context

    def reply_to(
        user_id: str, text: str, name: str | None = None, team: str | None = None
    ) -> Reply:
        asker = commands.asker_for_slack(ctx, user_id, name=name, team=team)
        return commands.answer(ctx, asker, text)

    @app.command(runtime.settings.command)
    def slash_command(ack: Ack, command: dict[str, Any], respond: Respond) -> None:
        work = runtime.work.submit(
            reply_to,
            command["user_id"],
            command.get("text", ""),
            command.get("user_name"),
            command.get("team_domain"),
        )
        try:
            reply = work.result(timeout=runtime.ack_budget)
        except FutureTimeout:
            ack(response_type="ephemeral", text=_("One moment, I am looking it up…"))
            runtime.work.submit(lambda: respond(**_slash_answer(_result(work))))
            return
        except Exception:
            log.exception("the command %r failed", command.get("text", ""))
            reply = _failed()
        ack(**_slash_answer(reply))

    @app.event("message")
    def direct_message(event: dict[str, Any], client: WebClient) -> None:
        """Commands written to the bot in its direct-message tab, answered there."""
        if event.get("channel_type") != "im" or event.get("subtype") or event.get("bot_id"):
            return
        reply = reply_to(event["user"], event.get("text", ""))
        client.chat_postMessage(channel=event["channel"], **reply.message())


def _result(done: Any) -> Reply:
    try:
        return done.result()
    except Exception:
        log.exception("a slow command failed")
        return _failed()


def install(app: Flask) -> ChatRuntime | None:
    """Mounts the bot into the web site when Slack settings are present; otherwise one log
    line says chat is off, and the site runs without it."""
    settings = ChatSettings.load(app.config)
    if not settings.enabled:
        log.warning(settings.off_reason())
        return None
    runtime = ChatRuntime(
        settings, app.extensions["mm.sessions"], app.config.get("CLOCK") or SystemClock()
    )
    app.extensions["mm.chat"] = runtime
    if not settings.http:
        log.info("Chat runs in Socket Mode (mm chat socket); %s is not served.", EVENTS_PATH)
        return runtime
    handler = SlackRequestHandler(build_bolt_app(runtime))

    def slack_events() -> Response:
        response = handler.handle(request)
        if response.status_code != 401:
            runtime.sweep_now_and_then()
        return response

    app.add_url_rule(EVENTS_PATH, endpoint="slack_events", view_func=slack_events, methods=["POST"])
    csrf = app.extensions.get("csrf")
    if csrf is not None:  # Slack signs its requests; it cannot send a CSRF token
        csrf.exempt(slack_events)
    return runtime
