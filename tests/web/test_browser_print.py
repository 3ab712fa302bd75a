"""Printed by Chromium to PDF on A4 (`page.pdf`), pages counted with pypdf: the steering
group's report on ONE page (for a quarter and for the whole year), a requisition basis and
a register extract on as few as their content needs, with every page's text in Swedish and
no menu or form printed."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from domain.lifecycle import ReferralStatus
from storage.models import Participant, Referral
from tests.web.browser import Person


@pytest.fixture(scope="module")
def coordinator(browser, site):
    person = Person(browser, site, "samordnare@fk.example")
    yield person
    person.close()


def printed(person: Person, path: str) -> PdfReader:
    person.go(path)
    return PdfReader(io.BytesIO(person.page.pdf(format="A4", print_background=True)))


def text_of(pdf: PdfReader) -> str:
    return "\n".join(page.extract_text() for page in pdf.pages)


@pytest.mark.parametrize(
    ("first", "last"), [("2026-07-01", "2026-09-30"), ("2026-01-01", "2026-12-31")]
)
def test_the_steering_report_prints_on_one_a4_page(coordinator, first, last):
    pdf = printed(coordinator, f"/uppfoljning/samverkansgrupp?fran={first}&till={last}")
    assert len(pdf.pages) == 1
    text = text_of(pdf)
    # Every part of the report is on that page, the last one too; no menu, no form.
    for heading in (
        "Deltagare",
        "Målen",
        "Budgetuppföljning",
        "Rekvisitioner",
        "Lediga platser nu",
    ):
        assert heading in text
    assert "Visa" not in text and "Logga ut" not in text
    box = pdf.pages[0].mediabox
    # A4 is 210 × 297 mm: 595.3 × 841.9 points (Chromium rounds to whole pixels).
    assert abs(float(box.width) - 595.3) < 1 and abs(float(box.height) - 841.9) < 1.5


def test_a_requisition_basis_prints_on_one_page_per_forty_lines(coordinator):
    pdf = printed(coordinator, "/rekvisitioner/1256/2026-07")
    text = text_of(pdf)
    lines = text.count("MM-2026-")
    assert lines >= 1
    assert 1 <= len(pdf.pages) <= 1 + lines // 40
    assert "Rekvisitionsunderlag" in text and "Logga ut" not in text


def test_a_register_extract_prints_without_the_search_form(browser, site):
    number = site.read(
        lambda s: s.scalars(
            select(Participant.personal_identity_number)
            .join(Referral, Referral.id == Participant.referral_id)
            .where(Referral.status == ReferralStatus.ENDED)
            .order_by(Referral.id)
        ).first()
    )
    reviewer = Person(browser, site, "granskare@fk.example")
    try:
        reviewer.go("/registerutdrag")
        reviewer.page.get_by_label("Personnummer").fill(number)
        reviewer.page.get_by_role("button", name="Ta fram registerutdraget").click()
        assert reviewer.page.locator("h1").inner_text().startswith("Registerutdrag för ")
        pdf = PdfReader(io.BytesIO(reviewer.page.pdf(format="A4", print_background=True)))
        text = text_of(pdf)
        assert 1 <= len(pdf.pages) <= 3
        assert "Registerutdrag för " in text and "Ta fram registerutdraget" not in text
    finally:
        reviewer.close()
