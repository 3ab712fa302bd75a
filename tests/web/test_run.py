"""What `make run` starts: gunicorn with two workers on the demo data. Every demo user that
`mm demo` prints logs in with its password, and stays logged in whichever worker answers
(the workers share the secret key kept in instance/)."""

from __future__ import annotations

import http.cookiejar
import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

BIN = Path(sys.executable).parent
LANDING = {
    "admin@mm.example": "/budget",
    "samordnare@fk.example": "/oversikt",
    "forbundet@sfsno.example": "/budget",
    "utredare1@fk.example": "/anmalningar",
    "utredare2@fk.example": "/anmalningar",
    "kontakt@bromolla.example": "/forfragningar",
    "kontakt@kristianstad.example": "/forfragningar",
    "kontakt@osby.example": "/forfragningar",
    "kontakt@ostragoinge.example": "/forfragningar",
}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def test_the_demo_users_log_in_on_the_site_make_run_starts(tmp_path):
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'site.sqlite3'}"}
    env.pop("SECRET_KEY", None)
    for step in (["db", "upgrade"], ["program", "load"], ["demo"]):
        done = subprocess.run(
            [str(BIN / "mm"), *step], env=env, cwd=tmp_path, capture_output=True, text=True
        )
        assert done.returncode == 0, done.stderr
    printed = re.findall(r"^\s+(\S+@\S+)\s", done.stdout, flags=re.MULTILINE)
    password = re.search(r"lösenord för alla: (\S+)\)", done.stdout).group(1)
    assert sorted(printed) == sorted(LANDING)
    port = _free_port()
    server = subprocess.Popen(
        [
            str(BIN / "gunicorn"),
            "--config",
            str(Path(__file__).resolve().parents[2] / "gunicorn.conf.py"),
            "--bind",
            f"127.0.0.1:{port}",
            "web:create_app()",
        ],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(base + "/healthz", timeout=2) as health:
                    assert json.loads(health.read()) == {"status": "ok"}
                break
            except OSError:
                assert time.monotonic() < deadline, "gunicorn did not start"
                time.sleep(0.2)
        for email in printed:
            jar = http.cookiejar.CookieJar()
            opener = urllib.request.build_opener(
                urllib.request.HTTPCookieProcessor(jar), NoRedirect()
            )
            form = opener.open(base + "/logga-in").read().decode()
            token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
            body = urllib.parse.urlencode(
                {"csrf_token": token, "email": email, "password": password}
            ).encode()
            try:
                opener.open(base + "/logga-in", data=body)
                raise AssertionError(f"{email} was not redirected")
            except urllib.error.HTTPError as redirect:
                assert redirect.code == 302
                assert redirect.headers["Location"] == LANDING[email]
            for _ in range(4):  # whichever worker answers, the session holds
                with opener.open(base + LANDING[email]) as page:
                    assert page.status == 200
                    assert "Logga ut" in page.read().decode()
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert (tmp_path / "instance" / "secret_key").exists()
