"""The privacy pages in a real Chromium: the log reviewer searches the log, sees a flag,
draws a sample and documents the review; a register extract; the public pages; axe finds
nothing on any of them."""

from __future__ import annotations

from sqlalchemy import select

from domain.lifecycle import ReferralStatus
from storage.models import Participant, Referral
from tests.web.browser import Person

DUPLICATE_IDS = """() => {
  const ids = [...document.querySelectorAll("[id]")].map(e => e.id);
  return ids.filter((id, i) => ids.indexOf(id) !== i);
}"""


def clean(person: Person) -> None:
    assert person.axe() == [], person.page.url
    assert person.problems == [], person.page.url
    assert person.page.evaluate(DUPLICATE_IDS) == [], person.page.url


def test_log_review_sample_flags_and_register_extract(browser, site, tmp_path):
    ended, number = site.read(
        lambda s: s.execute(
            select(Referral.reference_code, Participant.personal_identity_number)
            .join(Participant, Participant.referral_id == Referral.id)
            .where(Referral.status == ReferralStatus.ENDED)
            .order_by(Referral.reference_code)
        ).first()
    )
    coordinator = Person(browser, site, "samordnare@fk.example")
    reviewer = Person(browser, site, "granskare@fk.example")
    anonymous = Person(browser, site, None)
    try:
        coordinator.go(f"/anmalningar/{ended}")  # a view after the referral ended: a flag
        assert coordinator.page.locator("h1").inner_text() == ended

        reviewer.go("/loggkontroll")
        assert reviewer.page.locator("h1").inner_text() == "Loggkontroll"
        clean(reviewer)
        reviewer.page.get_by_label("Referenskod").fill(ended)
        reviewer.page.get_by_role("button", name="Sök i loggen").click()
        row = reviewer.page.locator("table.log tbody tr").last
        assert "Sara Samordnare" in row.inner_text()
        assert "⚑ Öppnad efter att anmälan avslutats" in row.inner_text()
        clean(reviewer)
        reviewer.page.screenshot(path=str(tmp_path / "log.png"), full_page=True)
        reviewer.page.get_by_label("Bara visningar med en flagga").check()
        reviewer.page.get_by_role("button", name="Sök i loggen").click()
        assert reviewer.page.locator("table.log tbody tr.flagged").count() >= 1
        assert reviewer.page.locator("table.log tbody tr:not(.flagged)").count() == 0

        reviewer.page.get_by_role("link", name="Dra ett slumpvis stickprov").click()
        clean(reviewer)
        reviewer.page.get_by_label("Antal visningar").fill("3")
        reviewer.page.get_by_role("button", name="Dra stickprovet").click()
        assert reviewer.page.locator("table.log tbody tr").count() >= 1
        clean(reviewer)
        reviewer.page.get_by_label("Granskningens slutsats").fill(
            "Stickprovet hade stöd i ärendena."
        )
        reviewer.page.get_by_role("button", name="Markera som granskat").click()
        assert reviewer.page.locator("h1").inner_text() == "Dokumenterade granskningar"
        assert "Stickprovet hade stöd i ärendena." in reviewer.page.locator("main").inner_text()
        clean(reviewer)

        reviewer.page.get_by_role("link", name="Registerutdrag").click()
        clean(reviewer)
        reviewer.page.get_by_label("Personnummer").fill(number)
        reviewer.page.get_by_role("button", name="Ta fram registerutdraget").click()
        assert reviewer.page.locator("h1").inner_text().startswith("Registerutdrag för ")
        assert f"Anmälan {ended}" in reviewer.page.locator("main").inner_text()
        clean(reviewer)
        reviewer.page.screenshot(path=str(tmp_path / "extract.png"), full_page=True)

        for path in ("/tillganglighet", "/personuppgifter"):
            anonymous.go(path)
            clean(anonymous)
        anonymous.page.screenshot(path=str(tmp_path / "privacy.png"), full_page=True)
    finally:
        for person in (coordinator, reviewer, anonymous):
            person.close()
