"""What `make run` starts: gunicorn with two workers on the demo data. Every demo user that
`mm demo` prints logs in with its password and a code of its printed key (the first with the
code `mm demo code` prints), and stays logged in whichever worker answers."""

from __future__ import annotations

import os
import re
import stat
import subprocess

import pytest
from pyotp import TOTP

from tests.support.served import BIN, Browser, gunicorn

LANDING = {
    "admin@mm.example": "/anvandare",
    "samordnare@fk.example": "/oversikt",
    "forbundet@sfsno.example": "/budget",
    "utredare1@fk.example": "/anmalningar",
    "utredare2@fk.example": "/anmalningar",
    "kontakt@bromolla.example": "/forfragningar",
    "kontakt@kristianstad.example": "/forfragningar",
    "kontakt@osby.example": "/forfragningar",
    "kontakt@ostragoinge.example": "/forfragningar",
    "granskare@fk.example": "/loggkontroll",
}


@pytest.mark.slow
def test_the_demo_users_log_in_on_the_site_make_run_starts(tmp_path):
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'site.sqlite3'}"}
    env.pop("SECRET_KEY", None)
    env.pop("MM_DATA_KEY", None)  # as make run: the key file is made beside the secret key

    def mm(*args: str) -> str:
        done = subprocess.run(
            [str(BIN / "mm"), *args], env=env, cwd=tmp_path, capture_output=True, text=True
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    for step in (["db", "upgrade"], ["program", "load"]):
        mm(*step)
    printed = mm("demo")
    emails = re.findall(r"^\s+(\S+@\S+)\s", printed, flags=re.MULTILINE)
    password = re.search(r"lösenord för alla: (\S+)\)", printed).group(1)
    keys = re.findall(r"nyckel för autentiseringsapp ([A-Z2-7]{32})$", printed, flags=re.MULTILINE)
    assert sorted(emails) == sorted(LANDING) and len(set(keys)) == len(LANDING)
    assert "koden efter lösenordet får du med mm demo code E-POST" in printed
    with gunicorn(env, tmp_path) as base:
        for email, key in zip(emails, keys, strict=True):
            visitor = Browser(base)
            first = visitor.post("/logga-in", {"email": email, "password": password})
            assert (first.status, first.location) == (302, "/logga-in/kod")
            # The first user's code as `mm demo code` prints it; the others' from the keys
            # printed above, as an authenticator app makes them (a process each is a second).
            code = mm("demo", "code", email).strip() if email == emails[0] else TOTP(key).now()
            assert re.fullmatch(r"\d{6}", code)
            done = visitor.post("/logga-in/kod", {"code": code}, token_from="/logga-in/kod")
            # The log reviewer lands on the flagged views of the last 30 days (a query).
            assert (done.status, done.location.split("?")[0]) == (302, LANDING[email])
            for _ in range(4):  # whichever worker answers, the session holds
                page = visitor.request(LANDING[email])
                assert page.status == 200 and "Logga ut" in page.body
    assert (tmp_path / "instance" / "secret_key").exists()
    assert stat.S_IMODE((tmp_path / "instance" / "data_key").stat().st_mode) == 0o600
