"""The individual plan and the final documentation: written by the municipality running the
placement under the headings of FK's template in the program settings, read by those who may
see the participant (each reading audited), and purged with the participant."""

from __future__ import annotations

from datetime import date

from sqlalchemy import delete, func, select

from domain.choices import Outcome
from domain.documentation import DocumentKind
from services import placements
from storage.models import AuditEntry, Event, Participant, PlacementDocument
from tests.support.clock import moment


def test_the_plan_is_written_by_the_template_and_read_by_those_allowed(visit, people, sqlite_world):
    started = sqlite_world.started(
        people["investigator"], people["osby"], "Osby", date(2026, 11, 2)
    )
    osby = visit(people["osby"])
    url = f"/anmalningar/{started.reference_code}/dokument/plan"
    assert osby.get(f"/anmalningar/{started.reference_code}").soup.find("a", href=url)
    page = osby.get(url)
    assert page.h1 == "Individuell planering"
    labels = [label.get_text() for label in page.soup.select("form label")]
    assert labels == ["Mål", "Aktiviteter", "Nästa uppföljning"]  # the program's template
    empty = osby.post(url, {})
    assert empty.summary == [("#part_goals", "Skriv minst en av delarna.")]
    saved = osby.post(
        url,
        {
            "part_goals": "Arbeta 50 % i lager i mars.",
            "part_activities": "Lager tre förmiddagar i veckan.",
            "part_next_follow_up": "",
        },
    )
    assert saved.status == 302
    assert osby.get(url).notices == ["Dokumentet är sparat."]
    reading = visit(people["investigator"]).get(url)
    assert "Mål Arbeta 50 % i lager i mars." in reading.text
    assert reading.soup.find("textarea") is None  # FK reads; the municipality writes
    assert visit(people["kristianstad"]).get(url).status == 404
    assert visit(people["investigator"]).post(url, {"part_goals": "x"}).status == 404
    audited = sqlite_world.read(
        lambda s: s.scalar(
            select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "plan")
        )
    )
    assert audited == 4  # Osby twice (before and after), the investigator, and the save's page
    logged = sqlite_world.read(
        lambda s: [
            e.details for e in s.scalars(select(Event).where(Event.kind == "document_written"))
        ]
    )
    assert logged == [{"document": "plan"}]  # that it was written, never what it says


def test_the_final_documentation_comes_after_the_end_and_goes_with_the_purge(
    visit, people, sqlite_world
):
    started = sqlite_world.started(people["investigator"], people["osby"], "Osby", date(2026, 6, 1))
    osby = visit(people["osby"])
    url = f"/anmalningar/{started.reference_code}/dokument/slutdokumentation"
    assert osby.get(url).soup.find("textarea") is None  # not yet: still running
    sqlite_world.do(
        placements.end_placement,
        actor=people["osby"],
        referral_id=started.id,
        ended_on=date(2026, 11, 20),
        outcome=Outcome.STUDIES,
        now=moment(date(2026, 11, 20)),
    )
    labels = [label.get_text() for label in osby.get(url).soup.select("form label")]
    assert labels == ["Genomförda steg", "Bedömning", "Rekommenderat nästa steg"]
    assert osby.post(url, {"part_assessment": "Klarar 75 %."}).status == 302
    stored = sqlite_world.read(lambda s: s.scalars(select(PlacementDocument)).one())
    assert (stored.kind, stored.content["assessment"]) == (
        DocumentKind.FINAL_REPORT,
        "Klarar 75 %.",
    )
    sqlite_world.do(lambda s: s.execute(delete(Participant)))  # as the purge removes the person
    assert sqlite_world.read(lambda s: s.scalars(select(PlacementDocument)).all()) == []
