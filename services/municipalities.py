"""Use cases for a municipality: its declared capacity and its offer (verktygslåda)."""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from domain.access import Actor, can_administer, check_manages_accounts, check_manages_municipality
from domain.choices import IntakeState
from domain.errors import NotAllowed, NotFound, RuleViolation, checked_text
from domain.text import N_, plain_letters
from domain.typed_events import (
    CapacitySet,
    ChatChannelSet,
    MunicipalityAdded,
    MunicipalityChanged,
    OfferSet,
)
from services import history
from storage import queries
from storage.models import Municipality

MAX_CAPACITY = 1000
MAX_OFFER = 5000
# A public (C…) or private (G…, older workspaces) channel id, as Slack shows it.
SLACK_CHANNEL_ID = re.compile(r"[CG][A-Z0-9]{8,39}")


def find_municipality(session: Session, name_or_code: str) -> Municipality:
    """By kommunkod or by name, ignoring case (and, for names, å/ä/ö written as a/a/o)."""
    wanted = (name_or_code or "").strip()
    letters = plain_letters(wanted)
    # The names and codes only (a national program has 290), then the one row found.
    names = select(Municipality.id, Municipality.code, Municipality.name)
    for municipality_id, code, name in session.execute(names.order_by(Municipality.name)):
        if wanted == code or letters == plain_letters(name):
            found = session.get(Municipality, municipality_id)
            if found is not None:
                return found
    raise NotFound(N_("There is no municipality called %(name)s in the program."), name=wanted)


def _get(session: Session, municipality_id: int) -> Municipality:
    municipality = session.get(Municipality, municipality_id)
    if municipality is None:
        raise NotFound(N_("There is no such municipality."))
    return municipality


def set_capacity(
    session: Session,
    *,
    actor: Actor,
    municipality_id: int,
    capacity: int | None,
    now: datetime,
    state: IntakeState | None = None,
) -> Municipality:
    """How many participants the municipality can take now (it changes over time), and
    whether it takes new ones at all (`state`; unchanged when None).

    The row is locked while it changes, so that under concurrent changes each event's
    "previous" is the capacity the one before it set, on both databases."""
    check_manages_municipality(actor, municipality_id)
    if capacity is None or isinstance(capacity, bool) or not 0 <= capacity <= MAX_CAPACITY:
        raise RuleViolation(
            N_("The capacity must be a whole number from 0 to %(max)s."),
            field="capacity",
            max=MAX_CAPACITY,
        )
    if state is not None and not isinstance(state, IntakeState):
        raise RuleViolation(N_("Choose whether you take new participants."), field="state")
    municipality = queries.lock_municipality(session, municipality_id)
    if municipality is None:
        raise NotFound(N_("There is no such municipality."))
    previous, previous_state = municipality.capacity, municipality.intake_state
    municipality.capacity = capacity
    municipality.intake_state = state or previous_state
    history.record(
        session,
        CapacitySet(
            municipality_id=municipality_id,
            previous=previous,
            capacity=capacity,
            previous_state=previous_state.value,
            state=municipality.intake_state.value,
        ),
        at=now,
        actor=actor,
    )
    return municipality


def set_offer(
    session: Session, *, actor: Actor, municipality_id: int, offer: str, now: datetime
) -> Municipality:
    check_manages_municipality(actor, municipality_id)
    municipality = _get(session, municipality_id)
    municipality.offer = checked_text(offer, MAX_OFFER, "offer")
    history.record(session, OfferSet(municipality_id=municipality_id), at=now, actor=actor)
    return municipality


def set_slack_channel(
    session: Session,
    *,
    actor: Actor | None,
    municipality_id: int,
    channel: str | None,
    now: datetime,
) -> Municipality:
    """The chat channel where the municipality's requests are posted; None or "" for none.

    `actor` is None only for the command line, run by whoever operates the server."""
    _check_chooses_chat(actor)
    channel = (channel or "").strip().upper() or None
    if channel is not None and not SLACK_CHANNEL_ID.fullmatch(channel):
        raise RuleViolation(
            N_(
                "%(channel)s is not a Slack channel id. It looks like C0123ABCD and is shown at "
                "the bottom of the channel's details in Slack."
            ),
            field="slack_channel",
            channel=channel,
        )
    return _set_chat_place(session, actor, municipality_id, "slack_channel", channel, now)


KOMMUNKOD = re.compile(r"\d{4}")


def _checked_municipality(
    session: Session, *, name: str, code: str, municipality: Municipality | None
) -> tuple[str, str]:
    name = checked_text(name, 100, "name")
    if not name:
        raise RuleViolation(N_("Enter the municipality's name."), field="name")
    code = (code or "").strip()
    if not KOMMUNKOD.fullmatch(code):
        raise RuleViolation(
            N_("The municipality code is four digits, for example 1273 for Osby."), field="code"
        )
    for other in session.scalars(select(Municipality)):
        if other is municipality:
            continue
        if other.code == code:
            raise RuleViolation(
                N_("Another municipality already has the code %(code)s."), field="code", code=code
            )
        if plain_letters(other.name) == plain_letters(name):
            raise RuleViolation(
                N_("There is already a municipality called %(name)s."), field="name", name=name
            )
    return name, code


def add_municipality(
    session: Session,
    *,
    actor: Actor | None,
    name: str,
    code: str,
    slack_channel: str | None,
    now: datetime,
    matrix_room: str | None = None,
) -> Municipality:
    """A new municipality in the collaboration (the administrator; `None`: the operator)."""
    check_manages_accounts(actor)
    name, code = _checked_municipality(session, name=name, code=code, municipality=None)
    municipality = Municipality(name=name, code=code, capacity=0, offer="")
    session.add(municipality)
    session.flush()
    history.record(
        session, MunicipalityAdded(municipality_id=municipality.id, code=code), at=now, actor=actor
    )
    if (slack_channel or "").strip():
        set_slack_channel(
            session,
            actor=actor,
            municipality_id=municipality.id,
            channel=slack_channel,
            now=now,
        )
    if (matrix_room or "").strip():
        set_matrix_room(
            session, actor=actor, municipality_id=municipality.id, room=matrix_room, now=now
        )
    return municipality


def change_municipality(
    session: Session,
    *,
    actor: Actor | None,
    municipality_id: int,
    name: str,
    code: str,
    slack_channel: str | None,
    now: datetime,
    matrix_room: str | None = None,
) -> list[str]:
    """Name, kommunkod, Slack channel and Matrix room; returns the names of what changed."""
    check_manages_accounts(actor)
    municipality = _get(session, municipality_id)
    name, code = _checked_municipality(session, name=name, code=code, municipality=municipality)
    changed = [
        field
        for field, old, new in (
            ("name", municipality.name, name),
            ("code", municipality.code, code),
        )
        if old != new
    ]
    municipality.name, municipality.code = name, code
    if changed:
        history.record(
            session,
            MunicipalityChanged(municipality_id=municipality.id, fields=tuple(changed)),
            at=now,
            actor=actor,
        )
    channel = (slack_channel or "").strip().upper() or None
    if channel != municipality.slack_channel:
        set_slack_channel(
            session, actor=actor, municipality_id=municipality.id, channel=channel, now=now
        )
        changed.append("slack_channel")
    room = (matrix_room or "").strip() or None
    if room != municipality.matrix_room:
        set_matrix_room(session, actor=actor, municipality_id=municipality.id, room=room, now=now)
        changed.append("matrix_room")
    return changed


# !opaque:server.example, or (room version 12 on) !opaque alone.
MATRIX_ROOM_ID = re.compile(r"![A-Za-z0-9._=\-/+]{1,200}(:[A-Za-z0-9.\-]+(:[0-9]{1,5})?)?")


def set_matrix_room(
    session: Session,
    *,
    actor: Actor | None,
    municipality_id: int,
    room: str | None,
    now: datetime,
) -> Municipality:
    """The Matrix room where the municipality's requests and digest are posted; None or ""
    for none. `actor` is None only for the command line."""
    _check_chooses_chat(actor)
    room = (room or "").strip() or None
    if room is not None and not MATRIX_ROOM_ID.fullmatch(room):
        raise RuleViolation(
            N_(
                "%(room)s is not a Matrix room id. It looks like !AbCdEf:matrix.example and is "
                "shown in the room's settings under Advanced."
            ),
            field="matrix_room",
            room=room,
        )
    return _set_chat_place(session, actor, municipality_id, "matrix_room", room, now)


def _check_chooses_chat(actor: Actor | None) -> None:
    """The administrator chooses where a municipality's requests go, or the command line
    (None)."""
    if actor is not None and not can_administer(actor):
        raise NotAllowed(N_("Only an administrator can choose a municipality's chat channel."))


def _set_chat_place(
    session: Session,
    actor: Actor | None,
    municipality_id: int,
    attribute: str,
    value: str | None,
    now: datetime,
) -> Municipality:
    """Where the municipality's requests go in one chat (Slack channel or Matrix room), with
    the change in the history."""
    municipality = _get(session, municipality_id)
    previous = getattr(municipality, attribute)
    setattr(municipality, attribute, value)
    set_event = (
        ChatChannelSet(municipality_id=municipality_id, previous=previous, channel=value)
        if attribute == "slack_channel"
        else ChatChannelSet(
            municipality_id=municipality_id, previous=previous, room=value, in_matrix=True
        )
    )
    history.record(session, set_event, at=now, actor=actor)
    return municipality
