"""The follow-up pages in headless Chromium on the demo data: axe-core on each, the chart,
and the quarter's steering group report printed to PDF on A4 (with a screenshot of the
print to look at: MM_TEST_ARTEFACTS keeps them)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.web.browser import Person

QUARTER = "/uppfoljning/samverkansgrupp?fran=2026-07-01&till=2026-09-30"


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


@pytest.fixture(scope="module")
def artefacts(tmp_path_factory) -> Path:
    kept = os.environ.get("MM_TEST_ARTEFACTS")
    folder = Path(kept) if kept else tmp_path_factory.mktemp("artefacts")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.mark.parametrize(
    ("email", "path"),
    [
        ("samordnare@fk.example", "/uppfoljning"),
        ("samordnare@fk.example", "/uppfoljning/budget?ar=2026&till=2026-06-30"),
        ("samordnare@fk.example", "/uppfoljning/budget?ar=2026&till=juni"),
        ("forbundet@sfsno.example", "/uppfoljning/indikatorer?fran=2026-01-01&till=2026-11-23"),
        ("kontakt@osby.example", "/uppfoljning/indikatorer"),
        ("admin@mm.example", "/uppfoljning/finsam?ar=2026&halvar=1"),
        ("forbundet@sfsno.example", QUARTER),
    ],
)
def test_axe_finds_no_violations_on_the_follow_up_pages(people, email, path):
    person = people(email)
    person.go(path)
    assert person.page.locator("html").get_attribute("lang") == "sv"
    assert person.axe() == []
    assert person.problems == []


def test_the_quarters_steering_group_report_prints_on_a4(people, artefacts):
    person = people("samordnare@fk.example")
    person.go("/uppfoljning")
    person.page.get_by_role("link", name="Samverkansgruppens rapport").click()
    person.page.get_by_role("link", name="Kvartal 3").click()
    page = person.page
    assert page.locator("h1").inner_text() == (
        "Rapport till samverkansgruppen, 1 juli 2026 – 30 sep. 2026"
    )
    pdf = page.pdf(path=str(artefacts / "samverkansgrupp.pdf"), format="A4", print_background=True)
    assert pdf.startswith(b"%PDF") and len(pdf) > 5_000
    page.emulate_media(media="print")
    try:
        page.set_viewport_size({"width": 794, "height": 1123})  # A4 at 96 dpi
        page.screenshot(path=str(artefacts / "samverkansgrupp-print.png"), full_page=True)
        assert not page.locator("nav").first.is_visible()
        assert not page.locator("form").first.is_visible()
        assert not page.get_by_role("link", name="Kvartal 1").is_visible()
        assert page.locator("article.report h1").is_visible()
        height = page.evaluate("document.documentElement.scrollHeight")
    finally:
        page.emulate_media(media="screen")
        page.set_viewport_size({"width": 1280, "height": 720})
    # One A4 sheet is 1123 px at 96 dpi less the margins: the report fits on two at most.
    assert height < 2 * 1123
    assert person.problems == []
