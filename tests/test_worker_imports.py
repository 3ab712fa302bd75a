"""What a web worker loads: the site with Slack on imports neither matrix-nio (only with
Matrix configured), nor requests (only to send a webhook or talk to the identity provider),
nor Alembic (only for `mm db`: /readyz reads the revision itself), nor the `holidays`
package (domain.calendar's table covers the years in use), nor what the exports and a new
password use. Each is megabytes in every worker (README: worker memory)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine

from domain import calendar
from storage import migrate
from tests.test_migrations import fresh_url  # noqa: F401 - an empty database on each engine

ROOT = Path(__file__).resolve().parents[1]
NOT_IN_A_WORKER = (
    "nio",
    "aiohttp",
    "requests",
    "alembic",
    "openpyxl",
    "zxcvbn",
    "icalendar",
    "holidays",
)


def test_the_site_with_slack_on_leaves_the_heavy_modules_unloaded(tmp_path):
    """Also once it has answered /readyz (as a load balancer asks every worker) and counted
    working days (the digest's deadlines, the budget's compensable days)."""
    database = f"sqlite:///{tmp_path / 'site.sqlite3'}"
    migrate.upgrade(database)
    probe = (
        "import json, sys\n"
        "from datetime import date\n"
        "from web import create_app\n"
        "app = create_app()\n"
        "assert 'mm.chat' in app.extensions, 'Slack is not mounted'\n"
        "answer = app.test_client().get('/readyz')\n"
        "assert answer.status_code == 200, answer.get_data(as_text=True)\n"
        "from domain.calendar import add_working_days, working_days\n"
        "add_working_days(date.today(), 10)\n"
        "working_days(2024, 2030)\n"
        f"print(json.dumps(sorted(m for m in {NOT_IN_A_WORKER!r} if m in sys.modules)))\n"
    )
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "DATABASE_URL": database,
        "SECRET_KEY": "test-secret-key",
        "SLACK_BOT_TOKEN": "xoxb-test",
        "SLACK_SIGNING_SECRET": "test-signing-secret",
        "SLACK_TEAM_ID": "T0TEST",
        "SLACK_API_URL": "http://127.0.0.1:9/api/",
        "SITE_URL": "http://127.0.0.1",
    }
    for name in ("MATRIX_HOMESERVER", "OIDC_ISSUER", "MM_SMTP_HOST"):
        env.pop(name, None)
    done = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
        env=env,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.strip().splitlines()[-1]) == []


def test_the_revision_readyz_expects_is_alembics_head():
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(migrate.alembic_config("sqlite://"))
    assert migrate.head_revisions() == frozenset(script.get_heads())


def test_readyz_reads_the_revision_as_alembic_does(fresh_url):  # noqa: F811
    from alembic.runtime.migration import MigrationContext

    url = fresh_url
    engine = create_engine(url)
    try:
        with engine.connect() as connection:  # before the first migration: no table
            assert migrate.current_revisions(connection) == frozenset()
            assert not migrate.is_current(connection)
        migrate.upgrade(url, "0024")
        with engine.connect() as connection:
            alembic = MigrationContext.configure(connection).get_current_heads()
            assert migrate.current_revisions(connection) == frozenset(alembic) == {"0024"}
            assert not migrate.is_current(connection)
        migrate.upgrade(url)
        with engine.connect() as connection:
            assert migrate.is_current(connection)
    finally:
        engine.dispose()


def test_the_holiday_table_is_what_the_holidays_package_says_for_every_year_in_it():
    from holidays.countries.sweden import Sweden

    years = sorted(calendar._holiday_table())
    assert years == list(range(2000, 2100))
    for year in years:
        package = dict(Sweden(years=year, include_sundays=False, language="sv").items())
        assert calendar.public_holidays(year, year) == package, year


@pytest.mark.parametrize(("first", "last"), [(1995, 2001), (2098, 2104)])
def test_years_outside_the_table_come_from_the_package(first, last):
    from holidays.countries.sweden import Sweden

    package = Sweden(years=range(first, last + 1), include_sundays=False, language="sv")
    assert calendar.public_holidays(first, last) == dict(package.items())
    assert calendar.working_days(first, last).holidays == dict(package.items())
    assert not any(calendar.is_working_day(day) for day in package)
