"""One walk through the site on SQLite and on PostgreSQL: the pages' own queries (lists,
inbox, login limit, audit) behave the same on both."""

from __future__ import annotations

from sqlalchemy import func, select

from domain.choices import Role
from domain.clock import FixedClock
from storage.models import AuditEntry, LoginThrottle, WebSession
from tests.support.clock import moment
from tests.web.conftest import TODAY, Visitor
from web import create_app

WHEN_WHERE = {"meeting_time": "10:00", "place": "Osby kommunhus, rum 2"}


def test_file_accept_start_and_follow_up(serving_url, sessions, world):
    app = create_app(
        {"DATABASE_URL": serving_url, "SECRET_KEY": "t", "CLOCK": FixedClock(moment(TODAY, 11))}
    )
    investigator = Visitor(app, world.user(Role.INVESTIGATOR))
    osby = Visitor(app, world.user(Role.MUNICIPALITY_CONTACT, "Osby"))
    coordinator = Visitor(app, world.user(Role.COORDINATOR))
    municipality = str(world.municipality("Osby"))
    sent = investigator.post(
        "/anmalan/ny",
        {
            "name": "Anna\x00 Andersson",
            "personal_identity_number": "198109239809",
            "benefit_type": "sickness_benefit",
            "consent_given": "y",
            "consent_on": "2026-11-23",
            "municipality": municipality,
        },
    )
    assert sent.response.headers["Location"] == "/anmalan/MM-2026-0001/skickad"
    assert "MM-2026-0001" in osby.get("/forfragningar").text
    # Read-only units of work (PostgreSQL refuses a write in one): the worklist, its count
    # in the menu, the municipality's page, and a search for a person with its audit row.
    assert "MM-2026-0001" in osby.get("/att-gora").text
    assert osby.get("/kommun").status == 200
    assert "MM-2026-0001" in osby.get("/forfragningar?q=19810923-9809").text
    detail = osby.get("/anmalningar/MM-2026-0001")
    assert "Anna Andersson" in detail.text
    accept = {"request_id": detail.value("request_id"), "meeting_on": "2026-11-23", **WHEN_WHERE}
    assert osby.post("/anmalningar/MM-2026-0001/acceptera", accept).status == 302
    held = osby.post("/anmalningar/MM-2026-0001/trepartssamtal", {"held_on": "2026-11-23"})
    assert held.status == 302
    listing = coordinator.get("/anmalningar?status=started&municipality=" + municipality)
    assert "MM-2026-0001" in listing.text
    assert coordinator.get("/oversikt").status == 200
    failed = Visitor(app).post("/logga-in", {"email": "nobody@example.org", "password": "x"})
    assert failed.status == 400
    counts = world.read(
        lambda s: [
            s.scalar(select(func.count()).select_from(m))
            for m in (AuditEntry, LoginThrottle, WebSession)
        ]
    )
    # The detail page and the search for a person are audited; three logged-in visitors and
    # the one who failed.
    assert counts == [2, 1, 4]
