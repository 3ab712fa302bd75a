"""panva's `oidc-provider` (OpenID Certified, from npm; `make test` installs it into
tests/support/oidc-provider/node_modules) started with node on loopback, once per test session,
in its default conformant mode: the ID token of the code flow carries no e-mail or other
claims asked for by scope; those come from UserInfo.

`sign_in` walks its own login and consent pages as a browser would (any login name, any
password; see server.js for which claims a login name gives).
"""

from __future__ import annotations

import html
import os
import re
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.parse
from pathlib import Path

import requests

HERE = Path(__file__).resolve().parent / "oidc-provider"
CLIENT_ID = "mojlighetsmodellen"
CLIENT_SECRET = "a-test-client-secret-that-is-long-enough-for-hs256"
PERSONAL_IDENTITY_NUMBER = "https://id.oidc.se/claim/personalIdentityNumber"
PERSONAL_IDENTITY_NUMBER_SCOPE = "https://id.oidc.se/scope/naturalPersonNumber"
HSA_ID = "employeeHsaId"
HSA_ID_SCOPE = "https://id.oidc.se/scope/hsaId"
_ACTION = re.compile(r'<form[^>]* action="([^"]+)"')


def missing() -> str | None:
    """Why the provider cannot run here, or None."""
    if shutil.which("node") is None:
        return "node is not installed"
    if not (HERE / "node_modules" / "oidc-provider").is_dir():
        return (
            "oidc-provider is not installed (make test runs npm ci in tests/support/oidc-provider)"
        )
    return None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class CertifiedProvider:
    def __init__(self) -> None:
        port = _free_port()
        self.url = f"http://127.0.0.1:{port}"
        env = dict(os.environ, PORT=str(port), CLIENT_ID=CLIENT_ID, CLIENT_SECRET=CLIENT_SECRET)
        # Its output goes to a file: a pipe nobody reads would stop it once full.
        self.log = tempfile.NamedTemporaryFile(prefix="oidc-provider-", suffix=".log")  # noqa: SIM115
        self.process = subprocess.Popen(
            ["node", "server.js"],
            cwd=HERE,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while True:
            try:
                requests.get(f"{self.url}/.well-known/openid-configuration", timeout=2)
                break
            except requests.ConnectionError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError(f"oidc-provider did not start: {self.output()}") from None
                time.sleep(0.2)

    def _control(self, what: str, body: str = "") -> None:
        requests.post(f"{self.url}/__test/{what}", data=body, timeout=10).raise_for_status()

    def allow_redirect(self, uri: str, client_id: str = CLIENT_ID) -> None:
        """A redirect URI of the site's client; another host needs a client of its own (the
        provider's pairwise subjects are per host)."""
        self._control("redirect-uri", f"{client_id} {uri}")

    def rotate_signing_key(self) -> None:
        self._control("rotate")

    def set_clock(self, offset_seconds: int) -> None:
        self._control("clock", str(offset_seconds))

    def sign_in(self, authorize_url: str, login: str) -> str:
        """Through the provider's login and consent pages; returns where it sends the browser
        back to (the site's callback with code and state)."""
        browser = requests.Session()
        url = authorize_url
        for _ in range(10):
            answer = browser.get(url, allow_redirects=False, timeout=10)
            if answer.status_code in {302, 303}:
                url = urllib.parse.urljoin(url, answer.headers["Location"])
                if not url.startswith(self.url):
                    return url
                continue
            assert answer.status_code == 200, answer.text
            action = urllib.parse.urljoin(url, html.unescape(_ACTION.findall(answer.text)[0]))
            if 'name="login"' in answer.text:
                form = {"prompt": "login", "login": login, "password": "any"}
            else:
                form = {"prompt": "consent"}
            answer = browser.post(action, data=form, allow_redirects=False, timeout=10)
            assert answer.status_code in {302, 303}, answer.text
            url = urllib.parse.urljoin(url, answer.headers["Location"])
        raise AssertionError("the provider never sent the browser back")

    def output(self) -> str:
        """What the provider printed (its warnings and server errors), for a failing test."""
        return Path(self.log.name).read_text(encoding="utf-8", errors="replace")[-4000:]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()
