"""The requisition flow walked in headless Chromium on the demo data: draft -> submitted ->
attested -> paid, a correction line after a backdated end, axe-core on every new page, and
the basis printed to PDF on A4 (with a screenshot of the print to look at)."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from domain.lifecycle import ReferralStatus
from storage.models import Municipality, Placement, Referral
from tests.web.browser import TODAY, Person

OSBY = "kontakt@osby.example"
PERIOD, NEXT = "2026-09", "2026-11"  # September–October 2026 has ended on 23 November


@pytest.fixture(scope="module")
def artefacts(tmp_path_factory) -> Path:
    """Where the printed PDF and its screenshot go: MM_TEST_ARTEFACTS to keep them."""
    kept = os.environ.get("MM_TEST_ARTEFACTS")
    folder = Path(kept) if kept else tmp_path_factory.mktemp("artefacts")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(scope="module")
def people(browser, site):
    made: dict[str, Person] = {}

    def person(email: str) -> Person:
        if email not in made:
            made[email] = Person(browser, site, email)
        return made[email]

    yield person
    for each in made.values():
        each.close()


def _running_osby_placement(site) -> str:
    """The newest running Osby placement that has days in September–October 2026."""
    return site.read(
        lambda s: s.scalars(
            select(Referral.reference_code)
            .join(Placement, Placement.referral_id == Referral.id)
            .join(Municipality, Municipality.id == Placement.municipality_id)
            .where(
                Municipality.name == "Osby",
                Referral.status == ReferralStatus.STARTED,
                Placement.started_on < date(2026, 10, 1),
            )
            .order_by(Referral.id.desc())
        ).first()
    )


def test_draft_submitted_attested_paid_and_a_correction_after_a_backdated_end(people, site):
    basis = f"/rekvisitioner/1273/{PERIOD}"
    contact = people(OSBY)
    contact.go("/")
    contact.page.get_by_role("link", name="Rekvisitioner").click()
    contact.page.get_by_role("link", name="september–oktober 2026").click()
    page = contact.page
    assert page.locator("h1").inner_text() == "Rekvisitionsunderlag september–oktober 2026"
    assert page.locator(".status").inner_text() == "Utkast"
    claimed = page.locator(".lead").inner_text()
    page.get_by_role("button", name="Skicka in underlaget för september–oktober 2026").click()
    assert page.locator(".notice").inner_text() == (
        "Underlaget är inskickat. Samordnaren attesterar det."
    )
    assert page.locator(".status").inner_text() == "Inskickat, väntar på attest"
    assert page.locator(".lead").inner_text() == claimed

    # The municipality records, late, an end on 5 October: the submitted basis stays.
    code = _running_osby_placement(site)
    contact.go(f"/anmalningar/{code}")
    page.get_by_label("Avslutsdatum", exact=True).fill("2026-10-05")
    page.get_by_label("Studier").check()
    page.get_by_role("button", name="Avsluta träningsplatsen").click()
    page.get_by_role("button", name="Ja, avsluta träningsplatsen").click()  # asked first
    assert "avslutad" in page.locator(".notice").inner_text()
    contact.go(basis)
    assert page.locator(".lead").inner_text() == claimed
    contact.go(f"/rekvisitioner/1273/{NEXT}")
    corrections = page.locator("table", has=page.locator("th", has_text="Rättad period"))
    row = corrections.locator("tbody tr", has_text=code)
    assert row.locator("td").nth(0).inner_text() == "september–oktober 2026"
    assert row.locator("td").nth(2).inner_text().startswith("-")
    assert contact.axe() == [] and contact.problems == []

    coordinator = people("samordnare@fk.example")
    coordinator.go("/att-gora?task=attest_requisition")  # on the coordinator's worklist
    row = coordinator.page.locator("tbody tr", has_text="Osby").filter(
        has_text="september–oktober 2026"
    )
    row.get_by_role("link", name="september–oktober 2026").click()
    coordinator.page.get_by_role("button", name="Attestera underlaget").click()
    assert coordinator.page.locator(".status").inner_text() == "Attesterat, väntar på utbetalning"

    association = people("forbundet@sfsno.example")
    association.go(basis)
    assert association.page.get_by_label("Betalningsdag").input_value() == TODAY.isoformat()
    association.page.get_by_role("button", name="Registrera utbetalningen").click()
    assert association.page.locator(".notice").inner_text() == "Utbetalningen är registrerad."
    assert association.page.locator(".status").inner_text() == "Utbetalt"
    assert association.page.locator(".lead").inner_text().startswith("Utbetalt 23 nov. 2026: ")
    history = association.page.locator(".history").inner_text()
    assert "Inskickat av " in history and "Attesterat av " in history
    assert "Utbetalt 23 nov. 2026, registrerat av " in history
    for person in (contact, coordinator, association):
        assert person.problems == []


@pytest.mark.parametrize(
    ("email", "path"),
    [
        (OSBY, "/rekvisitioner"),
        (OSBY, f"/rekvisitioner/1273/{NEXT}"),
        ("samordnare@fk.example", "/rekvisitioner"),
        ("samordnare@fk.example", "/rekvisitioner/1273/2026-05"),
        ("forbundet@sfsno.example", "/upplupna-kostnader?datum=2026-12-31"),
        ("forbundet@sfsno.example", "/upplupna-kostnader?datum=31-12"),
        ("admin@mm.example", "/rekvisitioner/1290/2026-07"),
        ("forbundet@sfsno.example", "/att-gora"),
        ("forbundet@sfsno.example", "/rekvisitioner?vad=alla"),
        ("samordnare@fk.example", "/att-gora"),
        ("samordnare@fk.example", "/dagersattning"),
        (OSBY, "/att-gora"),
    ],
)
def test_axe_finds_no_violations_on_the_requisition_pages(people, email, path):
    person = people(email)
    person.go(path)
    assert person.page.locator("html").get_attribute("lang") == "sv"
    assert person.axe() == []
    assert person.problems == []


def test_a_basis_prints_on_a4_without_menus_or_forms(people, artefacts):
    person = people("samordnare@fk.example")
    person.go("/rekvisitioner/1256/2026-07")
    page = person.page
    pdf = page.pdf(
        path=str(artefacts / "rekvisitionsunderlag.pdf"), format="A4", print_background=True
    )
    assert pdf.startswith(b"%PDF") and len(pdf) > 5_000
    page.emulate_media(media="print")
    try:
        page.set_viewport_size({"width": 794, "height": 1123})  # A4 at 96 dpi
        page.screenshot(path=str(artefacts / "rekvisitionsunderlag-print.png"), full_page=True)
        assert not page.locator("nav").first.is_visible()
        assert not page.locator("form").first.is_visible()
        assert page.locator("h1").is_visible() and page.locator("table").first.is_visible()
    finally:
        page.emulate_media(media="screen")
        page.set_viewport_size({"width": 1280, "height": 720})
    assert (artefacts / "rekvisitionsunderlag-print.png").stat().st_size > 10_000
