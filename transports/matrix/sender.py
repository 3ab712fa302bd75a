"""Posting the outbox's Matrix messages: to a room, or to the bot's direct chat with a user
(created, and remembered, the first time).

Every send carries a transaction id made from the outbox key: a homeserver that already has
the event answers with it instead of posting again, also after it restarted, so a send that
was cut off half-way is simply sent again. An update is an edit (m.replace) of the card.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

from nio import AsyncClient, RoomPreset
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from storage.db import unit_of_work
from storage.models import MatrixDirectRoom
from transports.matrix.client import Loop, checked, logged_in, new_client
from transports.matrix.settings import MatrixSettings

EVENT = "m.room.message"


def transaction_id(key: str, update: bool = False) -> str:
    return ("mm-edit-" if update else "mm-") + hashlib.sha256(key.encode()).hexdigest()[:40]


class MatrixSender:
    def __init__(self, settings: MatrixSettings, sessions: sessionmaker[Session]) -> None:
        self.settings = settings
        self.sessions = sessions
        self.loop = Loop("mm-matrix-sender")
        self._client: AsyncClient | None = None

    async def _ready(self) -> AsyncClient:
        if self._client is None:
            self._client = new_client(self.settings)
        return await logged_in(self._client, self.settings)

    def _direct_room(self, user_id: str) -> str:
        with unit_of_work(self.sessions) as session:
            found = session.get(MatrixDirectRoom, user_id)
            if found is not None:
                return found.room_id
        room = self.loop.run(self._create_direct(user_id))
        try:
            with unit_of_work(self.sessions) as session:
                session.add(MatrixDirectRoom(matrix_user_id=user_id, room_id=room))
        except IntegrityError:  # another sender made one first: use theirs
            with unit_of_work(self.sessions) as session:
                return session.get(MatrixDirectRoom, user_id).room_id  # type: ignore[union-attr]
        return room

    async def _create_direct(self, user_id: str) -> str:
        client = await self._ready()
        created = checked(
            await client.room_create(
                is_direct=True,
                invite=[user_id],
                preset=RoomPreset.trusted_private_chat,
                federate=False,
            )
        )
        return str(created.room_id)

    def room_of(self, channel: str) -> str:
        return channel if channel.startswith("!") else self._direct_room(channel)

    async def _send(self, room: str, content: dict[str, Any], txn: str) -> str:
        client = await self._ready()
        sent = checked(await client.room_send(room, EVENT, content, tx_id=txn))
        return str(sent.event_id)

    def post(self, channel: str, text: str, content: Any, key: str) -> tuple[str, str]:
        room = self.room_of(channel)
        return room, self.loop.run(self._send(room, dict(content), transaction_id(key)))

    def update(self, channel: str, ts: str, text: str, content: Any) -> None:
        """An edit of the message posted earlier (its event id in `ts`)."""
        new = dict(content)
        edit = {
            **new,
            "body": f"* {new.get('body', '')}",
            "m.new_content": new,
            "m.relates_to": {"rel_type": "m.replace", "event_id": ts},
        }
        if "formatted_body" in new:
            edit["formatted_body"] = f"* {new['formatted_body']}"
        self.loop.run(self._send(channel, edit, transaction_id(ts, update=True)))

    def find(self, channel: str, key: str, since: datetime) -> tuple[str, str] | None:
        """Not needed: the transaction id makes sending again safe."""
        return None

    def close(self) -> None:
        if self._client is not None:
            self.loop.run(self._client.close())
        self.loop.close()
