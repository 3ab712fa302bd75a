"""Logging in with the organisation's identity provider (OpenID Connect, authorization code
flow with PKCE) against a real provider the tests start on loopback (tests/support/
oidc_provider.py, which puts every claim and an `acr` of the test's choosing into the ID
token): the journey in Chromium, the `acr` rules, and every way it must fail with a clear
Swedish page and nothing created. tests/web/test_oidc_certified.py runs the flows against a
certified provider in its default mode."""

from __future__ import annotations

import threading
import urllib.parse

import pytest
import requests
from sqlalchemy import func, select
from werkzeug.serving import make_server

from domain.choices import Role
from services import accounts
from storage.models import Event, User
from tests.support.clock import MovableClock, moment
from tests.support.login import code_for, enrol
from tests.support.oidc_provider import CLIENT_ID, CLIENT_SECRET, RunningProvider
from tests.web.conftest import TODAY, Page, Visitor
from web import create_app

FAILED = (
    "Inloggningen i inloggningstjänsten kunde inte slutföras, så du är inte inloggad. Börja om "
    "från inloggningssidan."
)


@pytest.fixture(scope="module")
def provider():
    running = RunningProvider()
    running.allow_redirect("http://localhost/logga-in/idp/svar")
    yield running
    running.stop()


@pytest.fixture
def oidc_app(sqlite_sessions, provider):
    url = sqlite_sessions.kw["bind"].url.render_as_string(hide_password=False)
    return create_app(
        {
            "DATABASE_URL": url,
            "SECRET_KEY": "t",
            "CLOCK": MovableClock(moment(TODAY, 11)),
            "OIDC_ISSUER": provider.url,
            "OIDC_CLIENT_ID": CLIENT_ID,
            "OIDC_CLIENT_SECRET": CLIENT_SECRET,
            "OIDC_PROVIDER_NAME": "SITHS (test)",
        }
    )


def journey(app, subject: str, *, state: str | None = None) -> tuple[Visitor, Page]:
    """Start at our site, sign in at the provider, come back with its answer."""
    visitor = Visitor(app)
    start = visitor.client.get("/logga-in/idp")
    assert start.status_code == 302
    to_provider = start.headers["Location"]
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(to_provider).query)
    assert query["code_challenge_method"] == ["S256"] and query["code_challenge"][0]
    assert query["nonce"][0] and query["state"][0]
    answer = requests.post(
        to_provider, data={"subject": subject}, allow_redirects=False, timeout=10
    )
    assert answer.status_code == 302
    back = urllib.parse.urlsplit(answer.headers["Location"])
    params = dict(urllib.parse.parse_qsl(back.query))
    if state is not None:
        params["state"] = state
    return visitor, Page(visitor.client.get(back.path + "?" + urllib.parse.urlencode(params)))


def users_and_events(world) -> tuple[int, int]:
    return world.read(
        lambda s: (
            s.scalar(select(func.count()).select_from(User)),
            s.scalar(select(func.count()).select_from(Event)),
        )
    )


def test_the_login_page_offers_the_identity_provider(oidc_app):
    page = Page(oidc_app.test_client().get("/logga-in?next=/oversikt"))
    link = page.soup.find("a", string="Logga in med SITHS (test)")
    assert link["href"] == "/logga-in/idp?next=/oversikt"
    assert page.soup.find("input", attrs={"name": "password"}) is not None


def last_login_method(world) -> str:
    return world.read(
        lambda s: s.scalars(select(Event).order_by(Event.id.desc())).first().details["method"]
    )


def test_an_account_made_by_the_administrator_logs_in_through_the_provider(
    oidc_app, sqlite_world, provider
):
    coordinator = sqlite_world.user(Role.COORDINATOR)
    enrol(sqlite_world.sessions, coordinator.user_id, moment(TODAY))
    email = sqlite_world.read(lambda s: s.get(User, coordinator.user_id).email)
    visitor, page = journey(oidc_app, email)
    # No `acr` from the provider: the site's own code before the personal data.
    assert page.status == 302 and page.response.headers["Location"] == "/logga-in/kod"
    assert visitor.get("/oversikt").status == 302
    code = code_for(sqlite_world.sessions, email, clock=oidc_app.config["CLOCK"])
    done = visitor.post("/logga-in/kod", {"code": code})
    assert done.response.headers["Location"] == "/oversikt"
    assert visitor.get("/oversikt").h1 == "Översikt"
    assert provider.provider.pkce_seen[-1] == "S256"
    assert last_login_method(sqlite_world) == "oidc_code"


def test_the_identity_can_be_another_claim(oidc_app, sqlite_world):
    oidc_app.config["OIDC_IDENTITY_CLAIM"] = "hsa_id"
    contact = sqlite_world.user(Role.MUNICIPALITY_CONTACT, "Osby")
    sqlite_world.do(
        accounts.change_user,
        actor=None,
        user_id=contact.user_id,
        name="Test Person",
        role=Role.MUNICIPALITY_CONTACT,
        municipality_id=sqlite_world.municipality("Osby"),
        external_identity="SE2321000016-olle",
        now=moment(TODAY),
    )
    _visitor, page = journey(oidc_app, "olle")
    assert page.response.headers["Location"] == "/logga-in/ny-kod"  # found; not yet enrolled


def test_an_unknown_identity_gets_a_clear_page_and_nothing_is_created(oidc_app, sqlite_world):
    before = users_and_events(sqlite_world)
    visitor, page = journey(oidc_app, "stranger@elsewhere.example")
    assert page.status == 403 and page.h1 == "Du är inte inloggad"
    assert page.text.startswith(
        "Du är inte inloggad Du loggade in i inloggningstjänsten, men här finns inget konto för "
        "dig. Be administratören för Möjlighetsmodellen att lägga till dig. Inget har sparats."
    )
    assert users_and_events(sqlite_world) == before
    assert visitor.get("/oversikt").status == 302


def test_a_deactivated_account_is_refused(oidc_app, sqlite_world):
    coordinator = sqlite_world.user(Role.COORDINATOR)
    email = sqlite_world.read(lambda s: s.get(User, coordinator.user_id).email)
    sqlite_world.do(accounts.deactivate, actor=None, user_id=coordinator.user_id, now=moment(TODAY))
    visitor, page = journey(oidc_app, email)
    assert page.status == 403
    assert "Ditt konto är inaktiverat." in page.text
    assert visitor.get("/oversikt").status == 302


def test_a_wrong_state_is_refused(oidc_app, sqlite_world):
    coordinator = sqlite_world.user(Role.COORDINATOR)
    email = sqlite_world.read(lambda s: s.get(User, coordinator.user_id).email)
    visitor, page = journey(oidc_app, email, state="forged-state")
    assert page.status == 400 and FAILED in page.text
    assert visitor.get("/oversikt").status == 302


@pytest.mark.parametrize("defect", ["next_expired", "next_wrong_key"])
def test_an_expired_or_wrongly_signed_id_token_is_refused(oidc_app, sqlite_world, provider, defect):
    coordinator = sqlite_world.user(Role.COORDINATOR)
    email = sqlite_world.read(lambda s: s.get(User, coordinator.user_id).email)
    setattr(provider.provider, defect, True)
    visitor, page = journey(oidc_app, email)
    assert page.status == 400 and FAILED in page.text
    assert visitor.get("/oversikt").status == 302


ACR_WEAK = "http://id.elegnamnden.se/loa/1.0/loa2"
ACR_STRONG = "http://id.elegnamnden.se/loa/1.0/loa3"


def test_a_strong_acr_stands_in_for_the_sites_code_and_a_weak_one_does_not(
    oidc_app, sqlite_world, provider
):
    oidc_app.config["OIDC_ACR_VALUES"] = [ACR_STRONG]
    coordinator = sqlite_world.user(Role.COORDINATOR)
    email = sqlite_world.read(lambda s: s.get(User, coordinator.user_id).email)
    provider.provider.next_acr = ACR_WEAK
    _visitor, weak = journey(oidc_app, email)
    assert weak.response.headers["Location"] == "/logga-in/ny-kod"
    provider.provider.next_acr = ACR_STRONG
    visitor, strong = journey(oidc_app, email)
    provider.provider.next_acr = None
    assert strong.response.headers["Location"] == "/oversikt"
    assert visitor.get("/oversikt").h1 == "Översikt"
    assert last_login_method(sqlite_world) == "oidc"


def test_with_the_provider_as_the_only_second_factor_a_weak_login_is_refused(
    oidc_app, sqlite_world, provider
):
    oidc_app.config.update(OIDC_ACR_VALUES=[ACR_STRONG], OIDC_SECOND_FACTOR="provider")
    coordinator = sqlite_world.user(Role.COORDINATOR)
    email = sqlite_world.read(lambda s: s.get(User, coordinator.user_id).email)
    before = users_and_events(sqlite_world)
    for acr in (ACR_WEAK, None):
        provider.provider.next_acr = acr
        visitor, weak = journey(oidc_app, email)
        assert weak.status == 403
        assert (
            "Din roll kräver inloggning med två faktorer (till exempel SITHS- eller Efos-kort) i "
            "inloggningstjänsten. Logga in igen med ett sådant sätt." in weak.text
        )
        assert visitor.get("/oversikt").status == 302
    assert users_and_events(sqlite_world) == before
    provider.provider.next_acr = ACR_STRONG
    _visitor, strong = journey(oidc_app, email)
    provider.provider.next_acr = None
    assert strong.response.headers["Location"] == "/oversikt"


PNR_CLAIM = "https://id.oidc.se/claim/personalIdentityNumber"


def test_userinfo_about_another_subject_is_not_believed(oidc_app, sqlite_world, provider):
    """The identity claim is not in the ID token, so UserInfo is asked; its `sub` must be the
    ID token's (OpenID Connect Core 5.3.4), and an `acr` there counts for nothing."""
    oidc_app.config.update(OIDC_IDENTITY_CLAIM=PNR_CLAIM, OIDC_ACR_VALUES=[ACR_STRONG])
    coordinator = sqlite_world.user(Role.COORDINATOR)
    sqlite_world.do(
        accounts.change_user,
        actor=None,
        user_id=coordinator.user_id,
        name="Test Person",
        role=Role.COORDINATOR,
        municipality_id=None,
        external_identity="19810923-9809",
        now=moment(TODAY),
    )
    email = sqlite_world.read(lambda s: s.get(User, coordinator.user_id).email)
    before = users_and_events(sqlite_world)
    provider.provider.userinfo = {"sub": "someone-else", PNR_CLAIM: "198109239809"}
    visitor, page = journey(oidc_app, email)
    assert page.status == 400 and FAILED in page.text
    assert users_and_events(sqlite_world) == before
    assert visitor.get("/oversikt").status == 302
    provider.provider.userinfo = {"sub": email, PNR_CLAIM: "198109239809", "acr": ACR_STRONG}
    _visitor, page = journey(oidc_app, email)
    provider.provider.userinfo = {}
    assert page.response.headers["Location"] == "/logga-in/ny-kod"  # the site's code, still


def test_password_login_can_be_switched_off(oidc_app, sqlite_world):
    visitor = Visitor(oidc_app)
    visitor.token()  # a form's security code, fetched while the form was still offered
    oidc_app.config["MM_PASSWORD_LOGIN"] = False
    page = Page(oidc_app.test_client().get("/logga-in"))
    assert page.soup.find("input", attrs={"name": "password"}) is None
    refused = visitor.post("/logga-in", {"email": "a@b.example", "password": "x"})
    assert refused.status == 404


def test_the_whole_redirect_journey_in_a_browser(browser, sqlite_world, sqlite_sessions, provider):
    url = sqlite_sessions.kw["bind"].url.render_as_string(hide_password=False)
    server = make_server("127.0.0.1", 0, None, threaded=True)  # to learn a free port
    port = server.server_port
    server.server_close()
    site = f"http://127.0.0.1:{port}"
    provider.allow_redirect(f"{site}/logga-in/idp/svar")
    app = create_app(
        {
            "DATABASE_URL": url,
            "SECRET_KEY": "t",
            "CLOCK": MovableClock(moment(TODAY, 11)),
            "OIDC_ISSUER": provider.url,
            "OIDC_CLIENT_ID": CLIENT_ID,
            "OIDC_CLIENT_SECRET": CLIENT_SECRET,
            "OIDC_PROVIDER_NAME": "SITHS (test)",
        }
    )
    served = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=served.serve_forever, daemon=True)
    thread.start()
    coordinator = sqlite_world.user(Role.COORDINATOR)
    enrol(sqlite_world.sessions, coordinator.user_id, moment(TODAY))
    email = sqlite_world.read(lambda s: s.get(User, coordinator.user_id).email)
    context = browser.new_context(locale="sv-SE")
    try:
        page = context.new_page()
        page.goto(f"{site}/oversikt")
        assert page.url == f"{site}/logga-in?next=/oversikt"
        page.get_by_role("link", name="Logga in med SITHS (test)").click()
        page.wait_for_load_state()
        assert page.url.startswith(f"{provider.url}/authorize?")
        page.get_by_label("Identity").fill(email)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_load_state()
        assert page.url == f"{site}/logga-in/kod"
        code = code_for(sqlite_world.sessions, email, clock=app.config["CLOCK"])
        page.get_by_label("Kod", exact=True).fill(code)
        page.get_by_role("button", name="Fortsätt").click()
        page.wait_for_load_state()
        assert page.url == f"{site}/oversikt"
        assert page.get_by_role("heading", level=1).inner_text() == "Översikt"
        page.get_by_role("button", name="Logga ut").click()
        page.wait_for_load_state()
        assert page.url == f"{site}/logga-in"
    finally:
        context.close()
        served.shutdown()
        thread.join(timeout=10)
