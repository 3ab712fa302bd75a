"""Buttons and modals: Acceptera / Avböj on a request card, and turning the page of `platser`.

A click is acknowledged at once; the rest runs in the background: the modal is opened
(trigger ids last 3 seconds) or the clicker is told, privately, why not. When Slack will not
open the modal or show the refusal, the clicker is told through the click's response_url,
or by a direct message later (bot.reach).

A modal's submission runs the domain use case while the acknowledgement waits, because its
errors go back in the acknowledgement itself (`response_action: errors`) — but it waits at
most `ack_budget` seconds: when the database is slow, the modal is acknowledged with "saving"
and updated with the outcome when the use case is done. The card update and the
investigator's message are queued in the use case's transaction and sent after it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App, BoltRequest, Respond
from slack_sdk import WebClient
from sqlalchemy.orm import Session

from bot import command_runs, commands, reach, replies, views
from bot.dedupe import request_key
from bot.inbound import record_id
from bot.runtime import ChatRuntime
from domain.access import Actor, can_see_budget, check_answers_for
from domain.choices import DeclineReason
from domain.errors import DomainError
from locales import gettext as _
from locales import render
from notices.message import escape, link, say
from notices.request_cards import ACCEPT_ACTION, DECLINE_ACTION, answer_line
from services import chat_links
from services.referrals import AlreadyAnswered, accept_request, decline_request, get_request
from storage.db import unit_of_work
from transports.slack import blocks
from transports.slack.blockkit import slack_reply

log = logging.getLogger("mm.chat.actions")

Result = dict[str, Any] | None  # the acknowledgement's arguments; None: already handled


def register(app: App, runtime: ChatRuntime) -> None:
    def opening(kind: str) -> Callable[..., None]:
        def clicked(
            ack: Ack,
            body: dict[str, Any],
            request: BoltRequest,
            client: WebClient,
            respond: Respond,
        ) -> None:
            ack()
            key = request_key(body, request.raw_body)
            runtime.work.submit(_open_modal, runtime, kind, key, body, client, respond)

        return clicked

    app.action(ACCEPT_ACTION)(opening("accept"))
    app.action(DECLINE_ACTION)(opening("decline"))

    @app.view(views.ACCEPT_VIEW)
    def accept_submitted(
        ack: Ack,
        body: dict[str, Any],
        view: dict[str, Any],
        request: BoltRequest,
        client: WebClient,
    ) -> None:
        def use_case(session: Session, actor: Actor, request_id: int) -> None:
            accept_request(
                session,
                actor=actor,
                request_id=request_id,
                meeting_on=views.chosen_date(view, "meeting_on"),
                now=runtime.clock.now(),
            )

        _answer_submission(
            runtime, ack, body, view, request_key(body, request.raw_body), client, use_case
        )

    @app.view(views.DECLINE_VIEW)
    def decline_submitted(
        ack: Ack,
        body: dict[str, Any],
        view: dict[str, Any],
        request: BoltRequest,
        client: WebClient,
    ) -> None:
        chosen = views.chosen_option(view, "reason")

        def use_case(session: Session, actor: Actor, request_id: int) -> None:
            decline_request(
                session,
                actor=actor,
                request_id=request_id,
                reason=DeclineReason(chosen) if chosen in set(DeclineReason) else None,
                comment=views.typed_text(view, "comment"),
                now=runtime.clock.now(),
            )

        _answer_submission(
            runtime, ack, body, view, request_key(body, request.raw_body), client, use_case
        )

    @app.action(replies.PAGE_ACTION)
    def turn_page(ack: Ack, body: dict[str, Any], request: BoltRequest, respond: Respond) -> None:
        ack()
        key = request_key(body, request.raw_body)
        runtime.work.submit(_turn_page, runtime, key, body, respond)


def _turn_page(runtime: ChatRuntime, key: str, body: dict[str, Any], respond: Respond) -> None:
    if not runtime.first_time(key):
        return
    ctx = runtime.context
    page, _sep, shared = str(body["actions"][0].get("value", "1")).partition(":")
    user = body["user"]["id"]
    asker = commands.asker_for_slack(ctx, user)
    if asker.actor is None:
        reach.tell(
            runtime, user=user, reply=say(commands.not_linked(ctx)), key=key, respond=respond
        )
        return
    number = int(page) if page.isdigit() else 1
    with unit_of_work(runtime.sessions, read_only=True) as session:
        result = command_runs.places_shown(session, ctx, page=number)
        budget = (
            command_runs.current_budget(session, ctx)
            if can_see_budget(asker.actor) and not shared
            else None
        )
    reply = replies.places_all(result, budget, page=number, shared=bool(shared))
    try:
        respond(replace_original=True, **slack_reply(reply).message())
    except Exception as error:  # no response_url, or Slack would not take it
        log.warning("could not turn the page (%s)", type(error).__name__)
        reach.later_by_direct_message(runtime, user=user, reply=reply, key=key)


def _open_modal(
    runtime: ChatRuntime,
    kind: str,
    key: str,
    body: dict[str, Any],
    client: WebClient,
    respond: Respond,
) -> None:
    if not runtime.first_time(key):
        return
    user = body["user"]["id"]
    request_id = record_id(body["actions"][0].get("value"))
    if request_id is None:
        return
    with unit_of_work(runtime.sessions) as session:
        actor = chat_links.actor_for_slack_user(session, user)
        refusal, view, code = _modal_or_refusal(session, actor, request_id, kind, runtime.context)
    if view is not None:
        try:
            client.views_open(trigger_id=body.get("trigger_id") or "", view=view)
            return
        except Exception as error:
            log.warning("could not open the %s modal (%s)", kind, type(error).__name__)
            web = link(runtime.settings.referral_url(code), _("answer on the web site"))
            refusal = _(
                "Slack could not open the form just now. Click the button again in a moment, "
                "or %(link)s.",
                link=web,
            )
            reach.tell(runtime, user=user, reply=say(refusal), key=key, respond=respond)
            return
    channel = (body.get("channel") or {}).get("id") or user
    try:
        client.chat_postEphemeral(
            channel=channel, user=user, text=refusal, blocks=blocks.say(refusal).blocks
        )
    except Exception as error:
        log.warning("could not show a refusal privately (%s)", type(error).__name__)
        reach.tell(runtime, user=user, reply=say(refusal), key=key, respond=respond)


def _modal_or_refusal(
    session: Session, actor: Actor | None, request_id: int, kind: str, ctx: commands.ChatContext
) -> tuple[str, dict[str, Any] | None, str]:
    """The modal to open, or the sentence saying why this person cannot answer; and the
    referral's code, for a link to the web site."""
    if actor is None:
        return commands.not_linked(ctx), None, ""
    try:
        request = get_request(session, request_id)
        code = request.referral.reference_code
        if request.answered_at is not None:
            line = answer_line(request)
            text = _("This request has already been answered. %(answer)s", answer=line)
            return text, None, code
        check_answers_for(actor, request.municipality_id)
    except DomainError as error:
        return escape(render(error.text)), None, ""
    modal = views.accept_modal if kind == "accept" else views.decline_modal
    return "", modal(request), code


def _answer_submission(
    runtime: ChatRuntime,
    ack: Ack,
    body: dict[str, Any],
    view: dict[str, Any],
    key: str,
    client: WebClient,
    use_case: Callable[[Session, Actor, int], None],
) -> None:
    """Acknowledges with the outcome when it is ready within the ack budget; otherwise with
    a "saving" modal, which is updated with the outcome afterwards."""
    user = body["user"]["id"]

    def work() -> Result:
        if not runtime.first_time(key):
            return None
        return _submit(runtime, user, view, use_case)

    def later(result: Result, error: BaseException | None) -> None:
        if error is not None:
            log.error("a modal's answer failed", exc_info=error)
            result = _errors(view, None, _failed_text())
        _after_saving(runtime, result, view, client, user, key)

    try:
        ready, result = runtime.within_budget(work, later)
    except Exception:
        log.exception("a modal's answer failed")
        ack(**_errors(view, None, _failed_text()))
        return
    if not ready:
        ack(response_action="update", view=views.saving_modal())
        return
    ack(**(result or {}))


def _after_saving(
    runtime: ChatRuntime,
    result: Result,
    view: dict[str, Any],
    client: WebClient,
    user: str,
    key: str,
) -> None:
    """The outcome of a slow submission, in the modal that said "saving"."""
    if result is None:
        return  # a retry of a submission that was answered
    if result.get("response_action") == "update":
        shown, text = result["view"], _("This request has already been answered.")
    elif result.get("response_action") == "errors":
        text = " ".join(result["errors"].values())
        shown = views.with_problem(view, text)
    else:
        shown, text = views.saved_modal(), _("Your answer is saved.")
    try:
        client.views_update(view_id=view.get("id") or "", view=shown)
    except Exception as error:
        log.warning("could not update a modal after saving (%s)", type(error).__name__)
        reach.tell(runtime, user=user, reply=say(text), key=key)


def _failed_text() -> str:
    return _("Something went wrong. Try again in a moment, or use the web site.")


def _submit(
    runtime: ChatRuntime,
    user: str,
    view: dict[str, Any],
    use_case: Callable[[Session, Actor, int], None],
) -> dict[str, Any]:
    """Runs the answer; returns the acknowledgement: empty (the modal closes), the errors
    under their inputs, or a view saying who answered first."""
    request_id = views.request_id_of(view)
    try:
        with unit_of_work(runtime.sessions) as session:
            actor = chat_links.actor_for_slack_user(session, user)
            if actor is None or request_id is None:
                return _errors(view, None, commands.not_linked(runtime.context))
            try:
                use_case(session, actor, request_id)
            except AlreadyAnswered as lost:
                session.rollback()
                session.refresh(lost.request)
                return {"response_action": "update", "view": views.answered_modal(lost.request)}
    except DomainError as error:
        return _errors(view, error.field, render(error.text))
    return {}


def _errors(view: dict[str, Any], field: str | None, text: str) -> dict[str, Any]:
    return {"response_action": "errors", "errors": {views.error_block(view, field): text}}
