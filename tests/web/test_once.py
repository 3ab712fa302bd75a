"""Forms that create something carry a one-time key: the same form sent again creates
nothing new and shows what the first one made; a refused form can be corrected and sent
with the same key; a key is nobody else's. And a duplicate person is refused on the form."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from storage.models import Placement, Referral, Submission

KEY = "k" * 32


@pytest.fixture
def investigator(visit, people):
    return visit(people["investigator"])


@pytest.fixture
def form(sqlite_world):
    osby = str(sqlite_world.municipality("Osby"))
    return {
        "name": "Anna Andersson",
        "personal_identity_number": "810923-9809",
        "benefit_type": "sickness_benefit",
        "consent_given": "y",
        "consent_on": "2026-11-20",
        "municipality": osby,
        "submission_key": KEY,
    }


def count(world, model) -> int:
    return world.read(lambda s: s.scalar(select(func.count()).select_from(model)))


def test_the_form_shown_carries_a_fresh_key(investigator):
    first = investigator.get("/anmalan/ny").value("submission_key")
    second = investigator.get("/anmalan/ny").value("submission_key")
    assert len(first) >= 32 and first != second


def test_sent_twice_it_files_once_and_shows_the_receipt_again(investigator, form, sqlite_world):
    first = investigator.post("/anmalan/ny", form)
    again = investigator.post("/anmalan/ny", form)
    assert first.status == again.status == 302
    assert again.response.headers["Location"] == first.response.headers["Location"]
    assert first.response.headers["Location"] == "/anmalan/MM-2026-0001/skickad"
    assert count(sqlite_world, Referral) == 1
    # A new form (a new key) for the same person is refused: one open referral per person.
    other = investigator.post("/anmalan/ny", {**form, "submission_key": "n" * 32})
    assert other.status == 400
    message = (
        "Personen har redan en öppen anmälan, MM-2026-0001. En person kan ha en öppen anmälan "
        "åt gången: följ upp den eller återkalla den först."
    )
    assert other.summary == [("#personal_identity_number", message)]
    assert other.value("name") == "Anna Andersson"  # nothing typed is lost
    assert count(sqlite_world, Referral) == 1


def test_a_refused_form_is_corrected_and_sent_with_the_same_key(investigator, form, sqlite_world):
    wrong = investigator.post("/anmalan/ny", {**form, "consent_on": "2026-11-24"})
    assert wrong.status == 400
    assert wrong.value("submission_key") == KEY  # the page keeps the form's key
    assert count(sqlite_world, Submission) == 0
    assert investigator.post("/anmalan/ny", form).status == 302
    assert count(sqlite_world, Referral) == 1


def test_another_persons_key_is_refused(visit, people, form, sqlite_world):
    assert visit(people["investigator"]).post("/anmalan/ny", form).status == 302
    page = visit(people["other_investigator"]).post(
        "/anmalan/ny", {**form, "personal_identity_number": "19900118-9811"}
    )
    assert page.status == 400
    assert page.summary == [
        (None, "Formuläret har ändrats eller är inaktuellt. Ladda om sidan och försök igen.")
    ]
    assert count(sqlite_world, Referral) == 1


def test_a_form_without_its_key_is_refused(investigator, form, sqlite_world):
    page = investigator.post("/anmalan/ny", {**form, "submission_key": None})
    assert page.status == 400
    assert page.summary == [
        (None, "Formuläret har ändrats eller är inaktuellt. Ladda om sidan och försök igen.")
    ]
    assert count(sqlite_world, Referral) == 0


def test_an_accept_sent_twice_accepts_once_and_says_so_again(visit, people, sqlite_world):
    referral = sqlite_world.file(people["investigator"], "Osby", date(2026, 11, 20))
    osby = visit(people["osby"])
    url = f"/anmalningar/{referral.reference_code}"
    page = osby.get(url)
    fields = {
        "request_id": page.value("request_id"),
        "submission_key": page.soup.select_one("form[action$=acceptera]").find(
            attrs={"name": "submission_key"}
        )["value"],
        "meeting_on": "2026-11-30",
        "meeting_time": "10:00",
        "place": "Osby kommunhus",
    }
    notices = []
    for _ in range(2):
        done = osby.post(url + "/acceptera", fields)
        assert done.status == 302
        notices += osby.get(url).notices
    assert (
        notices == ["Du har accepterat anmälan; trepartssamtalet är bokat till 30 nov. 2026."] * 2
    )
    assert count(sqlite_world, Placement) == 1
