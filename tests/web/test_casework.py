"""The referral's page and the actions on it: answering a request, running a placement,
and Försäkringskassan's follow-up. Exact Swedish text for success and for each refusal."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from domain.lifecycle import ReferralStatus
from storage.models import AuditEntry

FILED = date(2026, 11, 20)
STARTED = date(2026, 11, 2)
TAMPERED = "Formuläret har ändrats eller är inaktuellt. Ladda om sidan och försök igen."

WHEN_WHERE = {"meeting_time": "10:00", "place": "Osby kommunhus, rum 2"}


@pytest.fixture
def referral(sqlite_world, people):
    return sqlite_world.file(people["investigator"], "Osby", FILED)


@pytest.fixture
def started(sqlite_world, people):
    return sqlite_world.started(people["investigator"], people["osby"], "Osby", STARTED)


def url(referral, action: str = "") -> str:
    return f"/anmalningar/{referral.reference_code}" + (f"/{action}" if action else "")


def audits(world) -> int:
    return world.read(lambda s: s.scalar(select(func.count()).select_from(AuditEntry)))


def test_the_asked_municipality_sees_the_participant_and_the_view_is_audited(
    visit, people, referral, sqlite_world
):
    page = visit(people["osby"]).get(url(referral))
    assert page.status == 200
    assert page.h1 == referral.reference_code
    assert "Anna Andersson" in page.text and "19810923-9809" in page.text
    assert "Acceptera förfrågan" in page.text and "Avböj förfrågan" in page.text
    assert "Osby tillfrågades om att ta emot deltagaren." in page.text
    assert audits(sqlite_world) == 1


def test_the_municipality_accepts_and_books_the_meeting(visit, people, referral, sqlite_world):
    osby = visit(people["osby"])
    request_id = osby.get(url(referral)).value("request_id")
    done = osby.post(
        url(referral, "acceptera"),
        {"request_id": request_id, "meeting_on": "2026-11-25", **WHEN_WHERE},
    )
    assert done.status == 302
    page = osby.get(url(referral))
    assert page.notices == [
        "Du har accepterat anmälan; trepartssamtalet är bokat till 25 nov. 2026."
    ]
    assert "Status Accepterad" in page.text
    assert "Osby accepterade; trepartssamtalet är bokat till 25 nov. 2026." in page.text
    assert sqlite_world.status(referral.id) is ReferralStatus.ACCEPTED


@pytest.mark.parametrize(
    ("meeting_on", "message"),
    [
        ("", "Ange datum för trepartssamtalet."),
        (
            "2026-11-19",
            "Trepartssamtalet kan inte vara före det datum förfrågan skickades, 20 nov. 2026.",
        ),
        ("2029-01-02", "Trepartssamtalet måste ligga inom programmet, som slutar 31 dec. 2028."),
        ("25 nov", "25 nov är inget datum skrivet ÅÅÅÅ-MM-DD, till exempel 2026-11-23."),
    ],
)
def test_a_wrong_meeting_date_is_shown_on_its_field(
    visit, people, referral, sqlite_world, meeting_on, message
):
    osby = visit(people["osby"])
    request_id = osby.get(url(referral)).value("request_id")
    page = osby.post(
        url(referral, "acceptera"),
        {"request_id": request_id, "meeting_on": meeting_on, **WHEN_WHERE},
    )
    assert page.status == 400
    assert page.summary == [("#meeting_on", message)]
    assert page.error("meeting_on") == message
    assert page.value("meeting_on") == meeting_on
    assert sqlite_world.status(referral.id) is ReferralStatus.REQUESTED


def test_a_tampered_request_id_is_refused(visit, people, referral, sqlite_world):
    osby = visit(people["osby"])
    page = osby.post(
        url(referral, "acceptera"), {"request_id": "x1", "meeting_on": "2026-11-25", **WHEN_WHERE}
    )
    assert page.status == 400 and page.summary == [(None, TAMPERED)]
    other = sqlite_world.file(people["investigator"], "Osby", FILED)
    other_request = sqlite_world.open_request_id(other.id)
    page = osby.post(
        url(referral, "acceptera"),
        {"request_id": str(other_request), "meeting_on": "2026-11-25", **WHEN_WHERE},
    )
    assert page.status == 404
    assert sqlite_world.status(other.id) is ReferralStatus.REQUESTED


def test_another_municipality_gets_404_for_the_page_and_the_actions(
    visit, people, referral, sqlite_world
):
    kristianstad = visit(people["kristianstad"])
    assert kristianstad.get(url(referral)).status == 404
    request_id = str(sqlite_world.open_request_id(referral.id))
    page = kristianstad.post(
        url(referral, "acceptera"),
        {"request_id": request_id, "meeting_on": "2026-11-25", **WHEN_WHERE},
    )
    assert page.status == 404 and page.h1 == "Sidan kunde inte hittas"
    assert "Anna" not in page.text
    assert sqlite_world.status(referral.id) is ReferralStatus.REQUESTED


def test_a_request_answered_twice_says_so(visit, people, referral, sqlite_world):
    osby = visit(people["osby"])
    request_id = osby.get(url(referral)).value("request_id")
    form = {"request_id": request_id, "meeting_on": "2026-11-25", **WHEN_WHERE}
    assert osby.post(url(referral, "acceptera"), form).status == 302
    again = osby.post(url(referral, "acceptera"), form)
    assert again.status == 400
    assert again.summary == [(None, "Förfrågan har redan besvarats eller återkallats.")]


def test_declining_with_other_reason_needs_a_comment(visit, people, referral):
    osby = visit(people["osby"])
    request_id = osby.get(url(referral)).value("request_id")
    page = osby.post(url(referral, "avboj"), {"request_id": request_id, "reason": "other"})
    message = "Beskriv anledningen i kommentaren när du väljer Annan anledning."
    assert page.status == 400 and page.summary == [("#comment", message)]
    assert page.value("reason") == "other"
    # The accept form next to it still knows which request it answers.
    assert page.soup.find(id="accept-request_id")["value"] == request_id


def test_after_a_decline_fk_asks_another_municipality(visit, people, referral, sqlite_world):
    osby = visit(people["osby"])
    request_id = osby.get(url(referral)).value("request_id")
    answer = {"request_id": request_id, "reason": "no_capacity"}
    # Declining asks first, as withdrawing and ending do: asking changes nothing.
    question = osby.post(url(referral, "avboj"), answer)
    assert question.status == 200 and question.h1 == "Avböj förfrågan"
    assert (
        f"Vill du avböja förfrågan om {referral.reference_code}? Det går inte att ångra; "
        "Försäkringskassan kan då fråga en annan kommun."
    ) in question.text
    assert sqlite_world.status(referral.id) is ReferralStatus.REQUESTED
    declined = osby.post(url(referral, "avboj"), {**answer, "confirmed": "1"})
    assert declined.status == 302
    investigator = visit(people["investigator"])
    page = investigator.get(url(referral))
    assert "Osby avböjde: Ingen kapacitet." in page.text
    kristianstad_id = str(sqlite_world.municipality("Kristianstad"))
    assert page.value("ask_municipality") == kristianstad_id  # suggested: most free places
    assert osby_not_offered(page, sqlite_world)
    asked = investigator.post(url(referral, "fraga-kommun"), {"ask_municipality": kristianstad_id})
    assert asked.status == 302
    assert investigator.get(url(referral)).notices == ["Förfrågan är skickad till kommunen."]
    # Osby keeps seeing its answer, but no longer the participant.
    seen_by_osby = osby.get(url(referral))
    assert seen_by_osby.status == 200 and "Anna" not in seen_by_osby.text
    assert "Du ser anmälans referenskod, status och historik" in seen_by_osby.text
    assert visit(people["kristianstad"]).get(url(referral)).status == 200


def test_the_municipality_that_declined_is_not_asked_again(visit, people, referral, sqlite_world):
    """The page offers only municipalities not yet asked; a form posted by hand is refused."""
    osby = visit(people["osby"])
    request_id = osby.get(url(referral)).value("request_id")
    osby.post(
        url(referral, "avboj"),
        {"request_id": request_id, "reason": "no_capacity", "confirmed": "1"},
    )
    investigator = visit(people["investigator"])
    osby_id = str(sqlite_world.municipality("Osby"))
    page = investigator.post(url(referral, "fraga-kommun"), {"ask_municipality": osby_id})
    assert page.status == 400
    assert page.summary == [
        (
            "#ask_municipality",
            "Den kommunen har redan tillfrågats om den här anmälan. "
            "Välj en kommun som inte har tillfrågats.",
        )
    ]
    assert sqlite_world.status(referral.id) is ReferralStatus.DECLINED


def osby_not_offered(page, world) -> bool:
    values = [i["value"] for i in page.soup.select("input[name=ask_municipality]")]
    return str(world.municipality("Osby")) not in values and len(values) == 3


def test_the_investigator_withdraws_and_others_cannot(visit, people, referral, sqlite_world):
    assert visit(people["other_investigator"]).post(url(referral, "aterkalla")).status == 404
    assert visit(people["osby"]).post(url(referral, "aterkalla")).status == 404
    investigator = visit(people["investigator"])
    # The referral's page links to a page of its own that asks first.
    link = investigator.get(url(referral)).soup.find("a", string="Återkalla anmälan")
    question = investigator.get(link["href"])
    assert question.h1 == "Återkalla anmälan"
    assert (
        f"Vill du återkalla anmälan {referral.reference_code}? Deltagaren kommer inte att "
        "påbörja någon träningsplats, och en öppen förfrågan stängs. Det går inte att ångra."
    ) in question.text
    assert sqlite_world.status(referral.id) is ReferralStatus.REQUESTED  # asking changes nothing
    form = question.soup.select_one("main form")
    fields = {i["name"]: i["value"] for i in form.select("input[type=hidden]")}
    assert fields["confirmed"] == "1" and len(fields["submission_key"]) >= 32
    done = investigator.post(url(referral, "aterkalla"), fields)
    assert done.status == 302
    assert investigator.get(url(referral)).notices == ["Anmälan är återkallad."]
    assert sqlite_world.status(referral.id) is ReferralStatus.WITHDRAWN
    # The same confirmation sent again: done once, and said again.
    assert investigator.post(url(referral, "aterkalla"), fields).status == 302
    assert investigator.get(url(referral)).notices == ["Anmälan är återkallad."]


def test_the_municipality_runs_the_placement_to_its_end(visit, people, sqlite_world):
    referral = sqlite_world.file(people["investigator"], "Osby", date(2026, 11, 16))
    osby = visit(people["osby"])
    request_id = osby.get(url(referral)).value("request_id")
    osby.post(
        url(referral, "acceptera"),
        {"request_id": request_id, "meeting_on": "2026-11-18", **WHEN_WHERE},
    )
    osby.get(url(referral))  # reads the note about the acceptance
    steps = [
        (
            "trepartssamtal",
            {"held_on": "2026-11-18"},
            "Trepartssamtalet är registrerat: träningsplatsen har startat.",
        ),
        (
            "kartlaggning",
            {"done_on": "2026-11-20"},
            "Kartläggning och individuell planering är registrerade.",
        ),
        (
            "arbetstraning",
            {"started_on": "2026-11-23"},
            "Starten av den arbetsplatsförlagda träningen är registrerad.",
        ),
        ("forlangning", {"new_end": "2027-08-17"}, "Träningsplatsen är förlängd."),
        (
            "avslut",
            {"end_date": "2026-11-23", "outcome": "dropout", "confirmed": "1"},
            "Träningsplatsen är avslutad.",
        ),
        ("slutdokumentation", {"received_on": "2026-11-23"}, "Slutdokumentationen är registrerad."),
    ]
    for action, form, notice in steps:
        assert osby.post(url(referral, action), form).status == 302, action
        assert osby.get(url(referral)).notices == [notice]
    page = osby.get(url(referral))
    assert "Träningsplatsen förlängdes från 17 maj 2027 till 17 aug. 2027." in page.text
    assert "Träningsplatsen avslutades 23 nov. 2026: Avbrott eller annan orsak." in page.text
    investigator = visit(people["investigator"])
    plan = investigator.post(url(referral, "alternativ-planering"), {"planned_on": "2026-11-23"})
    assert plan.status == 302
    assert investigator.get(url(referral)).notices == [
        "Den alternativa planeringen är registrerad."
    ]


@pytest.mark.parametrize(
    ("action", "form", "field", "message"),
    [
        (
            "kartlaggning",
            {"done_on": "2026-11-01"},
            "done_on",
            "Datumet kan inte vara före trepartssamtalet den 2 nov. 2026.",
        ),
        (
            "kartlaggning",
            {"done_on": "2026-11-24"},
            "done_on",
            "Datumet kan inte ligga i framtiden.",
        ),
        (
            "forlangning",
            {"new_end": "2027-11-02"},
            "new_end",
            "En träningsplats kan pågå högst 12 månader totalt: senast möjliga avslut är "
            "1 nov. 2027.",
        ),
        (
            "forlangning",
            {"new_end": "2027-01-01"},
            "new_end",
            "En förlängning måste sluta efter nuvarande planerade avslut, 1 maj 2027.",
        ),
        ("avslut", {"end_date": "2026-11-23"}, "outcome", "Välj avslutsorsak."),
        (
            "avslut",
            {"end_date": "2026-11-23", "outcome": "lottery"},
            "outcome",
            "Välj ett av alternativen i listan.",
        ),
    ],
)
def test_placement_dates_and_choices_are_checked(
    visit, people, started, action, form, field, message
):
    page = visit(people["osby"]).post(url(started, action), form)
    assert page.status == 400
    assert page.summary == [(f"#{field}", message)]
    assert page.error(field) == message


def test_only_the_running_municipality_records_the_placement(visit, people, started, sqlite_world):
    for who in ("kristianstad", "investigator", "coordinator"):
        page = visit(people[who]).post(url(started, "kartlaggning"), {"done_on": "2026-11-20"})
        assert page.status == 404, who
    assert (
        sqlite_world.read(lambda s: s.get(type(started), started.id).placement.assessment_plan_on)
        is None
    )


def test_investigators_list_only_their_own_referrals(visit, people, sqlite_world):
    mine = sqlite_world.file(people["investigator"], "Osby", FILED)
    theirs = sqlite_world.file(people["other_investigator"], "Osby", FILED)
    page = visit(people["investigator"]).get("/anmalningar")
    assert page.h1 == "Mina anmälningar"
    assert mine.reference_code in page.text and theirs.reference_code not in page.text
    assert "1 anmälan." in page.text


def test_the_coordinator_filters_all_referrals(visit, people, sqlite_world, started):
    waiting = sqlite_world.file(people["other_investigator"], "Kristianstad", FILED)
    coordinator = visit(people["coordinator"])
    everything = coordinator.get("/anmalningar")
    assert everything.h1 == "Alla anmälningar" and "2 anmälningar." in everything.text
    by_status = coordinator.get("/anmalningar?status=started")
    assert started.reference_code in by_status.text and waiting.reference_code not in by_status.text
    kristianstad = sqlite_world.municipality("Kristianstad")
    by_place = coordinator.get(f"/anmalningar?municipality={kristianstad}")
    assert waiting.reference_code in by_place.text and started.reference_code not in by_place.text
    bad = coordinator.get("/anmalningar?status=bogus")
    assert bad.status == 400 and bad.summary == [("#status", "Välj ett av alternativen i listan.")]


def test_ending_asks_first_on_a_page_of_its_own(visit, people, started, sqlite_world):
    osby = visit(people["osby"])
    form = {"end_date": "2026-11-20", "outcome": "work", "submission_key": "e" * 32}
    question = osby.post(url(started, "avslut"), form)
    assert question.status == 200
    assert question.h1 == "Avsluta träningsplatsen"
    assert (
        f"Vill du avsluta träningsplatsen för {started.reference_code}? Ersättningen upphör "
        "efter avslutsdatumet, och träningsplatsen kan inte startas igen."
    ) in question.text
    assert "Avslutsdatum 20 nov. 2026" in question.text and "Avslutsorsak Arbete" in question.text
    back = question.soup.find("a", string="Nej, gå tillbaka")
    assert back["href"] == url(started)
    assert sqlite_world.status(started.id) is ReferralStatus.STARTED
    carried = {i["name"]: i["value"] for i in question.soup.select("main form input[type=hidden]")}
    assert carried == {**form, "confirmed": "1", "csrf_token": carried["csrf_token"]}
    assert osby.post(url(started, "avslut"), carried).status == 302
    assert sqlite_world.status(started.id) is ReferralStatus.ENDED


def test_a_wrong_end_is_refused_before_anything_is_asked(visit, people, started, sqlite_world):
    page = visit(people["osby"]).post(
        url(started, "avslut"), {"end_date": "2026-10-01", "outcome": "work"}
    )
    assert page.status == 400
    assert page.error("end_date") == "Datumet kan inte vara före trepartssamtalet den 2 nov. 2026."
    assert sqlite_world.status(started.id) is ReferralStatus.STARTED
