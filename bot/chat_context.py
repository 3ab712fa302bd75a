"""Who asks a chat command, and what every command runs with: the chat settings, the
database and the clock (bot.commands routes the command; bot.command_runs does it); and
what someone not linked yet is told, wherever they ask (commands, buttons, the Home tab)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date, datetime

from sqlalchemy.orm import Session, sessionmaker

from domain.access import Actor
from domain.clock import Clock, local_date
from locales import gettext as _
from services import chat_links
from storage.db import unit_of_work
from transports.slack.settings import ChatSettings


@dataclass(frozen=True)
class ChatContext:
    settings: ChatSettings  # its `command` is how commands are written: /mm, or !mm in Matrix
    sessions: sessionmaker[Session]
    clock: Clock
    service: str = "Slack"  # the chat service's name, in sentences about linking
    # The read-only unit of work a whole answer shares (`reading_together`), when one is open.
    reading: Session | None = None

    def now(self) -> datetime:
        return self.clock.now()

    def today(self) -> date:
        return local_date(self.now())

    @contextmanager
    def read(self) -> Iterator[Session]:
        """The shared read-only unit of work, or a read-only one of its own."""
        if self.reading is not None:
            yield self.reading
            return
        with unit_of_work(self.sessions, read_only=True) as session:
            yield session


@contextmanager
def reading_together(ctx: ChatContext) -> Iterator[ChatContext]:
    """One read-only unit of work for who asks and the answer: one transaction, not two."""
    with unit_of_work(ctx.sessions, read_only=True) as session:
        yield replace(ctx, reading=session)


@dataclass(frozen=True)
class Asker:
    """Who asks: their Slack user id (None in `mm chat --as`) and, when linked, their Actor;
    in Matrix, their Matrix user id instead."""

    slack_user_id: str | None
    actor: Actor | None
    matrix_user_id: str | None = None

    # As Slack names them (slash commands carry both), for the link confirmation page.
    slack_user_name: str | None = None
    slack_team: str | None = None


def asker_for_matrix(ctx: ChatContext, matrix_user_id: str) -> Asker:
    with unit_of_work(ctx.sessions) as session:
        actor = chat_links.actor_for_matrix_user(session, matrix_user_id)
        return Asker(None, actor, matrix_user_id)


def asker_for_slack(
    ctx: ChatContext, slack_user_id: str, *, name: str | None = None, team: str | None = None
) -> Asker:
    with ctx.read() as session:
        actor = chat_links.actor_for_slack_user(session, slack_user_id)
        return Asker(slack_user_id, actor, slack_user_name=name, slack_team=team)


def not_linked(ctx: ChatContext) -> str:
    return _(
        "I do not know who you are yet. Write %(command)s to get a link that connects your "
        "%(service)s account to your account on the web site.",
        command=f"`{ctx.settings.command} koppla`",
        service=ctx.service,
    )
