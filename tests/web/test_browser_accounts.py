"""Login and accounts in a real Chromium: the administrator invites someone, who sets a
password, enrols an authenticator from the QR page's key and logs in with its codes; a
replayed code is refused; axe finds nothing on any of the new pages."""

from __future__ import annotations

import pytest

from services import second_factor
from tests.support.login import code_for
from tests.web.browser import Person

DUPLICATE_IDS = """() => {
  const ids = [...document.querySelectorAll("[id]")].map(e => e.id);
  return ids.filter((id, i) => ids.indexOf(id) !== i);
}"""


def clean(person: Person) -> None:
    assert person.axe() == [], person.page.url
    assert person.problems == [], person.page.url
    assert person.page.evaluate(DUPLICATE_IDS) == [], person.page.url


@pytest.mark.slow
def test_invitation_enrolment_and_login_with_the_second_factor(browser, site, tmp_path):
    admin = Person(browser, site, "admin@mm.example")
    invitee = Person(browser, site, None)
    again = Person(browser, site, None)
    try:
        admin.go("/anvandare")
        clean(admin)
        admin.page.get_by_role("link", name="Lägg till en användare").click()
        clean(admin)
        admin.page.get_by_role("button", name="Lägg till användaren").click()
        assert admin.page.locator(".error-summary").count() == 1
        clean(admin)
        admin.page.get_by_label("E-postadress").fill("nina.ny@osby.example")
        admin.page.get_by_label("Namn").fill("Nina Ny")
        admin.page.get_by_label("Roll").select_option(label="Kontaktperson, kommun")
        admin.page.get_by_label("Kommun (för kontaktpersoner)").select_option(label="Osby")
        admin.page.get_by_role("button", name="Lägg till användaren").click()
        assert admin.page.locator("h1").inner_text() == "Inbjudningslänk för Nina Ny"
        clean(admin)
        link = admin.page.locator(".invitation-link").inner_text()
        path = "/inbjudan/" + link.rsplit("/inbjudan/", 1)[1]

        invitee.go(path)
        clean(invitee)
        invitee.page.get_by_label("Nytt lösenord").fill("kanot-mössa-blåbär-regn")
        invitee.page.get_by_label("Det nya lösenordet igen").fill("kanot-mössa-blåbär-regn")
        invitee.page.get_by_role("button", name="Spara lösenordet").click()
        invitee.page.wait_for_load_state()
        assert invitee.page.locator("h1").inner_text() == "Slå på tvåstegsverifiering"
        assert invitee.page.get_by_role("img", name="QR-kod").count() == 1 or (
            invitee.page.locator(".qr svg title").inner_text() == "QR-kod"
        )
        clean(invitee)
        invitee.page.screenshot(path=str(tmp_path / "enrol.png"), full_page=True)
        key = invitee.page.locator("code.secret").inner_text().replace(" ", "")
        invitee.page.get_by_label("Kod från appen").fill("000000")
        invitee.page.get_by_role("button", name="Slå på tvåstegsverifiering").click()
        assert invitee.page.locator(".error-summary").count() == 1
        clean(invitee)
        code = second_factor.code_at(key, site.clock.now())
        invitee.page.get_by_label("Kod från appen").fill(code)
        invitee.page.get_by_role("button", name="Slå på tvåstegsverifiering").click()
        invitee.page.wait_for_load_state()
        assert invitee.page.locator("h1").inner_text() == "Dina reservkoder"
        assert invitee.page.locator(".recovery-codes li").count() == 10
        clean(invitee)
        invitee.page.get_by_role("link", name="Jag har sparat koderna, fortsätt").click()
        assert invitee.page.locator("h1").inner_text() == "Förfrågningar till Osby"
        invitee.page.get_by_role("link", name="Mina inställningar").click()
        assert invitee.page.locator("h1").inner_text() == "Mina inställningar"
        clean(invitee)
        invitee.page.get_by_role("link", name="Byt lösenord").click()
        clean(invitee)

        # The same code again, from another browser: refused.
        again.go("/logga-in")
        again.page.get_by_label("E-postadress").fill("nina.ny@osby.example")
        again.page.get_by_label("Lösenord").fill("kanot-mössa-blåbär-regn")
        again.page.get_by_role("button", name="Logga in").click()
        assert again.page.locator("h1").inner_text() == "Kod från din autentiseringsapp"
        clean(again)
        again.page.get_by_label("Kod").fill(code)
        again.page.get_by_role("button", name="Fortsätt").click()
        assert again.page.locator(".error-summary li").inner_text() == (
            "Koden är fel eller har redan använts. Vänta på en ny kod och försök igen."
        )
        clean(again)
        again.page.get_by_label("Kod").fill(
            code_for(site.sessions, "nina.ny@osby.example", clock=site.clock)
        )
        again.page.get_by_role("button", name="Fortsätt").click()
        assert again.page.locator("h1").inner_text() == "Förfrågningar till Osby"

        # The administrator's pages for the new account.
        admin.go("/anvandare?q=nina")
        admin.page.get_by_role("link", name="Nina Ny").click()
        assert admin.page.locator("h1").inner_text() == "Nina Ny"
        clean(admin)
        admin.page.screenshot(path=str(tmp_path / "account.png"), full_page=True)
        admin.page.get_by_role("button", name="Inaktivera").click()
        assert admin.page.locator(".notice").inner_text() == (
            "Kontot har inaktiverats och alla dess inloggningar har avslutats."
        )
        again.go("/forfragningar")
        assert again.page.url.startswith(site.url + "/logga-in")
        for path in ("/anvandare/historik", "/kommuner"):
            admin.go(path)
            clean(admin)
    finally:
        for person in (admin, invitee, again):
            person.close()
