"""/mm and its subcommands, for each role, through signed requests to /slack/events."""

from __future__ import annotations

import json
from datetime import date, timedelta
from urllib.parse import urlparse

import pytest
from sqlalchemy import select, update

from bot.commands import COMMANDS
from domain.choices import DeclineReason, Role
from services import chat_links, referrals
from storage.db import unit_of_work
from storage.models import Event, Municipality, Referral, User, WebSession
from tests.bot.conftest import NOW, SECRET, SITE, open_request
from tests.support.clock import moment
from tests.support.login import logged_in_cookie
from tests.support.slack import sign
from tests.support.work import statements

ROLES = list(Role)


def linked(chat, role, municipality=None, slack_user=None):
    actor = chat.world.user(role, municipality)
    slack_user = slack_user or f"U0{role.value[:6].upper()}{actor.user_id}"
    chat.link(actor, slack_user)
    return actor, slack_user


def capacity(chat, name):
    return chat.world.read(
        lambda s: s.scalars(select(Municipality.capacity).where(Municipality.name == name)).one()
    )


def test_an_unlinked_user_is_told_how_to_link_whatever_they_ask(chat):
    for text in ("platser", "budget 2027", "status MM-2026-0001", "kapacitet 3", "anmälan"):
        said = chat.says("U0NOBODY", text)
        assert said == (
            "Jag vet inte vem du är än. Skriv `/mm koppla` så får du en länk som kopplar ditt "
            "Slack-konto till ditt konto på webbplatsen."
        )
    help_text = chat.says("U0NOBODY", "hjälp")
    assert "/mm koppla` – Koppla ditt Slack-konto" in help_text
    assert "platser" not in help_text


def test_koppla_gives_a_one_time_link_that_makes_the_bot_know_the_user(chat):
    answer = chat.reply("U0NEWBIE", "koppla")
    assert answer["response_type"] == "ephemeral"
    url = next(
        e["text"].split("<", 1)[1].split("|", 1)[0]
        for b in answer["blocks"]
        for e in [b.get("text", {})]
        if "/koppla/" in e.get("text", "")
    )
    assert url.startswith(f"{SITE}/koppla/")
    said = json.dumps(answer["blocks"], ensure_ascii=False)
    assert "|Koppla mitt Slack-konto>" in said and "Link my" not in said
    token = urlparse(url).path.rsplit("/", 1)[1]
    investigator = chat.world.user(Role.INVESTIGATOR)
    chat.world.do(chat_links.confirm_link, actor=investigator, token=token, now=NOW)
    assert "Du är kopplad som: Utredare, Försäkringskassan." in chat.says("U0NEWBIE", "hjälp")


@pytest.mark.parametrize("role", ROLES)
def test_help_lists_what_the_role_may_do(chat, role):
    _actor, user = linked(chat, role, "Osby" if role is Role.MUNICIPALITY_CONTACT else None)
    said = chat.says(user, "hjälp")
    listed = {c.name for c in COMMANDS if f"/mm {c.usage}`" in said}
    expected = {
        Role.INVESTIGATOR: {"platser", "status", "anmälan"},
        Role.MUNICIPALITY_CONTACT: {"platser", "status", "kapacitet", "förläng", "avsluta"},
        Role.COORDINATOR: {"platser", "budget", "status"},
        Role.ASSOCIATION: {"platser", "budget"},
        Role.ADMIN: {"platser", "budget", "kapacitet"},
        Role.LOG_REVIEWER: {"platser"},
    }[role] | {"koppla", "hjälp"}
    assert listed == expected


@pytest.mark.parametrize("role", ROLES)
def test_what_help_leaves_out_the_rules_refuse(chat, role):
    """The help is not a second copy of the rules: each command left out is refused by the
    domain, and each one listed is not."""
    scene = open_request(chat)
    actor, user = linked(chat, role, "Osby" if role is Role.MUNICIPALITY_CONTACT else None)
    if role is Role.INVESTIGATOR:  # their own referral, so that status has one to show
        chat.world.file(actor, "Osby", date(2026, 11, 20))
        code = "MM-2026-0002"
    else:
        code = scene.code
    tries = {
        "budget": "budget",
        "status": f"status {code}",
        "anmälan": "anmälan",
        "kapacitet": "kapacitet 4 Osby",
    }
    said = chat.says(user, "hjälp")
    for name, text in tries.items():
        answer = chat.says(user, text)
        refused = answer.startswith(("Bara ", "Det finns ingen anmälan"))
        assert refused is (f"/mm {name}" not in said), (name, answer)


def test_free_places_for_all_and_for_one_written_any_way(chat):
    _actor, user = linked(chat, Role.INVESTIGATOR)
    said = chat.says(user, "platser")
    assert "Bromölla: 5 lediga platser (kapacitet 5, startade 0" in said
    assert "Totalt: 31 lediga platser." in said
    assert "helårsplatser" not in said  # the budget is not the investigator's to see
    for spelled in ("platser östra göinge", "PLATSER ostra goinge", "Platser 1256"):
        one = chat.says(user, spelled)
        assert one.startswith("Lediga platser i Östra Göinge"), one
        assert "Lediga platser: 6" in one
    assert chat.says(user, "platser Göteborg") == (
        "Det finns ingen kommun som heter Göteborg i programmet."
    )


def test_a_municipality_over_capacity_is_never_told_a_negative_number_of_places(chat):
    scene = open_request(chat)
    with unit_of_work(chat.world.sessions) as session:  # no place left in Osby
        osby = session.scalars(select(Municipality).where(Municipality.name == "Osby")).one()
        osby.capacity = 0
    chat.world.do(  # Osby accepts anyway, confirmed: one accepted beyond the capacity
        referrals.accept_request,
        actor=scene.osby,
        request_id=scene.request_id,
        meeting_on=date(2026, 11, 30),
        over_capacity_confirmed=True,
        now=NOW,
    )
    one = chat.says("U0INV", "platser osby")
    assert "Lediga platser: 0" in one and "Över kapacitet: 1" in one
    assert "-1" not in one


def test_platser_says_when_the_next_place_frees_up_in_a_full_municipality(chat):
    scene = open_request(chat)
    with unit_of_work(chat.world.sessions) as session:  # one place in Osby
        osby = session.scalars(select(Municipality).where(Municipality.name == "Osby")).one()
        osby.capacity = 1
    chat.world.do(  # accepted, meeting 30 November: a whole enrolment ends 29 May
        referrals.accept_request,
        actor=scene.osby,
        request_id=scene.request_id,
        meeting_on=date(2026, 11, 30),
        now=NOW,
    )
    estimate = "Nästa plats väntas bli ledig 30 maj 2027 (uppskattning)."
    assert estimate in chat.says("U0INV", "platser osby")
    everyone = chat.says("U0INV", "platser")
    line = "Osby: 0 lediga platser (kapacitet 1, startade 0, accepterade men inte startade 1)"
    assert f"{line}. {estimate}" in everyone


def test_the_coordinator_sees_how_many_full_year_places_the_budget_still_buys(chat):
    _actor, user = linked(chat, Role.COORDINATOR)
    said = chat.says(user, "platser")
    assert "Budgeten för 2026 räcker till ytterligare 26,5 helårsplatser." in said


def test_dela_shares_free_places_without_the_budget_line(chat):
    _actor, user = linked(chat, Role.COORDINATOR)
    shared = chat.reply(user, "platser dela")
    assert shared["response_type"] == "in_channel"
    assert "helårsplatser" not in str(shared)
    private = chat.reply(user, "budget dela")
    assert private["response_type"] == "ephemeral"
    assert "Det här svaret visas bara för dig" in str(private)


def test_a_kept_answer_is_given_only_to_those_it_was_worked_out_for(chat):
    """`/mm platser` is kept as it is said (services.kept_answers): in the same state of the
    data the coordinator's has the budget line, the investigator's and the shared one not,
    and asking in another order changes none of them."""
    _actor, coordinator = linked(chat, Role.COORDINATOR)
    _actor, investigator = linked(chat, Role.INVESTIGATOR)
    line = "Budgeten för 2026 räcker till ytterligare 26,5 helårsplatser."
    for _round in range(2):
        assert line in chat.says(coordinator, "platser")
        assert line not in chat.says(investigator, "platser")
        shared = chat.reply(coordinator, "platser dela")
        assert (shared["response_type"], line in str(shared)) == ("in_channel", False)
        assert chat.reply(coordinator, "platser")["response_type"] == "ephemeral"


def test_a_note_added_to_a_kept_answer_is_said_only_where_it_was_added(chat):
    """`/mm budget` is kept, and its Slack answer with it (notices.message:
    Message.rendered); `budget dela` adds a note to the same kept answer, which the next
    `/mm budget` must not inherit, nor the note lose."""
    _actor, coordinator = linked(chat, Role.COORDINATOR)
    note = "Det här svaret visas bara för dig"
    plain = chat.reply(coordinator, "budget")
    assert note not in str(plain)
    for _round in range(2):
        assert note in str(chat.reply(coordinator, "budget dela"))
        assert chat.reply(coordinator, "budget") == plain


def test_a_request_from_slack_opens_no_web_session_even_with_the_sites_cookie(chat):
    """/slack/events is registered without a session (web.sessions.without_session): a
    cookie sent along, of a session due to be touched, is neither read nor touched."""
    actor, user = linked(chat, Role.COORDINATOR)
    seen = NOW - timedelta(minutes=5)  # older than a session is touched after
    token = logged_in_cookie(chat.runtime.sessions, actor.user_id, seen)
    body = chat.command_body(user, "platser")
    client = chat.app.test_client()
    client.set_cookie("mm_session", token)
    response = client.post(
        "/slack/events",
        data=body,
        headers={"Content-Type": "application/x-www-form-urlencoded", **sign(SECRET, body)},
    )
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers
    with unit_of_work(chat.runtime.sessions) as session:
        assert session.scalars(select(WebSession.last_seen_at)).all() == [seen]


def test_budget_for_those_who_may_see_it(chat):
    _actor, coordinator = linked(chat, Role.COORDINATOR)
    said = chat.says(coordinator, "budget 2027")
    assert "Budgetram: 1\xa0790\xa0000\xa0kr" in said
    assert "Dagersättning: 200\xa0kr (inte fastställd; indexjusteringen är inte beslutad)." in said
    assert "Helårsplatser kvar: 35,0" in said
    # Nobody has started yet: at the current pace (0 a month) no placement money is used.
    assert "Med nuvarande takt används 0 tkr av 1\xa0790 tkr 2027." in said
    _actor, association = linked(chat, Role.ASSOCIATION)
    assert "Budgetram: 1\xa0345\xa0000\xa0kr" in chat.says(association, "budget")
    _actor, investigator = linked(chat, Role.INVESTIGATOR)
    assert chat.says(investigator, "budget") == (
        "Bara samordnaren, samordningsförbundet och administratören kan se budgeten."
    )
    assert chat.says(coordinator, "budget 27") == "27 är inget årtal; skriv det med fyra siffror."
    assert chat.says(coordinator, "budget 2031").startswith("Programmet har inget år 2031")


def test_status_for_the_investigator_the_contacts_and_the_coordinator_only(chat):
    scene = open_request(chat)
    expected_start = f"Anmälan {scene.code}"
    for user in ("U0INV", "U0OSBY", "U0COORD"):
        said = chat.says(user, f"status {scene.code.lower()}")
        assert said.startswith(expected_start), (user, said)
        assert "Status: Väntar på svar" in said
        assert "Osby fick förfrågan 20 nov. 2026 10:00 och har inte svarat än." in said
        assert "Ersättning" not in said and "Sjukpenning" not in said
    _actor, other_investigator = linked(chat, Role.INVESTIGATOR)
    nothing = "Det finns ingen anmälan med den referenskoden."
    assert chat.says(other_investigator, f"status {scene.code}") == nothing
    assert chat.says("U0KRIS", f"status {scene.code}") == nothing
    assert chat.says("U0INV", "status") == "Skriv så här: `/mm status <referenskod>`"


def test_a_status_and_who_asks_are_kept_until_the_data_changes(chat_on_both):
    """`/mm status` and the look-up of who asks are kept while the database reads the same
    (services.kept_answers): asked again, neither the referral nor the account is read. A
    change is said at once, and an account made inactive is not known the next moment."""
    chat = chat_on_both
    scene = open_request(chat)
    engine = chat.world.sessions.kw["bind"]

    def status() -> tuple[str, list[str]]:
        """What the coordinator is told, and what was read for it of the two kept."""
        with statements(engine) as found:
            said = chat.says("U0COORD", f"status {scene.code}")
        return said, [s for s in found if "FROM referral" in s or "slack_user_id =" in s]

    # On SQLite each pooled connection keeps its own (storage.db_revision): asked again
    # until the connection it is asked on has seen this state. Not more than 10 times.
    for _times in range(10):
        said, read = status()
        assert "Status: Väntar på svar" in said
        if not read:
            break
    assert read == []
    osby_declines(chat, scene)
    said, read = status()
    assert "Status: Väntar på svar" not in said and read != []
    chat.world.do(
        lambda s: s.execute(
            update(User).where(User.slack_user_id == "U0COORD").values(active=False)
        )
    )
    assert status()[0].startswith("Jag vet inte vem du är")


def osby_declines(chat, scene) -> None:
    chat.world.do(
        referrals.decline_request,
        actor=scene.osby,
        request_id=scene.request_id,
        reason=DeclineReason.LOCATION,
        comment="",
        now=NOW,
    )


def test_a_municipality_that_declined_sees_its_own_answer_not_where_the_referral_went(chat):
    scene = open_request(chat)
    osby_declines(chat, scene)
    kristianstad = chat.world.municipality("Kristianstad")
    chat.world.do(
        lambda s: referrals.request_placement(
            s,
            actor=scene.investigator,
            referral=s.get(Referral, scene.referral_id),
            municipality_id=kristianstad,
            now=NOW,
        )
    )
    said = chat.says("U0OSBY", f"status {scene.code}")
    assert "avböjde 23 nov. 2026 10:00 (Geografiskt läge)" in said
    assert "Kristianstad" not in said and "Status:" not in said
    assert "Kristianstad fick förfrågan" in chat.says("U0KRIS", f"status {scene.code}")


def test_anmalan_links_to_the_web_form_for_investigators(chat):
    _actor, investigator = linked(chat, Role.INVESTIGATOR)
    for spelled in ("anmälan", "ANMALAN", "Anmälan"):
        said = chat.says(investigator, spelled)
        assert f"Ny anmälan ({SITE}/anmalan/ny)" in said
        assert "Skriv aldrig en deltagares namn, personnummer eller hälsa i chatten." in said
    _actor, contact = linked(chat, Role.MUNICIPALITY_CONTACT, "Osby")
    assert chat.says(contact, "anmälan") == (
        "Bara en utredare på Försäkringskassan kan göra en anmälan."
    )


def test_kapacitet_sets_the_contacts_own_municipality(chat):
    _actor, contact = linked(chat, Role.MUNICIPALITY_CONTACT, "Osby")
    said = chat.says(contact, "kapacitet 7")
    assert said.startswith("Kapaciteten i Osby är nu 7.")
    assert "Osby: 7 lediga platser (kapacitet 7" in said
    assert capacity(chat, "Osby") == 7
    assert chat.says(contact, "kapacitet sju") == "sju är inget heltal som är noll eller större."
    assert chat.says(contact, "kapacitet 4 Kristianstad") == (
        "Bara kommunens egna kontaktpersoner och en administratör kan ändra detta."
    )
    assert capacity(chat, "Kristianstad") == 15
    _actor, admin = linked(chat, Role.ADMIN)
    assert chat.says(admin, "kapacitet 4").startswith("Skriv också vilken kommun")
    assert chat.says(admin, "kapacitet 4 Kristianstad").startswith("Kapaciteten i Kristianstad")
    _actor, investigator = linked(chat, Role.INVESTIGATOR)
    chat.says(investigator, "kapacitet 0 Osby")
    assert capacity(chat, "Osby") == 7


def test_extension_and_end_of_a_running_placement(chat):
    investigator = chat.world.user(Role.INVESTIGATOR)
    osby, contact = linked(chat, Role.MUNICIPALITY_CONTACT, "Osby")
    start = date(2026, 6, 1)
    referral = chat.world.started(investigator, osby, "Osby", start)
    code = referral.reference_code
    assert chat.says(contact, f"förläng {code} 2027-02-28") == (
        f"{code} är förlängd till 28 feb. 2027."
    )
    assert chat.says(contact, f"förläng {code} 2027-09-01").startswith(
        "En träningsplats kan pågå högst 12 månader totalt"
    )
    assert chat.says(contact, f"förläng {code} snart") == (
        "snart är inget datum skrivet ÅÅÅÅ-MM-DD, till exempel 2026-11-23."
    )
    assert chat.says(contact, f"avsluta {code} 2026-11-20 semester").startswith(
        "Skriv avslutsorsaken som en av: arbete, studier, rehabiliteringssamverkan"
    )
    said = chat.says(contact, f"AVSLUTA {code} 2026-11-20 arbete")
    assert said.startswith(f"{code} avslutades 20 nov. 2026. Avslutsorsak: Arbete.")
    kinds = chat.world.read(
        lambda s: list(s.scalars(select(Event.kind).where(Event.referral_id == referral.id)))
    )
    assert kinds[-2:] == ["extended", "ended"]
    _actor, other = linked(chat, Role.MUNICIPALITY_CONTACT, "Kristianstad")
    assert chat.says(other, f"förläng {code} 2027-03-01") == (
        "Det finns ingen anmälan med den referenskoden."
    )


def test_an_unknown_command_gets_the_help(chat):
    _actor, user = linked(chat, Role.INVESTIGATOR)
    said = chat.says(user, "<!channel> fika?")
    assert said.startswith("Jag känner inte till kommandot `<!channel>`.")
    assert "Kommandon du kan använda" in said
    raw = chat.reply(user, "<!channel>")
    assert "<!channel>" not in str(raw) and "&lt;!channel&gt;" in str(raw)
    assert chat.says(user, "") == chat.says(user, "hjälp")


def test_a_direct_message_to_the_bot_is_answered_there_once(chat):
    _actor, user = linked(chat, Role.COORDINATOR)
    event = {
        "type": "message",
        "channel_type": "im",
        "channel": "D0COORD",
        "user": user,
        "text": "platser osby",
        "ts": "1795000000.000100",
    }
    assert chat.event(event, "Ev0001").status_code == 200
    retried = chat.event(event, "Ev0001", headers={"X-Slack-Retry-Num": "1"})
    assert retried.status_code == 200
    chat.event({**event, "subtype": "message_changed"}, "Ev0002")
    chat.event({**event, "user": "U0BOT", "bot_id": "B0BOT"}, "Ev0003")
    chat.drain()
    [reply] = [b for b in chat.slack.sent("chat.postMessage") if b["channel"] == "D0COORD"]
    assert "Lediga platser i Osby" in reply["text"] + str(reply["blocks"])


def test_a_date_outside_the_program_has_no_budget_line(chat):
    chat.runtime.clock.moment = moment(date(2029, 3, 1))
    _actor, user = linked(chat, Role.COORDINATOR)
    assert "helårsplatser" not in chat.says(user, "platser")


def test_platser_after_kapacitet_shows_the_new_capacity(chat):
    """`/mm platser` is kept while the database reads the same (services.kept_answers): a
    capacity changed in chat shows in the next answer."""
    _actor, contact = linked(chat, Role.MUNICIPALITY_CONTACT, "Osby")
    assert "Osby: 2 lediga platser (kapacitet 2" in chat.says(contact, "kapacitet 2")
    assert "Osby: 2 lediga platser (kapacitet 2" in chat.says(contact, "platser")
    chat.says(contact, "kapacitet 8")
    assert "Osby: 8 lediga platser (kapacitet 8" in chat.says(contact, "platser")
