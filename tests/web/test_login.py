"""Logging in and out, the limit on failed logins (shared by every worker), session cookies,
security headers, the secret key, and Swedish error pages."""

from __future__ import annotations

import pytest

from domain.choices import Role
from tests.web.conftest import Page, Visitor
from web import create_app, settings
from web.security import CSP

PASSWORD = "ett-langt-losenord-2026"
WRONG = "E-postadressen eller lösenordet är fel."


@pytest.fixture
def account(sqlite_world):
    actor = sqlite_world.user(Role.MUNICIPALITY_CONTACT, "Osby", password=PASSWORD)
    from storage.models import User

    return sqlite_world.read(lambda s: s.get(User, actor.user_id).email)


def log_in(visitor: Visitor, email: str, password: str, next_url: str = "") -> Page:
    target = "/logga-in" + (f"?next={next_url}" if next_url else "")
    return visitor.post(target, {"email": email, "password": password})


def test_logging_in_leads_to_the_roles_start_page(visit, account):
    visitor = visit()
    page = log_in(visitor, account.upper(), PASSWORD)
    assert page.status == 302 and page.response.headers["Location"] == "/forfragningar"
    cookie = page.response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    assert visitor.get("/forfragningar").h1 == "Förfrågningar till Osby"


def test_over_https_the_cookie_is_secure(app, account):
    app.config["SESSION_COOKIE_SECURE"] = True
    page = log_in(Visitor(app), account, PASSWORD)
    assert "Secure" in page.response.headers["Set-Cookie"]


def test_https_setting_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("MM_HTTPS", "1")
    assert settings.defaults()["SESSION_COOKIE_SECURE"] is True
    monkeypatch.setenv("MM_HTTPS", "")
    assert settings.defaults()["SESSION_COOKIE_SECURE"] is False


def test_a_wrong_password_says_so_and_keeps_the_email(visit, account):
    page = log_in(visit(), account, "fel-losenord")
    assert page.status == 400
    assert page.summary == [("#email", WRONG)]
    assert page.value("email") == account
    assert page.value("password") in (None, "")


def test_an_empty_login_asks_for_both(visit):
    page = visit().post("/logga-in", {})
    assert page.summary == [
        ("#email", "Ange din e-postadress."),
        ("#password", "Ange ditt lösenord."),
    ]


def test_too_many_failures_lock_the_account_for_every_worker(app, account, sqlite_sessions):
    url = sqlite_sessions.kw["bind"].url.render_as_string(hide_password=False)
    other_worker = create_app(
        {"DATABASE_URL": url, "SECRET_KEY": "test-secret", "CLOCK": app.config["CLOCK"]}
    )
    for _ in range(5):
        assert log_in(Visitor(app), account, "fel-losenord").summary == [("#email", WRONG)]
    refused = log_in(Visitor(other_worker), account, PASSWORD)
    assert refused.status == 429
    assert refused.summary == [
        ("#email", "För många misslyckade inloggningsförsök. Vänta 15 minuter och försök igen.")
    ]


def test_next_leads_back_to_a_page_on_this_site_only(visit, account):
    page = log_in(visit(), account, PASSWORD, next_url="/kommun")
    assert page.response.headers["Location"] == "/kommun"
    page = log_in(visit(), account, PASSWORD, next_url="//evil.example/")
    assert page.response.headers["Location"] == "/forfragningar"


def test_pages_send_anonymous_visitors_to_the_login(visit):
    page = visit().get("/anmalningar/MM-2026-0001")
    assert page.status == 302
    assert page.response.headers["Location"] == "/logga-in?next=/anmalningar/MM-2026-0001"


def test_logging_out(visit, people):
    visitor = visit(people["coordinator"])
    page = visitor.post("/logga-ut")
    assert page.status == 302 and page.response.headers["Location"] == "/logga-in"
    login = visitor.get("/logga-in")
    assert login.notices == ["Du är utloggad."]
    assert visitor.get("/oversikt").status == 302
    assert visitor.get("/logga-ut").status == 405


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
