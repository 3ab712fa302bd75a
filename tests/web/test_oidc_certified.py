"""Logging in through panva's `oidc-provider` (OpenID Certified) in its default conformant
mode, started once per test session on loopback (tests/support/certified_provider.py): its ID
token carries only `sub` and the protocol's claims, so the identity comes from UserInfo; the
roles that need a second factor give the site's own code after the provider's login, because
this provider vouches for no `acr`. Every refusal is a Swedish page with nothing saved."""

from __future__ import annotations

import logging
import urllib.parse

import pytest
from sqlalchemy import func, select

from domain.choices import Role
from services import accounts
from storage.models import Event, User, WebSession
from tests.support.certified_provider import (
    CLIENT_ID,
    CLIENT_SECRET,
    HSA_ID,
    HSA_ID_SCOPE,
    PERSONAL_IDENTITY_NUMBER,
    PERSONAL_IDENTITY_NUMBER_SCOPE,
    CertifiedProvider,
)
from tests.support.clock import MovableClock, moment
from tests.support.login import code_for, enrol
from tests.web.conftest import TODAY, Page, Visitor
from web import create_app

FAILED = (
    "Inloggningen i inloggningstjänsten kunde inte slutföras, så du är inte inloggad. Börja om "
    "från inloggningssidan."
)
UNKNOWN = (
    "Du loggade in i inloggningstjänsten, men här finns inget konto för dig. Be administratören "
    "för Möjlighetsmodellen att lägga till dig. Inget har sparats."
)
NO_IDENTITY = (
    "Inloggningstjänsten berättade inte för webbplatsen vem du är, så du är inte inloggad och "
    "inget har sparats. Säg till administratören för Möjlighetsmodellen: inställningarna för "
    "inloggningstjänsten behöver ses över."
)
PNR_SCOPE = f"openid {PERSONAL_IDENTITY_NUMBER_SCOPE}"
PNR = "198109239809"  # as the claim carries it; the administrator typed 19810923-9809
HOMES = {
    Role.INVESTIGATOR: "/anmalningar",
    Role.MUNICIPALITY_CONTACT: "/forfragningar",
    Role.COORDINATOR: "/oversikt",
    Role.ASSOCIATION: "/budget",
    Role.ADMIN: "/anvandare",
    Role.LOG_REVIEWER: "/loggkontroll",
}


@pytest.fixture
def make_site(sqlite_sessions, certified_provider):
    """The site with the certified provider as its identity provider, and more settings."""
    url = sqlite_sessions.kw["bind"].url.render_as_string(hide_password=False)

    def make(**settings):
        return create_app(
            {
                "DATABASE_URL": url,
                "SECRET_KEY": "t",
                "CLOCK": MovableClock(moment(TODAY, 11)),
                "OIDC_ISSUER": certified_provider.url,
                "OIDC_CLIENT_ID": CLIENT_ID,
                "OIDC_CLIENT_SECRET": CLIENT_SECRET,
                "OIDC_PROVIDER_NAME": "Test-IdP",
                **settings,
            }
        )

    return make


@pytest.fixture
def idp_site(make_site):
    return make_site()


def start(visitor: Visitor) -> str:
    answer = visitor.client.get("/logga-in/idp")
    assert answer.status_code == 302
    return answer.headers["Location"]


def come_back(visitor: Visitor, callback: str) -> Page:
    parts = urllib.parse.urlsplit(callback)
    return Page(visitor.client.get(f"{parts.path}?{parts.query}"))


def journey(site, provider: CertifiedProvider, login: str) -> tuple[Visitor, Page, str]:
    """Our site, the provider's own login and consent pages, back with its answer."""
    visitor = Visitor(site)
    callback = provider.sign_in(start(visitor), login)
    return visitor, come_back(visitor, callback), callback


def give_code(world, visitor: Visitor, email: str) -> Page:
    code = code_for(world.sessions, email, clock=visitor.app.config["CLOCK"])
    return visitor.post("/logga-in/kod", {"code": code})


def account(world, role: Role, *, identity: str | None = None, enrolled: bool = True) -> str:
    """An account the administrator made; its e-mail address."""
    municipality = "Osby" if role is Role.MUNICIPALITY_CONTACT else None
    actor = world.user(role, municipality)
    if identity is not None:
        world.do(
            accounts.change_user,
            actor=None,
            user_id=actor.user_id,
            name="Test Person",
            role=role,
            municipality_id=world.municipality(municipality) if municipality else None,
            external_identity=identity,
            now=moment(TODAY),
        )
    if enrolled:
        enrol(world.sessions, actor.user_id, moment(TODAY))
    return world.read(lambda s: s.get(User, actor.user_id).email)


def saved(world) -> tuple[int, int, int]:
    """Accounts, events and logged-in sessions."""
    return world.read(
        lambda s: (
            s.scalar(select(func.count()).select_from(User)),
            s.scalar(select(func.count()).select_from(Event)),
            s.scalar(select(func.count()).where(WebSession.user_id.is_not(None))),
        )
    )


def last_login_method(world) -> str:
    return world.read(
        lambda s: s.scalars(select(Event).order_by(Event.id.desc())).first().details["method"]
    )


@pytest.mark.parametrize("role", list(Role))
def test_each_role_logs_in_with_the_sites_code_after_the_provider(
    idp_site, sqlite_world, certified_provider, role
):
    email = account(sqlite_world, role)
    visitor, page, _callback = journey(idp_site, certified_provider, email)
    assert page.status == 302 and page.response.headers["Location"] == "/logga-in/kod"
    assert visitor.get(HOMES[role]).status == 302  # not logged in before the code
    done = give_code(sqlite_world, visitor, email)
    # The log reviewer lands on the flagged views of the last 30 days (a query).
    assert done.response.headers["Location"].split("?")[0] == HOMES[role]
    assert visitor.get(HOMES[role]).status == 200
    assert last_login_method(sqlite_world) == "oidc_code"


def test_without_the_setting_for_all_the_association_needs_no_code_but_the_coordinator_does(
    idp_site, sqlite_world, certified_provider
):
    idp_site.config["MM_SECOND_FACTOR_FOR_ALL"] = False
    association = account(sqlite_world, Role.ASSOCIATION, enrolled=False)
    _visitor, page, _callback = journey(idp_site, certified_provider, association)
    assert page.response.headers["Location"] == "/budget"
    assert last_login_method(sqlite_world) == "oidc"
    coordinator = account(sqlite_world, Role.COORDINATOR)
    _visitor, page, _callback = journey(idp_site, certified_provider, coordinator)
    assert page.response.headers["Location"] == "/logga-in/kod"


def test_the_page_asked_for_is_shown_after_the_code(idp_site, sqlite_world, certified_provider):
    email = account(sqlite_world, Role.COORDINATOR)
    visitor = Visitor(idp_site)
    answer = visitor.client.get("/logga-in/idp?next=/anmalningar?status=draft")
    callback = certified_provider.sign_in(answer.headers["Location"], email)
    assert come_back(visitor, callback).response.headers["Location"] == "/logga-in/kod"
    done = give_code(sqlite_world, visitor, email)
    assert done.response.headers["Location"] == "/anmalningar?status=draft"


def test_a_first_login_through_the_provider_enrols_the_authenticator(
    idp_site, sqlite_world, certified_provider
):
    email = account(sqlite_world, Role.COORDINATOR, enrolled=False)
    visitor, page, _callback = journey(idp_site, certified_provider, email)
    assert page.response.headers["Location"] == "/logga-in/ny-kod"
    assert visitor.get("/logga-in/ny-kod").h1 == "Slå på tvåstegsverifiering"


def test_an_unknown_identity_is_refused_and_nothing_is_saved(
    idp_site, sqlite_world, certified_provider
):
    account(sqlite_world, Role.COORDINATOR)
    before = saved(sqlite_world)
    visitor, page, _callback = journey(idp_site, certified_provider, "stranger@elsewhere.example")
    assert page.status == 403 and page.h1 == "Du är inte inloggad"
    assert UNKNOWN in page.text
    assert saved(sqlite_world) == before
    assert visitor.get("/oversikt").status == 302


def test_a_deactivated_account_is_refused(idp_site, sqlite_world, certified_provider):
    email = account(sqlite_world, Role.COORDINATOR)
    user_id = sqlite_world.read(
        lambda s: s.scalars(select(User.id).where(User.email == email)).one()
    )
    sqlite_world.do(accounts.deactivate, actor=None, user_id=user_id, now=moment(TODAY))
    visitor, page, _callback = journey(idp_site, certified_provider, email)
    assert page.status == 403
    assert (
        "Ditt konto är inaktiverat. Kontakta administratören om du behöver åtkomst igen."
        in page.text
    )
    assert visitor.get("/oversikt").status == 302


def test_a_replayed_or_injected_code_is_refused(idp_site, sqlite_world, certified_provider):
    email = account(sqlite_world, Role.COORDINATOR)
    visitor, page, callback = journey(idp_site, certified_provider, email)
    assert page.response.headers["Location"] == "/logga-in/kod"
    # The same answer again, in the same browser: the state was used up.
    again = come_back(visitor, callback)
    assert again.status == 400 and FAILED in again.text
    # The used code in another browser's own login, with that browser's state.
    attacker = Visitor(idp_site)
    state = urllib.parse.parse_qs(urllib.parse.urlsplit(start(attacker)).query)["state"][0]
    params = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(callback).query), state=state)
    injected = come_back(attacker, f"/logga-in/idp/svar?{urllib.parse.urlencode(params)}")
    assert injected.status == 400 and FAILED in injected.text
    assert attacker.get("/oversikt").status == 302


def test_an_altered_state_is_refused(idp_site, sqlite_world, certified_provider):
    email = account(sqlite_world, Role.COORDINATOR)
    visitor = Visitor(idp_site)
    callback = certified_provider.sign_in(start(visitor), email)
    params = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(callback).query))
    params["state"] = params["state"][:-2] + "xx"
    page = come_back(visitor, f"/logga-in/idp/svar?{urllib.parse.urlencode(params)}")
    assert page.status == 400 and FAILED in page.text
    assert visitor.get("/oversikt").status == 302


def test_an_id_token_with_another_nonce_is_refused(idp_site, sqlite_world, certified_provider):
    """The request to the provider altered on the way: its ID token then carries a nonce
    this browser's login never sent."""
    email = account(sqlite_world, Role.COORDINATOR)
    visitor = Visitor(idp_site)
    parts = urllib.parse.urlsplit(start(visitor))
    query = dict(urllib.parse.parse_qsl(parts.query), nonce="a-nonce-from-somewhere-else")
    altered = parts._replace(query=urllib.parse.urlencode(query)).geturl()
    page = come_back(visitor, certified_provider.sign_in(altered, email))
    assert page.status == 400 and FAILED in page.text
    assert visitor.get("/oversikt").status == 302


def test_an_expired_id_token_is_refused(idp_site, sqlite_world, certified_provider):
    """A provider whose clock is two hours behind issues an ID token that expired an hour
    ago (its lifetime is an hour; the site allows two minutes' skew)."""
    email = account(sqlite_world, Role.COORDINATOR)
    visitor = Visitor(idp_site)
    callback = certified_provider.sign_in(start(visitor), email)
    certified_provider.set_clock(-2 * 3600)
    try:
        page = come_back(visitor, callback)
    finally:
        certified_provider.set_clock(0)
    assert page.status == 400 and FAILED in page.text
    assert visitor.get("/oversikt").status == 302


def test_after_the_provider_rotates_its_signing_key_the_site_fetches_its_keys_again(
    idp_site, sqlite_world, certified_provider
):
    email = account(sqlite_world, Role.COORDINATOR)
    _visitor, first, _callback = journey(idp_site, certified_provider, email)
    assert first.response.headers["Location"] == "/logga-in/kod"
    with idp_site.app_context():
        client = idp_site.extensions["mm.oidc"].create_client("idp")
        known = {key["kid"] for key in client.server_metadata["jwks"]["keys"]}
    certified_provider.rotate_signing_key()
    visitor, second, _callback = journey(idp_site, certified_provider, email)
    assert second.response.headers["Location"] == "/logga-in/kod"
    assert give_code(sqlite_world, visitor, email).response.headers["Location"] == "/oversikt"
    with idp_site.app_context():
        client = idp_site.extensions["mm.oidc"].create_client("idp")
        now_known = {key["kid"] for key in client.server_metadata["jwks"]["keys"]}
    assert now_known and now_known.isdisjoint(known)


def test_the_swedish_personal_identity_number_claim_names_the_account(
    make_site, sqlite_world, certified_provider, caplog
):
    idp_site = make_site(OIDC_IDENTITY_CLAIM=PERSONAL_IDENTITY_NUMBER, OIDC_SCOPE=PNR_SCOPE)
    email = account(sqlite_world, Role.COORDINATOR, identity="19810923-9809")
    caplog.set_level(logging.DEBUG)
    visitor, page, callback = journey(idp_site, certified_provider, PNR)
    assert page.response.headers["Location"] == "/logga-in/kod"
    done = give_code(sqlite_world, visitor, email)
    assert done.response.headers["Location"] == "/oversikt"
    assert PNR not in visitor.get("/oversikt").text
    # The same answer again, and an altered state: refused.
    assert come_back(visitor, callback).status == 400
    other = Visitor(idp_site)
    answer = certified_provider.sign_in(start(other), PNR)
    params = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(answer).query), state="altered")
    altered = come_back(other, f"/logga-in/idp/svar?{urllib.parse.urlencode(params)}")
    assert altered.status == 400 and FAILED in altered.text
    # Another personnummer has no account.
    before = saved(sqlite_world)
    _visitor, unknown, _callback = journey(idp_site, certified_provider, "194910071234")
    assert unknown.status == 403 and UNKNOWN in unknown.text
    assert "194910071234" not in unknown.text
    assert saved(sqlite_world) == before
    logged = [r.getMessage() for r in caplog.records]
    assert not [line for line in logged if "810923" in line or "491007" in line]
    events = sqlite_world.read(lambda s: [str(e.details) for e in s.scalars(select(Event))])
    assert not [details for details in events if PNR in details]


def test_an_hsa_id_claim_names_a_municipality_contacts_account(
    make_site, sqlite_world, certified_provider
):
    idp_site = make_site(OIDC_IDENTITY_CLAIM=HSA_ID, OIDC_SCOPE=f"openid {HSA_ID_SCOPE}")
    email = account(sqlite_world, Role.MUNICIPALITY_CONTACT, identity="SE2321000016-7K3P")
    visitor, page, _callback = journey(idp_site, certified_provider, "SE2321000016-7K3P")
    assert page.response.headers["Location"] == "/logga-in/kod"
    assert give_code(sqlite_world, visitor, email).response.headers["Location"] == "/forfragningar"


def test_a_claim_the_provider_does_not_give_is_a_clear_page_and_one_line_for_the_operator(
    make_site, sqlite_world, certified_provider, caplog
):
    """The operator named the personnummer claim but did not ask for its scope."""
    idp_site = make_site(OIDC_IDENTITY_CLAIM=PERSONAL_IDENTITY_NUMBER)
    account(sqlite_world, Role.COORDINATOR, identity=PNR)
    before = saved(sqlite_world)
    caplog.set_level(logging.WARNING, logger="web.views.oidc_login")
    visitor, page, _callback = journey(idp_site, certified_provider, PNR)
    assert page.status == 403 and page.h1 == "Du är inte inloggad"
    assert NO_IDENTITY in page.text
    assert saved(sqlite_world) == before
    lines = [r.getMessage() for r in caplog.records if r.name == "web.views.oidc_login"]
    assert lines == [
        "OpenID Connect login refused: the claim "
        "'https://id.oidc.se/claim/personalIdentityNumber' (OIDC_IDENTITY_CLAIM) was looked for "
        "in the ID token and UserInfo and is not there; check OIDC_SCOPE and what the provider "
        "releases to this client"
    ]
    assert visitor.get("/oversikt").status == 302


def test_the_coordinator_logs_in_through_the_provider_on_both_databases(
    sessions, world, certified_provider
):
    url = sessions.kw["bind"].url.render_as_string(hide_password=False)
    site = create_app(
        {
            "DATABASE_URL": url,
            "SECRET_KEY": "t",
            "CLOCK": MovableClock(moment(TODAY, 11)),
            "OIDC_ISSUER": certified_provider.url,
            "OIDC_CLIENT_ID": CLIENT_ID,
            "OIDC_CLIENT_SECRET": CLIENT_SECRET,
        }
    )
    email = account(world, Role.COORDINATOR)
    before = saved(world)
    _visitor, refused, _callback = journey(site, certified_provider, "nobody@elsewhere.example")
    assert refused.status == 403 and UNKNOWN in refused.text
    assert saved(world) == before
    visitor, page, _callback = journey(site, certified_provider, email)
    assert page.response.headers["Location"] == "/logga-in/kod"
    assert give_code(world, visitor, email).response.headers["Location"] == "/oversikt"
    assert visitor.get("/oversikt").h1 == "Översikt"
    assert last_login_method(world) == "oidc_code"
