"""Accounts on the web: the administrator's list, invitations, changes that end sessions at
once, the history of who changed what; municipalities; and a person's own settings."""

from __future__ import annotations

import re

from domain.choices import Role
from services import second_factor
from storage.models import Municipality, User
from tests.support.login import code_for, enrol
from tests.web.conftest import Visitor

PASSWORD = "ett-langt-losenord-2026"
NEW_PASSWORD = "kanot-mössa-blåbär-regn"


def user_of(world, user_id) -> User:
    return world.read(lambda s: s.get(User, user_id))


def test_the_administrator_invites_a_user_who_sets_a_password_and_enrols(
    visit, people, sqlite_world, app
):
    admin = visit(people["admin"])
    assert admin.get("/anvandare/ny").h1 == "Lägg till en användare"
    osby = str(sqlite_world.municipality("Osby"))
    empty = admin.post("/anvandare/ny", {})
    assert empty.status == 400 and ("#email", "Ange användarens e-postadress.") in empty.summary
    wrong = admin.post(
        "/anvandare/ny",
        {"email": "ny@osby.example", "name": "Nina Ny", "role": "municipality_contact"},
    )
    assert wrong.summary == [("#municipality", "En kontaktperson måste höra till en kommun.")]
    page = admin.post(
        "/anvandare/ny",
        {
            "email": "Ny@Osby.example",
            "name": "Nina Ny",
            "role": "municipality_contact",
            "municipality": osby,
        },
    )
    assert page.status == 200 and page.h1 == "Inbjudningslänk för Nina Ny"
    link = page.soup.select_one(".invitation-link").get_text()
    assert re.fullmatch(r"http://localhost/inbjudan/[\w-]{40,}", link)
    path = link.removeprefix("http://localhost")

    invitee = visit()
    form = invitee.get(path)
    assert (
        form.h1 == "Välj ditt lösenord" and "Kontot gäller Nina Ny, ny@osby.example." in form.text
    )
    weak = invitee.post(path, {"password": "ny@osby.example", "repeat": "ny@osby.example"})
    assert weak.summary == [
        ("#password", "Lösenordet får inte innehålla ditt namn eller din e-postadress.")
    ]
    mismatch = invitee.post(path, {"password": NEW_PASSWORD, "repeat": NEW_PASSWORD + "x"})
    assert mismatch.summary == [("#repeat", "De två lösenorden är inte likadana.")]
    done = invitee.post(path, {"password": NEW_PASSWORD, "repeat": NEW_PASSWORD})
    assert done.response.headers["Location"] == "/logga-in/ny-kod"
    key = invitee.get("/logga-in/ny-kod").soup.select_one("code.secret").get_text()
    code = second_factor.code_at(key.replace(" ", ""), app.config["CLOCK"].now())
    assert invitee.post("/logga-in/ny-kod", {"code": code}).status == 302
    assert invitee.get("/forfragningar").h1 == "Förfrågningar till Osby"
    used = visit().get(path)
    assert used.status == 404 and used.h1 == "Länken fungerar inte"
    assert "Inbjudningslänken har gått ut eller har redan använts." in used.text

    listing = admin.get("/anvandare?q=nina")
    assert [a.get_text() for a in listing.soup.select("tbody th a")] == ["Nina Ny"]
    user_id = int(listing.soup.select_one("tbody th a")["href"].rsplit("/", 1)[1])
    rows = admin.get(f"/anvandare/{user_id}").soup.select("tbody tr")
    history = [[td.get_text(" ", strip=True) for td in row.select("td")][1:] for row in rows]
    assert history == [
        ["Loggade in (lösenord och kod).", "Nina Ny"],
        ["En autentiseringsapp registrerades för tvåstegsverifiering.", "Nina Ny"],
        ["Ett nytt lösenord valdes.", "Nina Ny"],
        ["En inbjudningslänk skapades, giltig till 26 nov. 2026 11:00.", "Test Person"],
        ["Kontot lades till med rollen Kontaktperson, kommun.", "Test Person"],
    ]


def test_a_change_of_role_ends_the_persons_sessions_and_is_in_the_history(
    visit, people, sqlite_world
):
    admin = visit(people["admin"])
    investigator = visit(people["investigator"])
    assert investigator.get("/anmalningar").status == 200
    target = people["investigator"].user_id
    page = admin.post(
        f"/anvandare/{target}/andra",
        {"name": "Test Person", "role": "coordinator", "municipality": "", "external_identity": ""},
    )
    assert page.response.headers["Location"] == f"/anvandare/{target}"
    shown = admin.get(f"/anvandare/{target}")
    assert shown.notices == ["Kontot har ändrats."]
    assert investigator.get("/anmalningar").status == 302  # logged out at once
    rows = [
        [td.get_text(" ", strip=True) for td in tr.select("td")]
        for tr in shown.soup.select("tbody tr")
    ]
    assert rows[0][1:] == ["Avslutade inloggningar: 1.", "Test Person"]
    assert rows[1][1:] == ["Ändrat: roll.", "Test Person"]
    overall = admin.get("/anvandare/historik")
    assert "Ändrat: roll." in overall.text


def test_deactivation_ends_sessions_and_logins_until_reactivated(visit, people, sqlite_world, app):
    actor = sqlite_world.user(Role.COORDINATOR, password=PASSWORD)
    enrol(sqlite_world.sessions, actor.user_id, app.config["CLOCK"].now())
    email = user_of(sqlite_world, actor.user_id).email
    person = visit(actor)
    admin = visit(people["admin"])
    assert admin.post(f"/anvandare/{actor.user_id}/inaktivera").status == 302
    assert admin.get(f"/anvandare/{actor.user_id}").notices == [
        "Kontot har inaktiverats och alla dess inloggningar har avslutats."
    ]
    assert person.get("/oversikt").status == 302
    refused = visit().post("/logga-in", {"email": email, "password": PASSWORD})
    assert refused.summary == [("#email", "E-postadressen eller lösenordet är fel.")]
    admin.post(f"/anvandare/{actor.user_id}/aktivera")
    assert admin.get(f"/anvandare/{actor.user_id}").notices == ["Kontot har aktiverats igen."]
    again = visit()
    assert again.post("/logga-in", {"email": email, "password": PASSWORD}).status == 302
    # An administrator cannot lock themselves out.
    admin.post(f"/anvandare/{people['admin'].user_id}/inaktivera")
    assert admin.get(f"/anvandare/{people['admin'].user_id}").notices == [
        "Du kan inte inaktivera ditt eget konto."
    ]
    assert user_of(sqlite_world, people["admin"].user_id).active


def test_reset_password_and_second_factor(visit, people, sqlite_world, app):
    actor = sqlite_world.user(Role.INVESTIGATOR, password=PASSWORD)
    enrol(sqlite_world.sessions, actor.user_id, app.config["CLOCK"].now())
    email = user_of(sqlite_world, actor.user_id).email
    admin = visit(people["admin"])
    page = admin.post(f"/anvandare/{actor.user_id}/aterstall-losenord")
    assert page.h1 == "Inbjudningslänk för Test Person"
    assert user_of(sqlite_world, actor.user_id).password_hash is None
    refused = visit().post("/logga-in", {"email": email, "password": PASSWORD})
    assert refused.status == 400
    admin.post(f"/anvandare/{actor.user_id}/aterstall-tvastegsverifiering")
    assert user_of(sqlite_world, actor.user_id).totp_secret is None
    history = admin.get(f"/anvandare/{actor.user_id}").text
    assert "Lösenordet återställdes; kontot behöver en ny inbjudningslänk." in history
    assert "Tvåstegsverifieringen återställdes; vid nästa inloggning registreras en ny." in history


def test_unlock_and_slack_links(visit, people, sqlite_world, app):
    actor = sqlite_world.user(Role.COORDINATOR, password=PASSWORD)
    enrol(sqlite_world.sessions, actor.user_id, app.config["CLOCK"].now())
    email = user_of(sqlite_world, actor.user_id).email
    for _ in range(5):
        visit().post("/logga-in", {"email": email, "password": "fel-losenord"})
    assert visit().post("/logga-in", {"email": email, "password": PASSWORD}).status == 429
    admin = visit(people["admin"])
    admin.post(f"/anvandare/{actor.user_id}/las-upp")
    assert visit().post("/logga-in", {"email": email, "password": PASSWORD}).status == 302
    bad = admin.post(f"/anvandare/{actor.user_id}/slack", {"slack_user": "nisse"})
    assert bad.summary == [
        ("#slack_user", "NISSE är inget medlems-id i Slack. Det ser ut som U012AB3CD.")
    ]
    admin.post(f"/anvandare/{actor.user_id}/slack", {"slack_user": "u0abc12345"})
    assert user_of(sqlite_world, actor.user_id).slack_user_id == "U0ABC12345"
    admin.post(f"/anvandare/{actor.user_id}/ta-bort-slack")
    assert user_of(sqlite_world, actor.user_id).slack_user_id is None


def test_municipalities_are_added_and_changed_by_the_administrator(visit, people, sqlite_world):
    admin = visit(people["admin"])
    page = admin.get("/kommuner")
    assert [h.get_text() for h in page.soup.select("section h2")] == [
        "Bromölla",
        "Kristianstad",
        "Osby",
        "Östra Göinge",
    ]
    bad = admin.post("/kommuner", {"new-name": "Hässleholm", "new-code": "12"})
    assert bad.summary == [
        ("#new-code", "Kommunkoden har fyra siffror, till exempel 1273 för Osby.")
    ]
    taken = admin.post("/kommuner", {"new-name": "Hässleholm", "new-code": "1273"})
    assert taken.summary == [("#new-code", "En annan kommun har redan koden 1273.")]
    admin.post(
        "/kommuner",
        {"new-name": "Hässleholm", "new-code": "1293", "new-slack_channel": "c0hass1234"},
    )
    found = sqlite_world.read(
        lambda s: s.query(Municipality).filter_by(code="1293").one().slack_channel
    )
    assert found == "C0HASS1234"
    osby = sqlite_world.municipality("Osby")
    admin.post(
        f"/kommuner/{osby}",
        {f"m{osby}-name": "Osby", f"m{osby}-code": "1273", f"m{osby}-slack_channel": "C0OSBY1234"},
    )
    history = admin.get("/anvandare/historik").text
    assert "Hässleholm lades till." in history and "Osby fick en ny chattkanal." in history


def test_the_administrator_sets_the_matrix_room_on_kommuner(visit, people, sqlite_world):
    """The room `mm municipality room` sets is on the page too, checked the same way."""
    admin = visit(people["admin"])
    osby = sqlite_world.municipality("Osby")
    form = {f"m{osby}-name": "Osby", f"m{osby}-code": "1273"}
    bad = admin.post(f"/kommuner/{osby}", {**form, f"m{osby}-matrix_room": "osby-rummet"})
    assert bad.status == 400
    assert bad.summary == [
        (
            f"#m{osby}-matrix_room",
            "osby-rummet är inget Matrix-rum-id. Det ser ut som !AbCdEf:matrix.example och "
            "visas i rummets inställningar under Avancerat.",
        )
    ]
    room = "!OsbyRum:matrix.example"
    assert admin.post(f"/kommuner/{osby}", {**form, f"m{osby}-matrix_room": room}).status == 302
    stored = sqlite_world.read(lambda s: s.get(Municipality, osby).matrix_room)
    assert stored == room
    assert admin.get("/kommuner").value(f"m{osby}-matrix_room") == room


def test_my_settings_change_password_and_end_other_logins(visit, sqlite_world, app):
    actor = sqlite_world.user(Role.COORDINATOR, password=PASSWORD)
    enrol(sqlite_world.sessions, actor.user_id, app.config["CLOCK"].now())
    here, elsewhere, third = visit(actor), visit(actor), visit(actor)
    page = here.get("/mina-installningar")
    assert page.h1 == "Mina inställningar"
    rows = page.soup.select("tbody tr")
    assert len(rows) == 3
    assert sum("Den här inloggningen" in r.get_text() for r in rows) == 1
    other = next(r for r in rows if "Den här inloggningen" not in r.get_text())
    here.post(
        "/mina-installningar/inloggningar/avsluta",
        {"session_id": other.select_one("input[name=session_id]")["value"]},
    )
    assert len(here.get("/mina-installningar").soup.select("tbody tr")) == 2
    alive = [v.get("/oversikt").status for v in (elsewhere, third)]
    assert sorted(alive) == [200, 302]

    wrong = here.post(
        "/mina-installningar/losenord",
        {"current_password": "fel", "password": NEW_PASSWORD, "repeat": NEW_PASSWORD},
    )
    assert wrong.summary == [("#current_password", "Det nuvarande lösenordet är fel.")]
    weak = here.post(
        "/mina-installningar/losenord",
        {"current_password": PASSWORD, "password": "aaaaaaaaaaaa", "repeat": "aaaaaaaaaaaa"},
    )
    assert weak.summary == [
        (
            "#password",
            "Lösenordet upprepar samma tecken och är därför lätt att gissa. Använd flera ord "
            "som inte hör ihop.",
        )
    ]
    done = here.post(
        "/mina-installningar/losenord",
        {"current_password": PASSWORD, "password": NEW_PASSWORD, "repeat": NEW_PASSWORD},
    )
    assert done.response.headers["Location"] == "/mina-installningar"
    assert here.get("/mina-installningar").notices == [
        "Ditt lösenord har bytts. Du har loggats ut på alla andra ställen."
    ]
    assert [v.get("/oversikt").status for v in (elsewhere, third)] == [302, 302]
    email = user_of(sqlite_world, actor.user_id).email
    fresh = Visitor(app)
    assert fresh.post("/logga-in", {"email": email, "password": NEW_PASSWORD}).status == 302
    code = code_for(sqlite_world.sessions, email, clock=app.config["CLOCK"])
    assert fresh.post("/logga-in/kod", {"code": code}).status == 302
