"""The privacy pages on the web: consent withdrawn, a reason before opening personal data,
a purged referral, the register extract, the log review with its flags, sample, export and
documented reviews, and the public pages anyone can read."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime

from sqlalchemy import select

from domain.audit import REFERRAL_PAGE_FIELDS
from domain.clock import STOCKHOLM
from services import audit, purge, referrals
from storage.models import AuditEntry, LogReview, Referral
from tests.support.clock import moment
from tests.web.conftest import TODAY


def test_recording_withdrawn_consent(visit, people, sqlite_world):
    referral = sqlite_world.file(people["investigator"], "Osby", date(2026, 11, 20))
    code = referral.reference_code
    investigator = visit(people["investigator"])
    page = investigator.get(f"/anmalningar/{code}")
    assert page.soup.find("h3", string="Deltagaren har återkallat samtycket") is not None
    future = investigator.post(
        f"/anmalningar/{code}/aterkallat-samtycke", {"withdrawn_on": "2026-12-24"}
    )
    assert future.status == 400
    assert future.summary == [
        ("#withdrawn_on", "Datumet för återkallelsen kan inte vara i framtiden.")
    ]
    done = investigator.post(
        f"/anmalningar/{code}/aterkallat-samtycke", {"withdrawn_on": "2026-11-23"}
    )
    assert done.response.headers["Location"] == f"/anmalningar/{code}"
    page = investigator.get(f"/anmalningar/{code}")
    assert page.notices[0] == "Att samtycket återkallats är registrerat."
    assert (
        "Deltagaren återkallade sitt samtycke den 23 nov. 2026. Inget mer lämnas till kommunen."
        in page.text
    )
    assert "Återkallad" in page.text and "Anna Andersson" in page.text  # FK still sees it
    osby = visit(people["osby"]).get(f"/anmalningar/{code}")
    assert osby.status == 200 and code in osby.text
    assert "Anna Andersson" not in osby.response.get_data(as_text=True)
    assert osby.soup.find("form", action=f"/anmalningar/{code}/acceptera") is None


def test_a_coordinator_gives_a_reason_first_when_the_setting_asks(visit, people, sqlite_world, app):
    app.config["MM_ASK_REASON"] = True
    code = sqlite_world.file(people["investigator"], "Osby", date(2026, 11, 20)).reference_code
    coordinator = visit(people["coordinator"])
    page = coordinator.get(f"/anmalningar/{code}")
    assert "Anna Andersson" not in page.response.get_data(as_text=True)
    assert page.soup.find("h2", string="Deltagarens personuppgifter") is not None
    assert sqlite_world.read(lambda s: s.scalars(select(AuditEntry)).all()) == []
    empty = coordinator.post(f"/anmalningar/{code}/skal", {"reason": ""})
    assert empty.status == 400 and empty.summary == [
        ("#reason", "Skriv ett kort skäl till att du öppnar deltagarens personuppgifter.")
    ]
    given = coordinator.post(
        f"/anmalningar/{code}/skal", {"reason": "Fråga från kommunen i telefon"}
    )
    assert given.response.headers["Location"] == f"/anmalningar/{code}"
    shown = coordinator.get(f"/anmalningar/{code}")
    assert "Anna Andersson" in shown.text
    [row] = sqlite_world.read(lambda s: s.scalars(select(AuditEntry)).all())
    assert row.reason == "Fråga från kommunen i telefon"
    # The municipality's contact is not asked: the referral is theirs to answer.
    assert "Anna Andersson" in visit(people["osby"]).get(f"/anmalningar/{code}").text


def test_a_purged_referral_says_so_and_when(visit, people, sqlite_world):
    referral = sqlite_world.file(people["investigator"], "Osby", date(2026, 3, 2))
    sqlite_world.read(
        lambda s: referrals.withdraw_referral(
            s,
            actor=people["investigator"],
            referral=s.get(Referral, referral.id),
            now=moment(date(2026, 3, 3)),
        )
    )
    sqlite_world.do(purge.purge, now=moment(TODAY))
    page = visit(people["investigator"]).get(f"/anmalningar/{referral.reference_code}")
    assert page.status == 200
    assert (
        "Deltagarens personuppgifter gallrades den 23 nov. 2026 enligt reglerna för gallring. "
        "Referenskod, datum, status och siffror finns kvar." in page.text
    )
    assert "Anna Andersson" not in page.response.get_data(as_text=True)
    assert "Deltagarens personuppgifter gallrades." in page.text  # in the history


def test_the_register_extract_page_and_file(visit, people, sqlite_world):
    code = sqlite_world.file(people["investigator"], "Osby", date(2026, 11, 20)).reference_code
    coordinator = visit(people["coordinator"])
    form = coordinator.get("/registerutdrag")
    assert form.h1 == "Registerutdrag"
    bad = coordinator.post("/registerutdrag", {"personal_identity_number": "19810923-0000"})
    assert bad.status == 400 and bad.summary[0][1].startswith("Personnumret är inte giltigt.")
    page = coordinator.post("/registerutdrag", {"personal_identity_number": "19810923-9809"})
    assert page.h1 == "Registerutdrag för 19810923-9809"
    assert f"Anmälan {code}" in page.text and "Vill pröva lager." in page.text
    # It stands on its own (GDPR art. 15): the processing, from the program settings file.
    processing = {
        dt.get_text(strip=True): dd.get_text(" ", strip=True)
        for dt, dd in (
            (div.find("dt"), div.find("dd"))
            for div in page.soup.find(id="processing-heading").parent.select("dl div")
        )
    }
    assert list(processing) == [
        "Personuppgiftsansvariga",
        "Ändamål",
        "Rättslig grund",
        "Mottagare",
        "Lagringstid",
        "Dina rättigheter och klagomål",
    ]
    assert processing["Personuppgiftsansvariga"].startswith(
        "Försäkringskassan (organisationsnummer 202100-5521) är personuppgiftsansvarig"
    )
    assert "artikel 6.1 e" in processing["Rättslig grund"]
    assert processing["Lagringstid"].startswith(
        "Personuppgifterna gallras 24 månader efter att deltagandet avslutats."
    )
    assert "Integritetsskyddsmyndigheten (IMY)" in processing["Dina rättigheter och klagomål"]
    file = coordinator.post(
        "/registerutdrag", {"personal_identity_number": "198109239809", "format": "json"}
    )
    assert file.response.headers["Content-Disposition"].startswith("attachment;")
    document = json.loads(file.response.get_data(as_text=True))["registerutdrag"]
    [held] = document["anmalningar"]
    assert held["referenskod"] == code and held["personuppgifter"]["namn"] == "Anna Andersson"
    assert held["forfragningar"][0]["kommun"] == "Osby"
    assert document["rattslig_grund"].startswith("Uppgift av allmänt intresse")
    assert document["lagringstid_manader"] == {"efter_avslut": 24, "utan_plats": 6}
    none = coordinator.post("/registerutdrag", {"personal_identity_number": "199001189811"})
    assert (
        "Det finns inga personuppgifter om det här personnumret i Möjlighetsmodellen." in none.text
    )


def _views(world, people, referral_id):
    """Views of one referral: one at night, then a municipality contact's after a decline."""
    night = datetime(2026, 11, 22, 23, 30, tzinfo=STOCKHOLM)
    world.read(
        lambda s: audit.record_view(
            s,
            actor=people["coordinator"],
            referral_id=referral_id,
            now=night,
            address="10.0.0.7",
            seen=audit.Seen.REFERRAL_PAGE,
            fields=REFERRAL_PAGE_FIELDS,
        )
    )
    for minute in range(12):  # twelve different referrals in twelve minutes
        other = world.file(people["investigator"], "Kristianstad", date(2026, 11, 20))
        world.read(
            lambda s, other=other, minute=minute: audit.record_view(
                s,
                actor=people["investigator"],
                referral_id=other.id,
                now=datetime(2026, 11, 23, 9, minute, tzinfo=STOCKHOLM),
                address="10.0.0.8",
                seen=audit.Seen.REFERRAL_PAGE,
                fields=REFERRAL_PAGE_FIELDS,
            )
        )


def test_the_log_review_search_flags_export_sample_and_documented_review(
    visit, people, sqlite_world
):
    referral = sqlite_world.file(people["investigator"], "Osby", date(2026, 11, 20))
    _views(sqlite_world, people, referral.id)
    reviewer = visit(people["log_reviewer"])
    start = reviewer.get("/loggkontroll")
    assert start.h1 == "Loggkontroll" and start.value("period_from") == "2026-10-24"
    found = reviewer.get("/loggkontroll?period_from=2026-11-20&period_to=2026-11-23")
    assert "13 visningar i loggen." in found.text
    rows = found.soup.select("table.log tbody tr")
    night = next(r for r in rows if "10.0.0.7" in r.get_text())
    assert "⚑ Utanför kontorstid" in night.get_text()
    many = [r for r in rows if "⚑ Många anmälningar inom en timme" in r.get_text()]
    assert len(many) == 12
    flagged = reviewer.get(
        "/loggkontroll?period_from=2026-11-20&period_to=2026-11-23&flagged=y&code="
        + referral.reference_code
    )
    assert "1 visning i loggen." in flagged.text
    export = reviewer.client.get(
        "/loggkontroll/export.csv?period_from=2026-11-20&period_to=2026-11-23"
    )
    table = list(
        csv.reader(io.StringIO(export.get_data(as_text=True).lstrip("\ufeff")), delimiter=";")
    )
    assert table[0][:3] == ["När", "Person", "Roll"] and len(table) >= 14
    sample = reviewer.get(
        "/loggkontroll/stickprov?period_from=2026-11-20&period_to=2026-11-23&size=5"
    )
    assert "5 visningar i loggen." in sample.text
    selection = sample.soup.find("input", attrs={"name": "selection"})["value"]
    assert len(json.loads(selection)["ids"]) == 5
    missing = reviewer.post(
        "/loggkontroll/granskning",
        {"period_from": "2026-11-20", "period_to": "2026-11-23", "selection": selection},
    )
    assert missing.status == 400 and missing.summary == [
        ("#conclusion", "Skriv granskningens slutsats.")
    ]
    done = reviewer.post(
        "/loggkontroll/granskning",
        {
            "period_from": "2026-11-20",
            "period_to": "2026-11-23",
            "selection": selection,
            "conclusion": "Alla visningar hade stöd i ärendena. Nattvisningen kontrollerad.",
        },
    )
    assert done.response.headers["Location"] == "/loggkontroll/granskningar"
    listing = reviewer.get("/loggkontroll/granskningar")
    assert "Stickprov på 5 visningar" in listing.text
    assert "Alla visningar hade stöd i ärendena." in listing.text
    [review] = sqlite_world.read(lambda s: s.scalars(select(LogReview)).all())
    assert review.reviewer_id == people["log_reviewer"].user_id
    kinds = sqlite_world.read(
        lambda s: [
            e.action
            for e in s.scalars(
                select(AuditEntry).where(AuditEntry.user_id == people["log_reviewer"].user_id)
            )
        ]
    )
    # The last: the first POST fetched its CSRF token from /logga-in, which sends a logged-in
    # reviewer to the start page, the flagged views of the last 30 days (a search, audited).
    assert kinds == ["log_search", "log_search", "log_export", "log_sample", "log_search"]


def test_a_contact_opening_a_referral_their_municipality_declined_is_flagged(
    visit, people, sqlite_world
):
    from domain.choices import DeclineReason

    referral = sqlite_world.file(people["investigator"], "Osby", date(2026, 11, 20))
    request_id = sqlite_world.open_request_id(referral.id)
    sqlite_world.read(
        lambda s: audit.record_view(
            s,
            actor=people["osby"],
            referral_id=referral.id,
            now=moment(date(2026, 11, 20), 11),
            address="10.0.0.9",
            seen=audit.Seen.REFERRAL_PAGE,
        )
    )
    sqlite_world.do(
        referrals.decline_request,
        actor=people["osby"],
        request_id=request_id,
        reason=DeclineReason.LOCATION,
        comment="",
        now=moment(date(2026, 11, 20), 12),
    )
    sqlite_world.read(
        lambda s: audit.record_view(
            s,
            actor=people["osby"],
            referral_id=referral.id,
            now=moment(date(2026, 11, 21), 10),
            address="10.0.0.9",
            seen=audit.Seen.REFERRAL_PAGE,
        )
    )
    page = visit(people["log_reviewer"]).get(
        "/loggkontroll?period_from=2026-11-20&period_to=2026-11-21&flagged=y"
    )
    assert "1 visning i loggen." in page.text
    assert "⚑ Anmälan som tittarens kommun avböjt" in page.text


def test_the_public_pages_are_readable_without_login_and_linked_from_every_page(visit, people):
    anonymous = visit()
    statement = anonymous.get("/tillganglighet")
    assert statement.status == 200 and statement.h1 == "Tillgänglighetsredogörelse"
    assert "Kända brister" in [h.get_text() for h in statement.soup.select("main h2")]
    assert statement.soup.find("a", href="https://www.digg.se/tdosanmalan") is not None
    privacy = anonymous.get("/personuppgifter")
    assert privacy.h1 == "Så behandlas personuppgifter"
    assert "Integritetsskyddsmyndigheten (IMY)" in privacy.text
    for page in (anonymous.get("/logga-in"), visit(people["coordinator"]).get("/oversikt")):
        footer = page.soup.select_one("footer")
        assert footer.find("a", href="/tillganglighet").get_text() == "Tillgänglighetsredogörelse"
        assert (
            footer.find("a", href="/personuppgifter").get_text() == "Så behandlas personuppgifter"
        )
