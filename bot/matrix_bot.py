"""`mm chat matrix`: the bot's own process on the homeserver.

A sync loop (matrix-nio) reads what is written in the rooms the bot is in; `!mm …` is parsed
and answered by the same code as `/mm` in Slack (bot.commands). Matrix has no private
answers in a room: in a room with several people an answer goes to the room only when
everyone there may see it (free places, without the budget line, as `dela` in Slack);
anything else goes to the asker's direct chat with the bot, and the room is told so.

Answers, like everything the bot posts, go through the outbox (transports.matrix.sender, with
transaction ids), so nothing is lost while the homeserver is away and nothing is posted
twice when it comes back. The sync token is kept in the database (chat_cursor), so a
restart of this process goes on where it stopped; every event is taken in once
(chat_request_seen). Invitations to rooms are accepted. The outbox is swept regularly.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from dataclasses import replace
from typing import Any

from aiohttp import ClientError
from nio import AsyncClient, MatrixRoom, RoomMessageText, SyncResponse

from bot import commands
from bot.runtime import ChatRuntime
from locales import gettext as _
from notices.message import Message, say
from storage.db import unit_of_work
from storage.models import ChatCursor
from transports.channels import to_matrix
from transports.matrix.client import MatrixError, logged_in, new_client
from transports.matrix.settings import MatrixSettings
from transports.slack.settings import OUTBOX_SWEEP_SECONDS

log = logging.getLogger("mm.chat.matrix")

CURSOR = "matrix:since"
SYNC_TIMEOUT_MS = 30_000
LONGEST_PAUSE = 30.0


def _load_cursor(runtime: ChatRuntime) -> str | None:
    with unit_of_work(runtime.sessions) as session:
        found = session.get(ChatCursor, CURSOR)
        return found.value if found else None


def _save_cursor(runtime: ChatRuntime, value: str) -> None:
    with unit_of_work(runtime.sessions) as session:
        found = session.get(ChatCursor, CURSOR)
        if found is None:
            session.add(ChatCursor(name=CURSOR, value=value))
        else:
            found.value = value


class MatrixBot:
    def __init__(
        self,
        runtime: ChatRuntime,
        settings: MatrixSettings,
        stop: threading.Event | None = None,
        sync_timeout_ms: int = SYNC_TIMEOUT_MS,
    ) -> None:
        self.runtime = runtime
        self.settings = settings
        self.stop = stop or threading.Event()
        self.sync_timeout_ms = sync_timeout_ms
        chat_settings = replace(runtime.settings, command=settings.command)
        self.context = replace(runtime.context, settings=chat_settings, service="Matrix")
        self.client: AsyncClient = new_client(settings)
        self._last_sweep = 0.0

    # -- answering ---------------------------------------------------------------------
    def command_text(self, body: str) -> str | None:
        """What follows `!mm`, or None when the message is not for the bot."""
        words = body.strip().split(maxsplit=1)
        if not words or words[0].casefold() != self.settings.command.casefold():
            return None
        return words[1] if len(words) > 1 else ""

    def answer(self, room_id: str, direct: bool, sender: str, event_id: str, text: str) -> None:
        """Runs in a worker thread: the answer, queued in the outbox (once per event)."""
        key = f"matrix:{event_id}"
        if not self.runtime.first_time(key[:100]):
            return
        asker = commands.asker_for_matrix(self.context, sender)
        asked = text if direct else f"{text} dela"
        reply = commands.answer(self.context, asker, asked)
        to_room = direct or reply.shared
        now = self.runtime.clock.now()
        with unit_of_work(self.runtime.sessions) as session:
            to_matrix(session, key=key, room=room_id if to_room else sender, message=reply, now=now)
            if not to_room:
                note: Message = say(_("I have answered you in a direct chat."))
                to_matrix(session, key=f"{key}:note", room=room_id, message=note, now=now)

    async def on_sync(self, response: SyncResponse) -> None:
        for room_id in response.rooms.invite:
            joined = await self.client.join(room_id)
            log.info("joined %s (%s)", room_id, type(joined).__name__)
        loop = asyncio.get_running_loop()
        for room_id, room in response.rooms.join.items():
            matrix_room: MatrixRoom | None = self.client.rooms.get(room_id)
            direct = matrix_room is not None and matrix_room.member_count <= 2
            for event in room.timeline.events:
                if not isinstance(event, RoomMessageText) or event.sender == self.client.user_id:
                    continue
                text = self.command_text(event.body)
                if text is None:
                    continue
                await loop.run_in_executor(
                    None, self.answer, room_id, direct, event.sender, event.event_id, text
                )

    # -- the loop ----------------------------------------------------------------------
    async def first_sync(self) -> str:
        """A fresh start: take the rooms as they are, answer nothing from before."""
        since = await asyncio.get_running_loop().run_in_executor(None, _load_cursor, self.runtime)
        if since:
            return since
        response = await self.client.sync(timeout=0, full_state=True)
        if not isinstance(response, SyncResponse):
            raise MatrixError(str(getattr(response, "status_code", "M_UNKNOWN")))
        for room_id in response.rooms.invite:
            await self.client.join(room_id)
        await asyncio.get_running_loop().run_in_executor(
            None, _save_cursor, self.runtime, response.next_batch
        )
        return str(response.next_batch)

    async def sweep_now_and_then(self) -> None:
        if time.monotonic() - self._last_sweep >= OUTBOX_SWEEP_SECONDS:
            self._last_sweep = time.monotonic()
            await asyncio.get_running_loop().run_in_executor(None, self.runtime.sweep)

    async def run(self) -> None:
        """Syncs until stopped; a homeserver that goes away is waited for, longer each time."""
        await logged_in(self.client, self.settings)
        pause = 0.5
        since: str | None = None
        while not self.stop.is_set():
            try:
                if since is None:
                    since = await self.first_sync()
                response: Any = await self.client.sync(
                    timeout=self.sync_timeout_ms, since=since, full_state=False
                )
                if not isinstance(response, SyncResponse):
                    raise MatrixError(str(getattr(response, "status_code", "M_UNKNOWN")))
                await self.on_sync(response)
                since = str(response.next_batch)
                await asyncio.get_running_loop().run_in_executor(
                    None, _save_cursor, self.runtime, since
                )
                await self.sweep_now_and_then()
                pause = 0.5
            except (ClientError, TimeoutError, MatrixError, OSError) as error:
                log.warning("the homeserver did not answer (%s); trying again", error)
                await asyncio.sleep(pause)
                pause = min(pause * 2, LONGEST_PAUSE)
        await self.client.close()


def run(
    runtime: ChatRuntime,
    settings: MatrixSettings,
    stop: threading.Event | None = None,
    sync_timeout_ms: int = SYNC_TIMEOUT_MS,
) -> None:
    """Blocks: the bot's sync loop, until Ctrl+C or `stop` is set."""
    asyncio.run(MatrixBot(runtime, settings, stop, sync_timeout_ms).run())
