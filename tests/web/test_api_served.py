"""schemathesis against the API as served in production (gunicorn, two workers, on
loopback), as each kind of token: every operation with generated inputs, valid and not;
no server error, every status, media type and body as the OpenAPI document says."""

from __future__ import annotations

import os
import re
import subprocess
from datetime import date

import pytest

from domain.choices import Role
from tests.support.api import make_token
from tests.support.served import BIN, gunicorn

DAY = "2026-11-23"
CHECKS = ",".join(
    [
        "not_a_server_error",
        "status_code_conformance",
        "content_type_conformance",
        "response_schema_conformance",
        "response_headers_conformance",
    ]
)
TOKENS = {
    "osby": (Role.MUNICIPALITY_CONTACT, "Osby"),
    "coordinator": (Role.COORDINATOR, None),
    "association": (Role.ASSOCIATION, None),
}


@pytest.fixture
def served(sqlite_sessions, sqlite_world, tmp_path):
    investigator = sqlite_world.user(Role.INVESTIGATOR)
    osby = sqlite_world.user(Role.MUNICIPALITY_CONTACT, "Osby")
    sqlite_world.file(investigator, "Osby", date(2026, 11, 20))
    sqlite_world.file(investigator, "Kristianstad", date(2026, 11, 19))
    sqlite_world.started(investigator, osby, "Osby", date(2026, 11, 2))
    tokens = {
        name: make_token(sqlite_world, f"schemathesis {name}", role, municipality)
        for name, (role, municipality) in TOKENS.items()
    }
    url = sqlite_sessions.kw["bind"].url.render_as_string(hide_password=False)
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "SECRET_KEY": "served-tests",
        "MM_API_CALLS_PER_MINUTE": "1000000",
    }
    with gunicorn(env, tmp_path, app=f'tests.support.served:at("{DAY}")') as base:
        yield base, tokens


@pytest.mark.parametrize("kind", sorted(TOKENS))
@pytest.mark.slow
def test_schemathesis_finds_nothing_as_any_token(served, kind, tmp_path):
    base, tokens = served
    run = subprocess.run(
        [
            str(BIN / "schemathesis"),
            "run",
            f"{base}/api/v1/openapi.json",
            "--header",
            f"Authorization: Bearer {tokens[kind]}",
            "--checks",
            CHECKS,
            "--max-examples",
            "25",
            "--seed",
            "26",
            "--workers",
            "1",
            "--phases",
            "examples,coverage,fuzzing",
            "--generation-database",
            "none",
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=600,
    )
    assert run.returncode == 0, run.stdout[:8000] + run.stderr[-2000:]
    cases = re.search(r"(\d+) generated, (\d+) passed", run.stdout)
    assert cases is not None and cases.group(1) == cases.group(2), run.stdout[-3000:]
    selected = re.search(r"Selected: (\d+)/(\d+)", run.stdout)
    assert selected is not None and selected.group(1) == selected.group(2)
    assert f"Tested: {selected.group(1)}" in run.stdout  # every operation
