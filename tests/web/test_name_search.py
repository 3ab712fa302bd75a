"""Search by name through the blind index, within what the person may see personal data of,
audited like a personnummer search; names in the investigator's own list."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from domain.participants import ParticipantDetails
from storage.models import AuditEntry, Referral


def _file(world, investigator, name: str, **more) -> Referral:
    details = ParticipantDetails(name, world.next_number(), "", "Vill pröva lager.", **more)
    return world.file(investigator, "Osby", date(2026, 11, 16), participant=details)


def _codes(page) -> list[str]:
    return [a.get_text(strip=True) for a in page.soup.select("tbody th a")]


def test_a_name_search_finds_the_participant_for_fk_and_is_logged(visit, people, sqlite_world):
    karin = _file(sqlite_world, people["investigator"], "Karin Nilsson-Öberg")
    _file(sqlite_world, people["investigator"], "Anna Andersson")
    hidden = _file(sqlite_world, people["investigator"], "Karin Nilsson", protected=True)
    investigator = visit(people["investigator"])
    for typed in ("karin nilsson", "NILSSON", "öberg karin", "Karin  Nilsson-Öberg"):
        assert _codes(investigator.get("/anmalningar", query_string={"q": typed})) == [
            karin.reference_code
        ], typed
    assert _codes(investigator.get("/anmalningar", query_string={"q": "Nils"})) == []
    nothing = investigator.get("/anmalningar", query_string={"q": "Karin Svensson"})
    assert "0 anmälningar." in nothing.text
    assert hidden.reference_code not in _codes(
        investigator.get("/anmalningar", query_string={"q": "Karin Nilsson"})
    )
    coordinator = visit(people["coordinator"])
    assert _codes(coordinator.get("/anmalningar", query_string={"q": "Karin Nilsson"})) == [
        karin.reference_code
    ]
    other = visit(people["other_investigator"])
    assert _codes(other.get("/anmalningar", query_string={"q": "Karin Nilsson"})) == []

    searches = sqlite_world.read(
        lambda s: s.scalars(select(AuditEntry).where(AuditEntry.action == "search")).all()
    )
    by_user = {(e.user_id, e.referral_id) for e in searches}
    assert (people["coordinator"].user_id, karin.id) in by_user
    assert (people["investigator"].user_id, karin.id) in by_user
    assert (people["other_investigator"].user_id, None) in by_user  # found nothing: logged too
    assert not any(e.referral_id == hidden.id for e in searches)


def test_the_investigators_own_list_names_each_participant(visit, people, sqlite_world):
    karin = _file(sqlite_world, people["investigator"], "Karin Nilsson")
    hidden = _file(sqlite_world, people["investigator"], "Typed Anyway", protected=True)
    page = visit(people["investigator"]).get("/anmalningar")
    rows = {
        tr.find("th").get_text(strip=True): tr.find("td").get_text(strip=True)
        for tr in page.soup.select("tbody tr")
    }
    assert rows == {
        karin.reference_code: "Karin Nilsson",
        hidden.reference_code: "Skyddade personuppgifter",
    }
    listed = sqlite_world.read(
        lambda s: s.scalars(select(AuditEntry).where(AuditEntry.action == "own_list")).all()
    )
    assert {e.referral_id for e in listed} == {karin.id, hidden.id}
    coordinator_page = visit(people["coordinator"]).get("/anmalningar")
    assert "Karin Nilsson" not in coordinator_page.text  # the coordinator's list stays without


def test_a_municipality_finds_its_own_request_by_name_and_no_other(visit, people, sqlite_world):
    karin = _file(sqlite_world, people["investigator"], "Karin Nilsson")
    found = visit(people["osby"]).get("/forfragningar", query_string={"q": "Karin Nilsson"})
    assert karin.reference_code in found.text
    elsewhere = visit(people["kristianstad"]).get(
        "/forfragningar", query_string={"q": "Karin Nilsson"}
    )
    assert karin.reference_code not in elsewhere.text
