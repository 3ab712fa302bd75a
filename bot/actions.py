"""Buttons and modals: Acceptera / Avböj on a request card, and turning the page of `platser`.

A click is acknowledged at once; then the modal is opened (trigger ids last 3 seconds) or the
clicker is told, privately, why not. A modal's submission runs the domain use case before
the acknowledgement, because its errors go back in the acknowledgement itself
(`response_action: errors`); the card update and the investigator's message are queued in
the same transaction and sent after it (bot.notifications).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient
from sqlalchemy.orm import Session

from bot import commands, replies, views
from bot.blocks import escape, say
from bot.cards import ACCEPT_ACTION, DECLINE_ACTION, answer_line
from bot.runtime import ChatRuntime
from domain.access import Actor, can_see_budget, check_answers_for
from domain.choices import DeclineReason
from domain.errors import DomainError
from locales import gettext as _
from locales import render
from services import chat_links, reports
from services.referrals import AlreadyAnswered, accept_request, decline_request, get_request
from storage.db import unit_of_work

log = logging.getLogger("mm.chat.actions")


def register(app: App, runtime: ChatRuntime) -> None:
    ctx = runtime.context

    def open_modal(kind: str, ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        user = body["user"]["id"]
        try:
            request_id = int(body["actions"][0]["value"])
        except (KeyError, IndexError, ValueError):
            return
        with unit_of_work(runtime.sessions) as session:
            actor = chat_links.actor_for_slack_user(session, user)
            refusal, view = _modal_or_refusal(session, actor, request_id, kind, ctx)
        if view is not None:
            client.views_open(trigger_id=body["trigger_id"], view=view)
            return
        channel = (body.get("channel") or {}).get("id") or user
        client.chat_postEphemeral(
            channel=channel, user=user, text=refusal, blocks=say(refusal).blocks
        )

    @app.action(ACCEPT_ACTION)
    def accept_clicked(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        open_modal("accept", ack, body, client)

    @app.action(DECLINE_ACTION)
    def decline_clicked(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        open_modal("decline", ack, body, client)

    @app.view(views.ACCEPT_VIEW)
    def accept_submitted(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        def use_case(session: Session, actor: Actor, request_id: int) -> None:
            accept_request(
                session,
                actor=actor,
                request_id=request_id,
                meeting_on=views.chosen_date(view, "meeting_on"),
                now=runtime.clock.now(),
            )

        ack(**_submit(runtime, body["user"]["id"], view, use_case))

    @app.view(views.DECLINE_VIEW)
    def decline_submitted(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
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

        ack(**_submit(runtime, body["user"]["id"], view, use_case))

    @app.action(replies.PAGE_ACTION)
    def turn_page(ack: Ack, body: dict[str, Any], respond: Respond) -> None:
        ack()
        page, _sep, shared = str(body["actions"][0].get("value", "1")).partition(":")
        asker = commands.asker_for_slack(ctx, body["user"]["id"])
        if asker.actor is None:
            respond(replace_original=False, **say(commands.not_linked(ctx)).message())
            return
        with unit_of_work(runtime.sessions) as session:
            result = reports.availability(session)
            budget = (
                commands.current_budget(session, ctx)
                if can_see_budget(asker.actor) and not shared
                else None
            )
        reply = replies.places_all(
            result, budget, page=int(page) if page.isdigit() else 1, shared=bool(shared)
        )
        respond(replace_original=True, **reply.message())


def _modal_or_refusal(
    session: Session, actor: Actor | None, request_id: int, kind: str, ctx: commands.ChatContext
) -> tuple[str, dict[str, Any] | None]:
    """The modal to open, or the sentence saying why this person cannot answer."""
    if actor is None:
        return commands.not_linked(ctx), None
    try:
        request = get_request(session, request_id)
        if request.answered_at is not None:
            line = answer_line(request)
            return _("This request has already been answered. %(answer)s", answer=line), None
        check_answers_for(actor, request.municipality_id)
    except DomainError as error:
        return escape(render(error.text)), None
    modal = views.accept_modal if kind == "accept" else views.decline_modal
    return "", modal(request)


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
