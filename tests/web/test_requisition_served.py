"""Money moves once (issue 21, item 1): twenty attests of one basis at once, then twenty
payments by two people at once, to gunicorn with two workers, on both databases (on
PostgreSQL the site's compare-and-set is all that stops a second writer). Exactly one event
each; the payer and payment date kept are those of the one answer that succeeded."""

from __future__ import annotations

import os
import re
import threading
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from domain.choices import Role
from domain.events import EventKind
from domain.requisition import Period, State
from services import requisitions
from storage.models import Event, Requisition
from tests.support.clock import moment
from tests.support.login import logged_in_cookie
from tests.support.served import Answer, Browser, gunicorn

SENDS = 20
ATTESTED = "2026-11-23"
PAID = "2026-12-14"
BASIS = "/rekvisitioner/1273/2026-09"
SEP_OCT = Period(date(2026, 9, 1), date(2026, 10, 31))


def all_at_once(sends: list[tuple[Browser, str, dict[str, str]]]) -> list[Answer]:
    """The answers, in the order of `sends`."""
    answers: list[Answer | None] = [None] * len(sends)
    start = threading.Barrier(len(sends))

    def send(n: int) -> None:
        visitor, path, fields = sends[n]
        start.wait()
        answers[n] = visitor.request(path, fields)

    threads = [threading.Thread(target=send, args=(n,)) for n in range(len(sends))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return [a for a in answers if a is not None]


def form_of(visitor: Browser) -> dict[str, str]:
    page = visitor.request(BASIS).body
    return {
        "csrf_token": re.search(r'name="csrf_token" value="([^"]+)"', page).group(1),
        "requisition_id": re.search(
            r'name="requisition_id" type="hidden" value="(\d+)"', page
        ).group(1),
    }


@pytest.mark.slow
def test_twenty_attests_and_twenty_payments_at_once_move_the_basis_once(
    database_url, sessions, world, tmp_path
):
    investigator = world.user(Role.INVESTIGATOR)
    osby = world.user(Role.MUNICIPALITY_CONTACT, "Osby")
    coordinator = world.user(Role.COORDINATOR)
    payers = [world.user(Role.ASSOCIATION), world.user(Role.ASSOCIATION)]
    world.started(investigator, osby, "Osby", date(2026, 9, 7))
    world.do(
        requisitions.submit,
        actor=osby,
        municipality_id=world.municipality("Osby"),
        period=SEP_OCT,
        now=moment(date(2026, 11, 3)),
    )
    env = {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": "served-tests"}
    when = moment(date.fromisoformat(ATTESTED), 11)
    with gunicorn(env, tmp_path, app=f'tests.support.served:at("{ATTESTED}")') as base:
        attester = Browser(
            base, copied_cookie=logged_in_cookie(sessions, coordinator.user_id, when)
        )
        attests = all_at_once([(attester, f"{BASIS}/attestera", form_of(attester))] * SENDS)
    when = moment(date.fromisoformat(PAID), 11)
    with gunicorn(env, tmp_path, app=f'tests.support.served:at("{PAID}")') as base:
        visitors = [
            Browser(base, copied_cookie=logged_in_cookie(sessions, p.user_id, when)) for p in payers
        ]
        forms = [form_of(v) for v in visitors]
        sends = []
        for n in range(SENDS):  # each a different payment date, from the attest day on
            fields = {**forms[n % 2], "paid_on": str(date(2026, 11, 23) + timedelta(days=n))}
            sends.append((visitors[n % 2], f"{BASIS}/betald", fields))
        payments = all_at_once(sends)

    assert sorted(a.status for a in attests) == [302] + [400] * (SENDS - 1)
    refused = "Bara ett inskickat underlag som väntar på attest kan attesteras."
    assert all(refused in a.body for a in attests if a.status == 400)
    assert sorted(a.status for a in payments) == [302] + [400] * (SENDS - 1)
    refused = "Bara ett attesterat underlag kan registreras som utbetalt."
    assert all(refused in a.body for a in payments if a.status == 400)

    def kept(session):
        row = session.scalars(select(Requisition)).one()
        events = list(session.scalars(select(Event).order_by(Event.id)))
        return row, events

    row, events = world.read(kept)
    attested = [e for e in events if e.kind is EventKind.REQUISITION_ATTESTED]
    paid = [e for e in events if e.kind is EventKind.REQUISITION_PAID]
    assert len(attested) == 1 and len(paid) == 1
    assert row.state == State.PAID and row.attested_by_id == coordinator.user_id
    # The one payment that succeeded is the one kept: its payer and its date.
    (winner,) = [n for n, a in enumerate(payments) if a.status == 302]
    expected = (payers[winner % 2].user_id, date(2026, 11, 23) + timedelta(days=winner))
    assert (row.paid_by_id, row.paid_on) == expected
    assert (paid[0].actor_id, paid[0].details["paid_on"]) == (
        expected[0],
        expected[1].isoformat(),
    )
