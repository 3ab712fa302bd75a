"""Logging in and out: password, then the second factor (enrolled at the first login); the
limit on failed logins (shared by every worker); sessions kept on the server that end at
logout, when idle and after eight hours; session cookies, security headers, the secret key,
and Swedish error pages."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.choices import Role
from services import second_factor
from storage.models import User, WebSession
from tests.support.login import code_for, enrol
from tests.web.conftest import Page, Visitor
from web import create_app
from web import settings as web_settings
from web.security import CSP

PASSWORD = "ett-langt-losenord-2026"
WRONG = "E-postadressen eller lösenordet är fel."
COOKIE = "mm_session"


@pytest.fixture
def contact(sqlite_world, app):
    actor = sqlite_world.user(Role.MUNICIPALITY_CONTACT, "Osby", password=PASSWORD)
    enrol(sqlite_world.sessions, actor.user_id, app.config["CLOCK"].now())
    return sqlite_world.read(lambda s: s.get(User, actor.user_id).email)


def log_in(visitor: Visitor, email: str, password: str, next_url: str = "") -> Page:
    target = "/logga-in" + (f"?next={next_url}" if next_url else "")
    return visitor.post(target, {"email": email, "password": password})


def give_code(visitor: Visitor, sessions, email: str) -> Page:
    code = code_for(sessions, email, clock=visitor.app.config["CLOCK"])
    return visitor.post("/logga-in/kod", {"code": code})


def cookie(visitor: Visitor) -> str | None:
    found = visitor.client.get_cookie(COOKIE)
    return found.value if found else None


def test_the_password_then_the_code_lead_to_the_roles_start_page(visit, contact, sqlite_world):
    visitor = visit()
    page = log_in(visitor, contact.upper(), PASSWORD)
    assert page.status == 302 and page.response.headers["Location"] == "/logga-in/kod"
    assert visitor.get("/forfragningar").status == 302  # not logged in before the code
    form = visitor.get("/logga-in/kod")
    assert form.h1 == "Kod från din autentiseringsapp"
    before = cookie(visitor)
    page = give_code(visitor, sqlite_world.sessions, contact)
    assert page.status == 302 and page.response.headers["Location"] == "/forfragningar"
    set_cookie = page.response.headers["Set-Cookie"]
    assert "HttpOnly" in set_cookie and "SameSite=Lax" in set_cookie
    assert "Secure" not in set_cookie and "Expires" not in set_cookie
    assert visitor.get("/forfragningar").h1 == "Förfrågningar till Osby"
    # A new session at login: the token from before the login opens nothing.
    assert cookie(visitor) != before
    stranger = visit()
    stranger.client.set_cookie(COOKIE, before)
    assert stranger.get("/forfragningar").status == 302


def test_a_replayed_code_is_refused(visit, contact, sqlite_world, app):
    first = visit()
    log_in(first, contact, PASSWORD)
    code = code_for(sqlite_world.sessions, contact, clock=app.config["CLOCK"])
    assert first.post("/logga-in/kod", {"code": code}).status == 302
    second = visit()
    log_in(second, contact, PASSWORD)
    replay = second.post("/logga-in/kod", {"code": code})
    assert replay.status == 400
    assert replay.summary == [
        ("#code", "Koden är fel eller har redan använts. Vänta på en ny kod och försök igen.")
    ]
    assert second.get("/forfragningar").status == 302


def test_the_first_login_enrols_an_authenticator_and_shows_recovery_codes(visit, sqlite_world, app):
    actor = sqlite_world.user(Role.COORDINATOR, password=PASSWORD)
    email = sqlite_world.read(lambda s: s.get(User, actor.user_id).email)
    visitor = visit()
    page = log_in(visitor, email, PASSWORD, next_url="/anmalningar")
    assert page.response.headers["Location"] == "/logga-in/ny-kod"
    page = visitor.get("/logga-in/ny-kod")
    assert page.h1 == "Slå på tvåstegsverifiering"
    svg = page.soup.select_one(".qr svg")
    assert svg is not None and svg.find("title").get_text() == "QR-kod"
    key = page.soup.select_one("code.secret").get_text().replace(" ", "")
    assert (
        visitor.get("/logga-in/ny-kod").soup.select_one("code.secret").get_text().replace(" ", "")
        == key
    )  # the same key until it is confirmed
    wrong = visitor.post("/logga-in/ny-kod", {"code": "123456"})
    assert wrong.status == 400 and wrong.summary[0][1].startswith("Koden stämmer inte.")
    now = app.config["CLOCK"].now()
    page = visitor.post("/logga-in/ny-kod", {"code": second_factor.code_at(key, now)})
    assert page.response.headers["Location"] == "/logga-in/reservkoder"
    shown = visitor.get("/logga-in/reservkoder")
    codes = [c.get_text() for c in shown.soup.select(".recovery-codes code")]
    assert len(codes) == 10 and all(re.fullmatch(r"[a-z2-9]{4}(-[a-z2-9]{4}){3}", c) for c in codes)
    assert shown.soup.find("a", string="Jag har sparat koderna, fortsätt")["href"] == "/anmalningar"
    assert visitor.get("/logga-in/reservkoder").status == 302  # shown once
    assert sqlite_world.read(lambda s: s.get(User, actor.user_id).totp_secret) == key
    # Later, a recovery code instead of the app; each works once.
    again = visit()
    log_in(again, email, PASSWORD)
    assert again.post("/logga-in/kod", {"code": codes[0]}).status == 302
    third = visit()
    log_in(third, email, PASSWORD)
    assert third.post("/logga-in/kod", {"code": codes[0]}).status == 400


def test_a_pending_login_lasts_five_minutes(visit, contact, sqlite_world, app):
    visitor = visit()
    log_in(visitor, contact, PASSWORD)
    app.config["CLOCK"].advance(timedelta(minutes=6))
    page = visitor.post(
        "/logga-in/kod",
        {"code": code_for(sqlite_world.sessions, contact, clock=app.config["CLOCK"])},
    )
    assert page.status == 302 and page.response.headers["Location"] == "/logga-in"
    assert visitor.get("/logga-in").notices == ["Inloggningen tog för lång tid. Börja om."]


def test_association_and_admin_need_the_code_unless_the_setting_says_otherwise(
    visit, sqlite_world, app
):
    actor = sqlite_world.user(Role.ASSOCIATION, password=PASSWORD)
    email = sqlite_world.read(lambda s: s.get(User, actor.user_id).email)
    assert log_in(visit(), email, PASSWORD).response.headers["Location"] == "/logga-in/ny-kod"
    app.config["MM_SECOND_FACTOR_FOR_ALL"] = False
    visitor = visit()
    assert log_in(visitor, email, PASSWORD).response.headers["Location"] == "/budget"
    assert visitor.get("/budget").status == 200
    # Roles that see personal data need it whatever the setting says.
    coordinator = sqlite_world.user(Role.COORDINATOR, password=PASSWORD)
    email = sqlite_world.read(lambda s: s.get(User, coordinator.user_id).email)
    assert log_in(visit(), email, PASSWORD).response.headers["Location"] == "/logga-in/ny-kod"


def test_over_https_the_cookie_is_secure(app):
    app.config["SESSION_COOKIE_SECURE"] = True
    response = Visitor(app).client.get("/logga-in")
    assert "Secure" in response.headers["Set-Cookie"]


def test_https_setting_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("MM_HTTPS", "1")
    assert web_settings.defaults()["SESSION_COOKIE_SECURE"] is True
    monkeypatch.setenv("MM_HTTPS", "")
    assert web_settings.defaults()["SESSION_COOKIE_SECURE"] is False


def test_a_wrong_password_says_so_and_keeps_the_email(visit, contact):
    page = log_in(visit(), contact, "fel-losenord")
    assert page.status == 400
    assert page.summary == [("#email", WRONG)]
    assert page.value("email") == contact
    assert page.value("password") in (None, "")


def test_an_empty_login_asks_for_both(visit):
    page = visit().post("/logga-in", {})
    assert page.summary == [
        ("#email", "Ange din e-postadress."),
        ("#password", "Ange ditt lösenord."),
    ]


def test_failures_from_one_address_hold_for_every_worker_but_not_for_another_address(
    app, contact, sqlite_sessions
):
    url = sqlite_sessions.kw["bind"].url.render_as_string(hide_password=False)
    other_worker = create_app(
        {"DATABASE_URL": url, "SECRET_KEY": "test-secret", "CLOCK": app.config["CLOCK"]}
    )
    for _ in range(5):
        assert log_in(Visitor(app), contact, "fel-losenord").summary == [("#email", WRONG)]
    refused = log_in(Visitor(other_worker), contact, PASSWORD)
    assert refused.status == 429
    assert refused.summary == [
        (
            "#email",
            "För många misslyckade inloggningsförsök. Försök igen tidigast 23 nov. 2026 11:01.",
        )
    ]
    elsewhere = Visitor(app)
    page = elsewhere.post(
        "/logga-in",
        {"email": contact, "password": PASSWORD},
        environ_base={"REMOTE_ADDR": "10.1.2.3"},
    )
    assert page.response.headers["Location"] == "/logga-in/kod"


def test_behind_a_proxy_exactly_one_hop_is_trusted(sqlite_sessions, monkeypatch):
    monkeypatch.setenv("MM_BEHIND_PROXY", "1")
    url = sqlite_sessions.kw["bind"].url.render_as_string(hide_password=False)
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "x"})
    seen = []
    app.add_url_rule(
        "/who", view_func=lambda: seen.append(__import__("flask").request.remote_addr) or ""
    )
    client = app.test_client()
    # The client forged the first address; the proxy appended the one it saw.
    client.get(
        "/who",
        headers={"X-Forwarded-For": "203.0.113.9, 198.51.100.4"},
        environ_base={"REMOTE_ADDR": "10.0.0.1"},
    )
    assert seen == ["198.51.100.4"]


@pytest.mark.parametrize(
    ("next_url", "expected"),
    [
        ("/kommun", "/kommun"),
        ("//evil.example/", "/forfragningar"),
        ("/\\evil.example", "/forfragningar"),
        ("https://evil.example/", "/forfragningar"),
        ("/kommun%0d%0aSet-Cookie:x=1", "/forfragningar"),
        ("/kommun%09", "/forfragningar"),
    ],
)
def test_next_leads_back_to_a_page_on_this_site_only(
    visit, contact, sqlite_world, next_url, expected
):
    visitor = visit()
    log_in(visitor, contact, PASSWORD, next_url=next_url)
    page = give_code(visitor, sqlite_world.sessions, contact)
    assert page.status == 302 and page.response.headers["Location"] == expected


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(target=st.text(max_size=40))
def test_no_next_can_make_the_login_fail(app, target):
    from web.auth import safe_next

    with app.test_request_context():
        kept = safe_next("/" + target)
        if kept is not None:
            response = __import__("flask").redirect(kept)
            assert response.status_code == 302
            assert (
                "\r" not in response.headers["Location"]
                and "\n" not in response.headers["Location"]
            )
            assert not response.headers["Location"].startswith("//")


def test_pages_send_anonymous_visitors_to_the_login(visit):
    page = visit().get("/anmalningar/MM-2026-0001")
    assert page.status == 302
    assert page.response.headers["Location"] == "/logga-in?next=/anmalningar/MM-2026-0001"


def test_logging_out_deletes_the_session_so_a_copied_cookie_opens_nothing(visit, people, app):
    visitor = visit(people["coordinator"])
    copied = cookie(visitor)
    assert visitor.get("/oversikt").status == 200
    page = visitor.post("/logga-ut")
    assert page.status == 302 and page.response.headers["Location"] == "/logga-in"
    login = visitor.get("/logga-in")
    assert login.notices == ["Du är utloggad."]
    assert visitor.get("/oversikt").status == 302
    assert visitor.get("/logga-ut").status == 405
    thief = visit()
    thief.client.set_cookie(COOKIE, copied)
    assert thief.get("/oversikt").status == 302


def test_a_session_ends_after_30_idle_minutes_and_after_8_hours(visit, people, app):
    clock = app.config["CLOCK"]
    visitor = visit(people["coordinator"])
    for _ in range(16):  # used every 29 minutes: alive for almost eight hours
        clock.advance(timedelta(minutes=29))
        assert visitor.get("/oversikt").status == 200
    clock.advance(timedelta(minutes=29))  # 8 h 1 min after the login
    assert visitor.get("/oversikt").status == 302
    idle = visit(people["coordinator"])
    clock.advance(timedelta(minutes=31))
    assert idle.get("/oversikt").status == 302


def test_a_style_sheet_neither_reads_nor_touches_the_session(visit, people, app, sqlite_world):
    """Static files open no session (web.sessions.without_session): a style sheet fetched a
    minute and more after the last page leaves the session's last use where it was."""
    visitor = visit(people["coordinator"])
    before = sqlite_world.read(lambda s: s.query(WebSession.last_seen_at).scalar())
    app.config["CLOCK"].advance(timedelta(minutes=5))  # a page now would touch the session
    sheet = visitor.client.get("/static/favicon.svg")
    assert sheet.status_code == 200
    assert "Set-Cookie" not in sheet.headers
    assert sqlite_world.read(lambda s: s.query(WebSession.last_seen_at).scalar()) == before
    assert visitor.get("/oversikt").status == 200  # and the session is still the visitor's
    assert sqlite_world.read(lambda s: s.query(WebSession.last_seen_at).scalar()) > before


def test_a_session_is_a_row_without_the_token(visit, people, sqlite_world):
    visitor = visit(people["coordinator"])
    rows = sqlite_world.read(lambda s: s.query(WebSession).all())
    assert len(rows) == 1 and rows[0].user_id == people["coordinator"].user_id
    assert rows[0].token_hash != cookie(visitor) and len(rows[0].token_hash) == 64


def test_every_page_has_the_security_headers(visit, people):
    response = visit(people["coordinator"]).get("/oversikt").response
    assert response.headers["Content-Security-Policy"] == CSP
    assert "script-src 'self'" in CSP and "style-src 'self'" in CSP and "unsafe" not in CSP
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_without_secret_key_one_is_made_once_and_shared(tmp_path, monkeypatch, sqlite_sessions):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.chdir(tmp_path)
    url = sqlite_sessions.kw["bind"].url.render_as_string(hide_password=False)
    first = create_app({"DATABASE_URL": url})
    second = create_app({"DATABASE_URL": url})
    assert first.config["SECRET_KEY"] == second.config["SECRET_KEY"]
    assert len(first.config["SECRET_KEY"]) >= 40
    key_file = tmp_path / "instance" / "secret_key"
    assert key_file.read_text() == first.config["SECRET_KEY"]
    assert oct(key_file.stat().st_mode & 0o777) == "0o600"
    monkeypatch.setenv("SECRET_KEY", "from-the-environment")
    assert create_app({"DATABASE_URL": url}).config["SECRET_KEY"] == "from-the-environment"


@pytest.mark.parametrize(
    ("method", "path", "status", "heading"),
    [
        ("get", "/finns-inte", 404, "Sidan kunde inte hittas"),
        ("get", "/logga-ut", 405, "Det går inte att göra här"),
        ("post", "/logga-in", 400, "Begäran kunde inte förstås"),  # no CSRF token
    ],
)
def test_error_pages_are_swedish(app, method, path, status, heading):
    page = Page(getattr(app.test_client(), method)(path))
    assert page.status == status and page.h1 == heading
    assert page.soup.html["lang"] == "sv"


def test_an_unexpected_error_gets_the_swedish_500_page(app, caplog):
    def boom():
        raise RuntimeError("boom")

    app.add_url_rule("/boom", view_func=boom)
    page = Page(app.test_client().get("/boom"))
    assert page.status == 500 and page.h1 == "Något gick fel hos oss"
    assert "Inget sparades." in page.text
