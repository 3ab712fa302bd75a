"""Requisition notices (issue 23), by e-mail through a real SMTP server on loopback: a basis
submitted, returned, attested and paid is told to the next person in the loop, once each,
with municipality, kommunkod, period and amount and a link, and no personal data."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from domain.choices import Role
from domain.notices import NoticeWay
from domain.requisition import Period, State
from services import requisitions
from storage.models import Requisition
from tests.bot.test_mail import address_of, choose, mailed, no_personal_data, parts, smtp
from tests.support.clock import moment

__all__ = ["mailed", "smtp"]  # the fixtures, from the e-mail tests

SEP_OCT = Period(date(2026, 9, 1), date(2026, 10, 31))
ORGANISATION = "Möjlighetsmodellen Skåne Nordost"


def test_each_step_of_a_basis_is_told_to_the_next_person_by_email(mailed, smtp):
    chat = mailed
    world = chat.world
    investigator = world.user(Role.INVESTIGATOR)
    osby = world.user(Role.MUNICIPALITY_CONTACT, "Osby")
    coordinator = world.user(Role.COORDINATOR)
    association = world.user(Role.ASSOCIATION)
    for person in (osby, coordinator, association):
        choose(chat, person, requisition=NoticeWay.EMAIL)
    world.started(investigator, osby, "Osby", date(2026, 9, 7))
    chat.drain()
    before = len(smtp.received)
    osby_id = world.municipality("Osby")

    def step(use_case, actor, day, **kw):
        if use_case is not requisitions.submit:
            kw["requisition_id"] = world.read(
                lambda s: s.scalar(
                    select(Requisition.id).where(Requisition.state != State.RETURNED)
                )
            )
        world.do(
            use_case, actor=actor, municipality_id=osby_id, period=SEP_OCT, now=moment(day), **kw
        )
        chat.drain()
        return smtp.received[-1]

    submitted = step(requisitions.submit, osby, date(2026, 11, 3))
    amount = world.read(lambda s: s.scalar(select(Requisition.total_ore))) // 100
    shown = f"{amount:,}".replace(",", "\xa0") + "\xa0kr"
    assert submitted.recipients == [address_of(chat, coordinator)]
    text = parts(submitted.message)["text/plain"]
    assert (
        f"Osby (1273) har skickat in sitt rekvisitionsunderlag för september–oktober 2026, "
        f"{shown}. Det väntar på din attest." in text
    )
    assert "https://mm.example/rekvisitioner/1273/2026-09" in text
    returned = step(requisitions.return_basis, coordinator, date(2026, 11, 4), reason="Fel dagar.")
    assert returned.recipients == [address_of(chat, osby)]
    assert "har returnerats" in parts(returned.message)["text/plain"]
    assert "Fel dagar." not in "".join(parts(returned.message).values())  # on the web only
    step(requisitions.submit, osby, date(2026, 11, 5))
    attested = step(requisitions.attest, coordinator, date(2026, 11, 6))
    assert attested.recipients == [address_of(chat, association)]
    assert (
        f"Rekvisitionsunderlaget från Osby (1273) för september–oktober 2026 är attesterat: "
        f"{shown} att betala." in parts(attested.message)["text/plain"]
    )
    paid = step(requisitions.mark_paid, association, date(2026, 11, 10), paid_on=date(2026, 11, 9))
    assert paid.recipients == [address_of(chat, osby)]
    assert (
        f"Rekvisitionsunderlaget från Osby (1273) för september–oktober 2026 är utbetalt: "
        f"{shown} den 9 nov. 2026." in parts(paid.message)["text/plain"]
    )
    assert len(smtp.received) - before == 5  # one each: two submissions, return, attest, pay
    no_personal_data(chat, smtp)
