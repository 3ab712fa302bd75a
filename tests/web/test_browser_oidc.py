"""The whole login in Chromium through the certified provider (panva's oidc-provider, default
mode): our login page, the provider's own login and consent pages, the site's code, the
coordinator's start page. The provider's pages ask for fonts from the internet; the browser
is kept on loopback."""

from __future__ import annotations

import threading

from werkzeug.serving import make_server

from domain.choices import Role
from storage.models import User
from tests.support.certified_provider import CLIENT_ID, CLIENT_SECRET
from tests.support.clock import MovableClock, moment
from tests.support.login import code_for, enrol
from tests.web.conftest import TODAY
from web import create_app

BROWSER_CLIENT = f"{CLIENT_ID}-browser"


def test_the_coordinator_logs_in_through_the_certified_provider_in_a_browser(
    browser, sqlite_world, sqlite_sessions, certified_provider
):
    url = sqlite_sessions.kw["bind"].url.render_as_string(hide_password=False)
    probe = make_server("127.0.0.1", 0, None, threaded=True)  # to learn a free port
    port = probe.server_port
    probe.server_close()
    site = f"http://127.0.0.1:{port}"
    certified_provider.allow_redirect(f"{site}/logga-in/idp/svar", client_id=BROWSER_CLIENT)
    app = create_app(
        {
            "DATABASE_URL": url,
            "SECRET_KEY": "t",
            "CLOCK": MovableClock(moment(TODAY, 11)),
            "OIDC_ISSUER": certified_provider.url,
            "OIDC_CLIENT_ID": BROWSER_CLIENT,
            "OIDC_CLIENT_SECRET": CLIENT_SECRET,
            "OIDC_PROVIDER_NAME": "Test-IdP",
        }
    )
    served = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=served.serve_forever, daemon=True)
    thread.start()
    coordinator = sqlite_world.user(Role.COORDINATOR)
    enrol(sqlite_world.sessions, coordinator.user_id, moment(TODAY))
    email = sqlite_world.read(lambda s: s.get(User, coordinator.user_id).email)
    context = browser.new_context(locale="sv-SE")
    context.route(
        "**/*",
        lambda route: (
            route.continue_()
            if route.request.url.startswith("http://127.0.0.1:")
            else route.abort()
        ),
    )
    try:
        page = context.new_page()
        page.goto(f"{site}/oversikt")
        assert page.url == f"{site}/logga-in?next=/oversikt"
        page.get_by_role("link", name="Logga in med Test-IdP").click()
        page.wait_for_load_state()
        assert page.url.startswith(f"{certified_provider.url}/interaction/")
        page.get_by_placeholder("Enter any login").fill(email)
        page.get_by_placeholder("and password").fill("any password")
        page.get_by_role("button", name="Sign-in").click()
        page.wait_for_load_state()
        page.get_by_role("button", name="Continue").click()  # the provider's consent
        page.wait_for_load_state()
        assert page.url == f"{site}/logga-in/kod"
        code = code_for(sqlite_world.sessions, email, clock=app.config["CLOCK"])
        page.get_by_label("Kod", exact=True).fill(code)
        page.get_by_role("button", name="Fortsätt").click()
        page.wait_for_load_state()
        assert page.url == f"{site}/oversikt"
        assert page.get_by_role("heading", level=1).inner_text() == "Översikt"
    finally:
        context.close()
        served.shutdown()
        thread.join(timeout=10)
