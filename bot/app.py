"""The Bolt app, and mounting it into the web site at POST /slack/events.

One endpoint takes slash commands, interactivity (buttons, modals, shortcuts) and events.
bot.inbound lets a request in first (signature over the raw body: 401; a shape the bot
cannot read: 400; another workspace: 403) — nothing before that parses or stores anything.

Acknowledgement first: Bolt runs in its FaaS mode (process_before_response), so each
listener's acknowledging part runs in the request's own thread and never waits for a free
worker. Nothing that can block — the database, Slack's Web API — runs before the
acknowledgement: the work (duplicate check included) runs in runtime.work, and a slash
command or a modal waits for it at most `ack_budget` seconds before it is acknowledged with
"one moment" and answered afterwards. Bolt's authorization is static (bot.identity): no
auth.test on the request path.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import Any, cast

from flask import Flask, Response, request
from slack_bolt import Ack, App, BoltRequest, BoltResponse, Respond
from slack_bolt.adapter.flask.handler import to_flask_response
from slack_bolt.authorization import AuthorizeResult

from bot import actions, commands, home, inbound, reach
from bot.dedupe import request_key
from bot.runtime import ChatRuntime
from locales import gettext as _
from notices.message import Message, link, say
from transports.delivery import Delivery
from transports.slack.blockkit import slack_reply
from transports.slack.settings import ChatSettings
from web import sessions

log = logging.getLogger("mm.chat")
EVENTS_PATH = "/slack/events"
OPEN_ON_WEB = "open_on_web"  # the message shortcut "Öppna på webbplatsen"
_MENTION = re.compile(r"<@[A-Z0-9]+(?:\|[^>]*)?>")
_CODE = re.compile(r"\b[A-Z]{1,10}-\d{4}-\d{4,6}\b")


class _OwnClientIsMeant(logging.Filter):
    """Bolt warns that a token is skipped when it is given a client and an authorize
    function; the client (with SLACK_API_URL and bounded retries) and the static
    authorization (bot.identity) are meant."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        return not message.startswith(("As you gave `client` as well", "As `installation_store`"))


def build_bolt_app(runtime: ChatRuntime) -> App:
    bolt_log = logging.getLogger("mm.chat.bolt")
    if not any(isinstance(f, _OwnClientIsMeant) for f in bolt_log.filters):
        bolt_log.addFilter(_OwnClientIsMeant())
    app = App(
        name="mojlighetsmodellen",
        client=runtime.client,
        signing_secret=runtime.settings.signing_secret,
        # bot.inbound has checked the signature over the raw bytes before Bolt sees the
        # request (and Socket Mode's requests carry none): Bolt's own check would repeat it.
        request_verification_enabled=False,
        # Bolt's type says an AuthorizeResult; its code takes None as "not this workspace".
        authorize=cast(Callable[..., AuthorizeResult], _static_authorization(runtime)),
        process_before_response=True,  # acknowledge in the request's thread (see above)
        listener_executor=runtime.listeners,
        logger=bolt_log,
    )
    app.error(_listener_failed)
    _register_commands(app, runtime)
    _register_events(app, runtime)
    actions.register(app, runtime)
    return app


def _static_authorization(runtime: ChatRuntime) -> Callable[..., AuthorizeResult | None]:
    identity = runtime.identity

    # Bolt passes arguments by their names: a plain function, not a bound method.
    def authorize(
        enterprise_id: str | None, team_id: str | None, user_id: str | None
    ) -> AuthorizeResult | None:
        return identity.authorize(enterprise_id, team_id, user_id)

    return authorize


def _listener_failed(error: Exception) -> BoltResponse:
    """A listener raised (a bug: the request passed bot.inbound): logged with its traceback,
    and Slack gets a short apology instead of an HTTP 500."""
    log.error("a chat listener failed", exc_info=error)
    return BoltResponse(status=200, body=_failed().text)


def _slash_answer(reply: Message) -> dict[str, Any]:
    """A slash command's answer as Bolt sends it: worked out once per kept answer (writing the
    free places of 25 municipalities out as blocks was a tenth of a served `/mm platser`)."""
    return reply.rendered("slack slash answer", _slash_answer_of)


def _slash_answer_of(reply: Message) -> dict[str, Any]:
    shown = "in_channel" if reply.shared else "ephemeral"
    return {"response_type": shown, **slack_reply(reply).message()}


def _failed() -> Message:
    return say(_("Something went wrong. Try again in a moment, or use the web site."))


def _register_commands(app: App, runtime: ChatRuntime) -> None:
    ctx = runtime.context

    @app.command(runtime.settings.command)
    def slash_command(
        ack: Ack,
        body: dict[str, Any],
        command: dict[str, Any],
        request: BoltRequest,
        respond: Respond,
    ) -> None:
        key = request_key(body, request.raw_body)
        user, text = command["user_id"], command.get("text") or ""
        name, team = command.get("user_name"), command.get("team_domain")
        # A command that only reads and is answered in time is answered in this response
        # with nothing written: a repeat of it is answered again, the same (bot.dedupe).
        reads = commands.only_reads(text)

        def work() -> Message | None:
            if not reads and not runtime.first_time(key):
                return None
            return commands.reply_for_slack(ctx, user, text, name=name, team=team)

        def later(reply: Message | None, error: BaseException | None) -> None:
            # A late answer is posted, not returned: it is recorded once, like every post.
            if reads and not runtime.first_time(key):
                return
            _answer_later(runtime, reply, error, respond, user, key)

        try:
            ready, reply = runtime.within_budget(work, later)
        except Exception:
            log.exception("the command %r failed", text)
            ready, reply = True, _failed()
        if not ready:
            ack(response_type="ephemeral", text=_("One moment, I am looking it up…"))
            return
        if reply is None:
            ack()  # a retry of a command that was answered
            return
        ack(**_slash_answer(reply))


def _answer_later(
    runtime: ChatRuntime,
    reply: Message | None,
    error: BaseException | None,
    respond: Respond,
    user: str,
    key: str,
) -> None:
    """A slow command's answer, through its response_url; a direct message when that fails."""
    if error is not None:
        log.error("a slow command failed", exc_info=error)
        reply = _failed()
    if reply is None:
        return
    try:
        answer = respond(**_slash_answer(reply))
        if getattr(answer, "status_code", 200) == 200:
            return
    except Exception as failure:
        log.warning("could not answer a command through response_url (%s)", type(failure).__name__)
    reach.later_by_direct_message(runtime, user=user, reply=reply, key=key)


def _register_events(app: App, runtime: ChatRuntime) -> None:
    def in_background(work: Callable[..., None]) -> Callable[..., None]:
        """An event is acknowledged by Bolt as soon as this returns; the work runs after."""

        def listener(event: dict[str, Any], body: dict[str, Any], request: BoltRequest) -> None:
            runtime.work.submit(_once, runtime, request_key(body, request.raw_body), work, event)

        return listener

    app.event("message")(in_background(_direct_message))
    app.event("app_mention")(in_background(_mentioned))
    app.event("app_home_opened")(in_background(_home_opened))

    @app.shortcut(OPEN_ON_WEB)
    def open_on_web(ack: Ack, body: dict[str, Any], request: BoltRequest, respond: Respond) -> None:
        ack()
        key = request_key(body, request.raw_body)
        runtime.work.submit(_once, runtime, key, _open_on_web, body, respond)


def _once(runtime: ChatRuntime, key: str, work: Callable[..., None], *args: Any) -> None:
    if runtime.first_time(key):
        work(runtime, key, *args)


def _answer(runtime: ChatRuntime, user: str, text: str) -> Message:
    ctx = runtime.context
    return commands.reply_for_slack(ctx, user, text)


def _direct_message(runtime: ChatRuntime, key: str, event: dict[str, Any]) -> None:
    """Commands written to the bot in its direct-message tab, answered there."""
    user = event.get("user")
    if event.get("channel_type") != "im" or event.get("subtype") or event.get("bot_id"):
        return
    if not user:
        return
    reply = _answer(runtime, user, event.get("text") or "")
    try:
        runtime.client.chat_postMessage(channel=event["channel"], **slack_reply(reply).message())
    except Exception as error:
        log.warning("could not answer a direct message (%s)", type(error).__name__)
        reach.later_by_direct_message(runtime, user=user, reply=reply, key=key)


def _mentioned(runtime: ChatRuntime, key: str, event: dict[str, Any]) -> None:
    """@Möjlighetsmodellen in a channel: answered as in a direct message, but privately in
    the channel (only `dela` answers are for everyone there)."""
    user, channel = event["user"], event["channel"]
    reply = _answer(runtime, user, _MENTION.sub(" ", event.get("text") or "").strip())
    try:
        if reply.shared:
            runtime.client.chat_postMessage(channel=channel, **slack_reply(reply).message())
        else:
            runtime.client.chat_postEphemeral(
                channel=channel, user=user, **slack_reply(reply).message()
            )
    except Exception as error:
        log.warning("could not answer a mention (%s)", type(error).__name__)
        reach.later_by_direct_message(runtime, user=user, reply=reply, key=key)


def _home_opened(runtime: ChatRuntime, key: str, event: dict[str, Any]) -> None:
    """The Home tab is published when opened; the first visit to the Messages tab gets a
    short welcome, once."""
    if event.get("tab") == "messages":
        home.welcome(runtime, event["user"])
    else:
        home.publish(runtime.context, runtime.client, event["user"])


def _open_on_web(runtime: ChatRuntime, key: str, body: dict[str, Any], respond: Respond) -> None:
    """The message shortcut on a card: a private link to the referral on the web site
    (which checks who may see it)."""
    message = body.get("message") or {}
    found = _CODE.search(f"{message.get('text') or ''} {message.get('blocks') or ''}")
    settings: ChatSettings = runtime.settings
    if found is None:
        reply = say(
            _(
                "This message is not about a referral. The web site: %(link)s",
                link=link(settings.site_url, settings.site_url),
            )
        )
    else:
        code = found.group(0)
        reply = say(
            link(
                settings.referral_url(code),
                _("Open %(code)s on the web site", code=code),
            )
        )
    reach.tell(runtime, user=body["user"]["id"], reply=reply, key=key, respond=respond)


def install(app: Flask, delivery: Delivery) -> ChatRuntime:
    """Mounts the chat bot into the web site, which has Slack on: its runtime builds on the
    site's delivery runtime (transports.delivery, which sends the notices with or without the bot),
    and in HTTP mode it serves /slack/events."""
    settings = delivery.channels.slack
    runtime = ChatRuntime(
        settings, app.extensions["mm.sessions"], delivery.clock, delivery=delivery
    )
    app.extensions["mm.chat"] = runtime
    if not settings.http:
        if settings.signing_secret:
            log.warning(settings.off_reason())
        else:
            log.info("Chat runs in Socket Mode (mm chat socket); %s is not served.", EVENTS_PATH)
        return runtime
    bolt_app = build_bolt_app(runtime)

    def slack_events() -> Response:
        try:
            admitted = inbound.admit(
                request.get_data(cache=True),
                request.headers,
                secret=settings.signing_secret,
                team_id=settings.team_id,
            )
        except inbound.Refused as refused:
            log.info("%s refused: %s (HTTP %s)", EVENTS_PATH, refused.reason, refused.status)
            return Response(status=refused.status)
        if admitted.request is None:  # an event type the bot ignores: answered here, unread
            status, body = admitted.answer or (200, "")
            return Response(body, status=status)
        runtime.identity.verify_in_background(runtime.client)
        response = to_flask_response(bolt_app.dispatch(admitted.request))
        runtime.sweep_now_and_then()
        return response

    app.add_url_rule(EVENTS_PATH, endpoint="slack_events", view_func=slack_events, methods=["POST"])
    sessions.without_session(app, EVENTS_PATH)  # Slack never sends the site's cookie
    csrf = app.extensions.get("csrf")
    if csrf is not None:  # Slack signs its requests; it cannot send a CSRF token
        csrf.exempt(slack_events)
    return runtime
