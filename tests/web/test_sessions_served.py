"""Sessions through gunicorn with two workers, on SQLite and PostgreSQL: whichever worker
answers, a copied session cookie is refused after logout, after 30 idle minutes, and after
the user is deactivated (by `mm user deactivate`)."""

from __future__ import annotations

import os
import subprocess
from datetime import timedelta

import pytest
from sqlalchemy import update

from domain.choices import Role
from domain.clock import SystemClock
from services import second_factor
from storage.models import User, WebSession
from tests.support.login import enrol
from tests.support.served import BIN, Browser, gunicorn

PASSWORD = "ett-langt-losenord-2026"


def log_in(base: str, world, actor, secret: str) -> Browser:
    email = world.read(lambda s: s.get(User, actor.user_id).email)
    visitor = Browser(base)
    first = visitor.post("/logga-in", {"email": email, "password": PASSWORD})
    assert (first.status, first.location) == (302, "/logga-in/kod")
    code = second_factor.code_at(secret, SystemClock().now())
    done = visitor.post("/logga-in/kod", {"code": code}, token_from="/logga-in/kod")
    assert (done.status, done.location) == (302, "/oversikt"), done.body[:500]
    return visitor


def opens(visitor: Browser) -> bool:
    """Whether the coordinator's page opens (four times: both workers answer some)."""
    answers = {visitor.request("/oversikt").status for _ in range(4)}
    assert len(answers) == 1, answers
    return answers == {200}


@pytest.mark.slow
def test_a_copied_cookie_is_refused_after_logout_idle_time_and_deactivation(
    database_url, world, tmp_path
):
    now = SystemClock().now()
    people = [world.user(Role.COORDINATOR, password=PASSWORD) for _ in range(3)]
    secrets = [enrol(world.sessions, p.user_id, now) for p in people]
    env = {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": "served-tests"}
    with gunicorn(env, tmp_path) as base:
        # Logout deletes the session on the server.
        leaving = log_in(base, world, people[0], secrets[0])
        copy = Browser(base, copied_cookie=leaving.cookie())
        assert opens(leaving) and opens(copy)
        out = leaving.post("/logga-ut", {}, token_from="/oversikt")
        assert (out.status, out.location) == (302, "/logga-in")
        assert not opens(copy) and not opens(leaving)
        assert copy.request("/oversikt").location == "/logga-in?next=/oversikt"

        # Thirty minutes without a request end it.
        idle = log_in(base, world, people[1], secrets[1])
        copy = Browser(base, copied_cookie=idle.cookie())
        assert opens(copy)
        world.read(
            lambda s: s.execute(
                update(WebSession)
                .where(WebSession.user_id == people[1].user_id)
                .values(last_seen_at=SystemClock().now() - timedelta(minutes=31))
            )
        )
        assert not opens(copy)

        # Deactivating the user on the command line ends every session at once.
        active = log_in(base, world, people[2], secrets[2])
        copy = Browser(base, copied_cookie=active.cookie())
        assert opens(copy)
        email = world.read(lambda s: s.get(User, people[2].user_id).email)
        done = subprocess.run(
            [str(BIN / "mm"), "user", "deactivate", email],
            env=env,
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 0, done.stderr
        assert f"Användaren {email} har inaktiverats." in done.stdout
        assert not opens(copy) and not opens(active)
