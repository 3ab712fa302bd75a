"""One real site and one headless Chromium for the browser tests of a whole test session.

The site is the app served by werkzeug on a free localhost port from a thread, on a fresh
SQLite database with the program and the demo data (made through the real use cases, as
`make run` does), and a fixed clock. Chromium is Debian's, driven by Playwright for Python;
axe-core comes from the axe-playwright-python package and is injected into each page.
"""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from importlib import resources
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from cli.demo_data import DEMO_PASSWORD, load_demo_data
from services.program_setup import install_program
from storage.db import make_engine, session_factory, unit_of_work
from tests.support.clock import MovableClock, moment
from tests.support.login import code_for
from web import create_app

TODAY = date(2026, 11, 23)
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
AXE_SOURCE = (resources.files("axe_playwright_python") / "axe.min.js").read_text("utf-8")
RUN_AXE = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map(n => n.target.join(" ")).slice(0, 5),
  }));
}"""


@dataclass
class Site:
    url: str
    sessions: object
    clock: MovableClock

    def read(self, query):
        with unit_of_work(self.sessions) as session:
            return query(session)


def demo_database(folder: Path, sqlite_template, program, prepare=None):
    """A copy of the migrated database with the program and the demo data, as `make run`
    makes it; `prepare(sessions)` runs between the two. Returns (url, engine, sessions)."""
    path = folder / "site.sqlite3"
    shutil.copy(sqlite_template, path)
    url = f"sqlite:///{path}"
    engine = make_engine(url)
    sessions = session_factory(engine)
    with unit_of_work(sessions) as session:
        install_program(session, program, now=moment(date(2026, 1, 1)))
    if prepare is not None:
        prepare(sessions)
    with unit_of_work(sessions) as session:
        load_demo_data(session, now=moment(TODAY, 11))
    return url, engine, sessions


@contextmanager
def served_demo_site(folder: Path, sqlite_template, program) -> Iterator[Site]:
    """The demo data served on loopback by the real app, on a copy of the migrated database."""
    url, engine, sessions = demo_database(folder, sqlite_template, program)
    clock = MovableClock(moment(TODAY, 11))
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "browser-tests", "CLOCK": clock})
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Site(f"http://127.0.0.1:{server.server_port}", sessions, clock)
    finally:
        server.shutdown()
        thread.join(timeout=10)
        engine.dispose()


@pytest.fixture(scope="session")
def site(tmp_path_factory, sqlite_template, program) -> Iterator[Site]:
    """One site for the browser tests that add only a few rows of their own."""
    with served_demo_site(tmp_path_factory.mktemp("site"), sqlite_template, program) as served:
        yield served


@pytest.fixture
def own_site(tmp_path_factory, sqlite_template, program) -> Iterator[Site]:
    """A site of its own, for a test that adds data wholesale (the others would render it)."""
    with served_demo_site(tmp_path_factory.mktemp("site"), sqlite_template, program) as served:
        yield served


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed (make test installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


class Person:
    """A browser tab of one person, logged in through the real login form: the password, then
    the code their authenticator would show (tests.support.login.code_for)."""

    def __init__(self, browser, site: Site, email: str | None, *, javascript: bool = True) -> None:
        self.site = site
        self.context = browser.new_context(locale="sv-SE", java_script_enabled=javascript)
        self.page = self.context.new_page()
        self.problems: list[str] = []
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda error: self.problems.append(str(error)))
        self.page.on("response", self._response)
        if email:
            self.log_in(email)

    def _console(self, message) -> None:
        # A page answered with 4xx is logged too; that is the page itself, not a problem.
        if message.type == "error" and "Failed to load resource" not in message.text:
            self.problems.append(message.text)

    def _response(self, response) -> None:
        # Every style sheet, icon and script a page uses must load.
        if response.request.resource_type != "document" and response.status >= 400:
            self.problems.append(f"{response.status} {response.url}")

    def go(self, path: str):
        self.problems.clear()
        return self.page.goto(self.site.url + path)

    def log_in(self, email: str) -> None:
        self.go("/logga-in")
        self.page.get_by_label("E-postadress").fill(email)
        self.page.get_by_label("Lösenord").fill(DEMO_PASSWORD)
        self.page.get_by_role("button", name="Logga in").click()
        self.page.wait_for_load_state()
        code = code_for(self.site.sessions, email, clock=self.site.clock)
        self.page.get_by_label("Kod").fill(code)
        self.page.get_by_role("button", name="Fortsätt").click()
        self.page.wait_for_load_state()

    def axe(self) -> list[dict]:
        self.page.evaluate(AXE_SOURCE)
        return self.page.evaluate(RUN_AXE)

    def close(self) -> None:
        self.context.close()
