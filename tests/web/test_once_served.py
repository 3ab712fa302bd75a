"""A referral form sent many times at once with the same one-time key, to gunicorn with two
workers, on both databases: one referral, and every answer is its receipt."""

from __future__ import annotations

import http.cookiejar
import os
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from sqlalchemy import func, select

from domain.choices import Role
from storage.models import Referral, User

BIN = Path(sys.executable).parent
ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "ett långt lösenord för test"
SENDS = 16


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _wait_for(base: str) -> None:
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=2):
                return
        except OSError:
            assert time.monotonic() < deadline, "gunicorn did not start"
            time.sleep(0.2)


def _post(opener, url: str, fields: dict) -> tuple[int, str]:
    body = urllib.parse.urlencode(fields, doseq=True).encode()
    try:
        with opener.open(url, data=body) as answer:
            return answer.status, ""
    except urllib.error.HTTPError as redirect:
        return redirect.code, redirect.headers.get("Location", "")


def test_one_referral_however_often_the_form_is_sent(database_url, sessions, world, tmp_path):
    investigator = world.user(Role.INVESTIGATOR, password=PASSWORD)
    email = world.read(lambda s: s.get(User, investigator.user_id).email)
    osby = world.municipality("Osby")
    port = _free_port()
    log = tmp_path / "access.log"
    env = {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": "served-tests"}
    server = subprocess.Popen(
        [
            str(BIN / "gunicorn"),
            "--pythonpath",
            str(ROOT),
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--access-logfile",
            str(log),
            "--access-logformat",
            "%(p)s %(m)s %(U)s %(s)s",
            'tests.support.served:at("2026-11-23")',
        ],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_for(base)
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect())
        login = opener.open(base + "/logga-in").read().decode()
        token = re.search(r'name="csrf_token" value="([^"]+)"', login).group(1)
        status, _ = _post(
            opener, base + "/logga-in", {"csrf_token": token, "email": email, "password": PASSWORD}
        )
        assert status == 302
        form = opener.open(base + "/anmalan/ny").read().decode()
        token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
        key = re.search(r'name="submission_key" type="hidden" value="([^"]+)"', form).group(1)
        fields = {
            "csrf_token": token,
            "submission_key": key,
            "name": "Anna Andersson",
            "personal_identity_number": "19810923-9809",
            "benefit_type": "sickness_benefit",
            "consent_given": "y",
            "consent_on": "2026-11-20",
            "municipality": str(osby),
        }
        answers: list[tuple[int, str]] = []
        start = threading.Barrier(SENDS)

        def send() -> None:
            start.wait()
            answers.append(_post(opener, base + "/anmalan/ny", fields))

        threads = [threading.Thread(target=send) for _ in range(SENDS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        answers.append(_post(opener, base + "/anmalan/ny", fields))  # and once more, later
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert answers == [(302, "/anmalan/MM-2026-0001/skickad")] * (SENDS + 1)
    assert world.read(lambda s: s.scalar(select(func.count()).select_from(Referral))) == 1
    workers = {
        line.split()[0] for line in log.read_text().splitlines() if " POST /anmalan/ny " in line
    }
    assert len(workers) == 2  # both workers took some of them
