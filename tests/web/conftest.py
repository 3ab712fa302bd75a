"""The web site on a fresh SQLite database per test, a fixed clock, and visitors who are
logged in as someone: their session is made as a completed login makes it (without the slow
password hash and the code: the login pages have their own tests)."""

from __future__ import annotations

import re
import secrets
from datetime import date

import pytest
from bs4 import BeautifulSoup

from domain.access import Actor
from domain.choices import Role
from tests.support.clock import MovableClock, moment
from tests.support.login import logged_in_cookie
from tests.web.browser import browser, own_site, site  # noqa: F401 - session fixtures of the browser tests
from web import create_app

TODAY = date(2026, 11, 23)


@pytest.fixture
def app(sqlite_sessions):
    url = sqlite_sessions.kw["bind"].url.render_as_string(hide_password=False)
    return create_app(
        {
            "DATABASE_URL": url,
            "SECRET_KEY": "test-secret",
            "CLOCK": MovableClock(moment(TODAY, 11)),
        }
    )


def squash(text: str) -> str:
    """Runs of spaces and line breaks as one space; no-break spaces stay (money, dates)."""
    return re.sub(r"[ \t\r\n\f\v]+", " ", text).strip()


class Page:
    """What a person sees on a response: headings, the error summary, field errors."""

    def __init__(self, response) -> None:
        self.response = response
        self.status = response.status_code
        self.soup = BeautifulSoup(response.get_data(as_text=True), "html.parser")

    @property
    def text(self) -> str:
        main = self.soup.find("main") or self.soup
        return squash(main.get_text(" "))

    @property
    def h1(self) -> str:
        return squash(self.soup.find("h1").get_text(" "))

    @property
    def summary(self) -> list[tuple[str | None, str]]:
        box = self.soup.select_one(".error-summary")
        if box is None:
            return []
        found = []
        for item in box.select("li"):
            link = item.find("a")
            found.append((link["href"] if link else None, squash(item.get_text(" "))))
        return found

    def error(self, field_id: str) -> str | None:
        found = self.soup.find(id=f"{field_id}-error")
        if found is None:
            return None
        return squash(found.get_text(" ")).removeprefix("Fel: ")

    def value(self, name: str) -> str | None:
        field = self.soup.find(attrs={"name": name})
        if field is None:
            return None
        if field.name == "textarea":
            return field.get_text()
        if field.get("type") == "radio":
            checked = self.soup.find(attrs={"name": name, "checked": True})
            return checked["value"] if checked else None
        if field.name == "select":
            chosen = field.find("option", selected=True)
            return chosen["value"] if chosen else None
        return field.get("value")

    @property
    def notices(self) -> list[str]:
        return [squash(n.get_text(" ")) for n in self.soup.select(".notice")]


class Visitor:
    def __init__(self, app, actor: Actor | None = None) -> None:
        self.app = app
        self.client = app.test_client()
        self.actor = actor
        self._token: str | None = None
        if actor is not None:
            token = logged_in_cookie(
                app.extensions["mm.sessions"], actor.user_id, app.config["CLOCK"].now()
            )
            self.client.set_cookie(app.config["SESSION_COOKIE_NAME"], token)

    def get(self, url: str, **kw) -> Page:
        return Page(self.client.get(url, **kw))

    def token(self) -> str:
        if self._token is None:
            html = self.client.get("/logga-in", follow_redirects=True).get_data(as_text=True)
            self._token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
        return self._token

    def post(self, url: str, data: dict | None = None, csrf: bool = True, **kw) -> Page:
        """Posts as a freshly shown form would: with the CSRF token and a new one-time key
        (give `submission_key` to send the same form again, or None to leave it out)."""
        data = dict(data or {})
        if csrf:
            data["csrf_token"] = self.token()
        data.setdefault("submission_key", secrets.token_urlsafe(24))
        if data["submission_key"] is None:
            del data["submission_key"]
        return Page(self.client.post(url, data=data, **kw))


@pytest.fixture
def visit(app):
    def make(actor: Actor | None = None) -> Visitor:
        return Visitor(app, actor)

    return make


@pytest.fixture
def people(sqlite_world):
    w = sqlite_world
    return {
        "investigator": w.user(Role.INVESTIGATOR),
        "other_investigator": w.user(Role.INVESTIGATOR),
        "osby": w.user(Role.MUNICIPALITY_CONTACT, "Osby"),
        "kristianstad": w.user(Role.MUNICIPALITY_CONTACT, "Kristianstad"),
        "coordinator": w.user(Role.COORDINATOR),
        "association": w.user(Role.ASSOCIATION),
        "admin": w.user(Role.ADMIN),
        "log_reviewer": w.user(Role.LOG_REVIEWER),
    }


@pytest.fixture(scope="session")
def certified_provider():
    """panva's oidc-provider on loopback, once per test session (see
    tests/support/certified_provider.py); the test client's redirect URI registered."""
    from tests.support.certified_provider import CertifiedProvider, missing

    reason = missing()
    if reason:
        pytest.skip(f"no certified OpenID Connect provider: {reason}")
    provider = CertifiedProvider()
    provider.allow_redirect("http://localhost/logga-in/idp/svar")
    yield provider
    provider.stop()
