"""A referral form sent many times at once with the same one-time key, to gunicorn with two
workers, on both databases: one referral, and every answer is its receipt."""

from __future__ import annotations

import os
import re
import threading
import time
from datetime import date

from sqlalchemy import func, select

from domain.choices import Role
from storage.models import Referral
from tests.support.clock import moment
from tests.support.login import logged_in_cookie
from tests.support.served import Answer, Browser, gunicorn

SENDS = 16
# How long bursts are sent until both workers have taken some (see below).
BOTH_WITHIN_S = 120
DAY = "2026-11-23"


def test_one_referral_however_often_the_form_is_sent(database_url, sessions, world, tmp_path):
    investigator = world.user(Role.INVESTIGATOR)
    osby = world.municipality("Osby")
    log = tmp_path / "access.log"
    env = {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": "served-tests"}
    # Logged in as a completed login (password and second factor) leaves it, on the day the
    # served site lives in.
    cookie = logged_in_cookie(sessions, investigator.user_id, moment(date.fromisoformat(DAY), 11))
    options = ("--access-logfile", str(log), "--access-logformat", "%(p)s %(m)s %(U)s %(s)s")
    with gunicorn(env, tmp_path, app=f'tests.support.served:at("{DAY}")', options=options) as base:
        visitor = Browser(base, copied_cookie=cookie)
        form = visitor.request("/anmalan/ny").body
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
        answers: list[Answer] = []

        def burst() -> None:
            start = threading.Barrier(SENDS)

            def send() -> None:
                start.wait()
                answers.append(visitor.request("/anmalan/ny", fields))

            threads = [threading.Thread(target=send) for _ in range(SENDS)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()

        def workers(asked: str = "POST /anmalan/ny") -> set[str]:
            lines = log.read_text().splitlines()
            return {line.split()[0] for line in lines if f" {asked} " in line}

        # gunicorn answers once its first worker is up: on a busy machine the second may
        # still be loading the app (a CI run saw one worker take five bursts). Both are
        # waited for first, one cheap request at a time, so that the bursts do not load the
        # machine meanwhile. Which worker accepts a connection is then the kernel's choice:
        # the same form is sent again, burst after burst, until both have had some.
        deadline = time.monotonic() + BOTH_WITHIN_S
        while len(workers("GET /healthz")) < 2 and time.monotonic() < deadline:
            visitor.request("/healthz")
            time.sleep(0.05)
        burst()
        while len(workers()) < 2 and time.monotonic() < deadline:
            burst()
        answers.append(visitor.request("/anmalan/ny", fields))  # and once more, later
        assert len(workers()) == 2  # both workers took some of them
    assert [(a.status, a.location) for a in answers] == [
        (302, "/anmalan/MM-2026-0001/skickad")
    ] * len(answers)
    assert len(answers) > SENDS
    assert world.read(lambda s: s.scalar(select(func.count()).select_from(Referral))) == 1
