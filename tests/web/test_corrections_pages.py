"""Corrections on the web: the municipality corrects a date from the referral's page, and
the investigator corrects the participant's details on a page of their own."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from storage.models import AuditEntry, Referral


def audits(world) -> int:
    return world.read(lambda s: s.scalar(select(func.count()).select_from(AuditEntry)))


def test_the_municipality_corrects_the_start_from_the_referrals_page(visit, people, sqlite_world):
    started = sqlite_world.started(
        people["investigator"], people["osby"], "Osby", date(2026, 11, 2)
    )
    osby = visit(people["osby"])
    url = f"/anmalningar/{started.reference_code}"
    page = osby.get(url)
    card = page.soup.find(id="action-correct_date")
    choices = [" ".join(label.get_text(" ").split()) for label in card.select("fieldset label")]
    assert choices == [
        "Datum för trepartssamtalet: 2 nov. 2026",  # the only date recorded yet
        "Fel datum angavs av misstag",
        "Rätt datum kom fram i efterhand",
        "Det skedde en annan dag än vad som registrerades i förväg",
    ]
    wrong = osby.post(
        url + "/rattelse",
        {"field": "started_on", "corrected_on": "2026-11-24", "reason": "typing_error"},
    )
    assert wrong.status == 400
    assert wrong.error("corrected_on") == "Datumet kan inte ligga i framtiden."
    done = osby.post(
        url + "/rattelse",
        {"field": "started_on", "corrected_on": "2026-11-03", "reason": "typing_error"},
    )
    assert done.status == 302
    page = osby.get(url)
    assert page.notices == [
        "Datumet är rättat till 3 nov. 2026. Historiken visar det ursprungliga bredvid."
    ]
    history = [" ".join(li.get_text(" ").split()) for li in page.soup.select(".history li")]
    assert history[-1].endswith(
        "Datum för trepartssamtalet rättades från 2 nov. 2026 till 3 nov. 2026. "
        "Skäl: Fel datum angavs av misstag. (Test Person)"
    )
    assert "Trepartssamtal Hölls 3 nov. 2026" in page.text


def test_the_investigator_corrects_the_participant_before_acceptance(visit, people, sqlite_world):
    referral = sqlite_world.file(people["investigator"], "Osby", date(2026, 11, 20))
    investigator = visit(people["investigator"])
    url = f"/anmalningar/{referral.reference_code}"
    link = investigator.get(url).soup.select_one("#action-edit_participant a")
    before = audits(sqlite_world)
    page = investigator.get(link["href"])
    assert page.h1 == "Rätta deltagarens uppgifter"
    assert page.value("name") == "Anna Andersson"
    assert page.value("personal_identity_number") == "19810923-9809"
    assert audits(sqlite_world) == before + 1  # showing personal data is logged
    fields = {
        "name": "Anna Andersson",
        "personal_identity_number": "19810923-9809",
        "phone": "070-174 06 77",
        "needs": "Vill pröva lager. Halvtid.",
    }
    assert investigator.post(link["href"], fields).status == 302
    page = investigator.get(url)
    assert page.notices == ["Deltagarens uppgifter är rättade."]
    assert "Deltagarens uppgifter rättades: Telefon, Vad deltagaren behöver och vill." in page.text
    stored = sqlite_world.read(lambda s: s.get(Referral, referral.id).participant)
    assert (stored.phone, stored.needs) == ("070-174 06 77", "Vill pröva lager. Halvtid.")
    wrong = investigator.post(link["href"], {**fields, "personal_identity_number": "123"})
    assert wrong.status == 400
    assert wrong.summary[0][0] == "#personal_identity_number"
    # Other people cannot, and Osby cannot.
    assert visit(people["osby"]).get(link["href"]).status == 404
    assert visit(people["other_investigator"]).post(link["href"], fields).status == 404
