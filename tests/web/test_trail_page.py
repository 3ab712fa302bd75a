"""The log reviewer's page shows the last verification of the trail (`mm audit verify`)."""

from __future__ import annotations

from services import verification
from tests.support.clock import moment
from tests.web.conftest import TODAY


def test_the_log_reviewers_page_shows_the_last_verification(visit, people, sqlite_world):
    reviewer = visit(people["log_reviewer"])
    before = reviewer.get("/loggkontroll")
    shown = before.soup.select_one(".trail-verification").get_text(strip=True)
    assert shown == (
        "Granskningsloggen och historiken har inte kontrollerats än: kör mm audit verify."
    )
    sqlite_world.do(verification.verify_trail, now=moment(TODAY, 6))
    after = reviewer.get("/loggkontroll").soup.select_one(".trail-verification")
    assert after.get_text(strip=True) == (
        "Kontrollerad 23 nov. 2026 06:00: båda kedjorna är hela; ingen rad i granskningsloggen "
        "eller historiken har ändrats, tagits bort eller lagts in i fel ordning."
    )
    assert "trail-broken" not in after["class"]
