"""The small parts of the production setup: secrets from credential files, JSON log lines
without an exception's message, the systemd units as systemd reads them, and forms that
work over HTTPS behind the proxy."""

from __future__ import annotations

import json
import logging
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from storage import credentials, migrate
from web import create_app
from web.logs import JsonFormatter

ROOT = Path(__file__).resolve().parent.parent
UNITS = sorted((ROOT / "deploy" / "systemd").glob("*.service"))


def test_credential_files_become_variables_unless_the_environment_has_them(tmp_path):
    folder = tmp_path / "credentials"
    folder.mkdir()
    (folder / "mm_SECRET_KEY").write_text("hemlig-nyckel\n")
    (folder / "DATABASE_URL").write_text("postgresql://mm_app@db/mm\n")
    (folder / "mm_MM_DATA_KEY").write_text("datanyckel")
    (folder / "not a variable").write_text("x")
    environ = {"CREDENTIALS_DIRECTORY": str(folder), "MM_DATA_KEY": "from-the-environment"}
    assert credentials.load(environ) == ["DATABASE_URL", "SECRET_KEY"]
    assert environ["SECRET_KEY"] == "hemlig-nyckel"
    assert environ["DATABASE_URL"] == "postgresql://mm_app@db/mm"
    assert environ["MM_DATA_KEY"] == "from-the-environment"
    assert credentials.load({}) == []


def test_a_json_line_names_the_exception_but_never_its_message():
    try:
        raise ValueError("19810923-9809 Anna Andersson")
    except ValueError:
        record = logging.LogRecord(
            "mm.web", logging.ERROR, __file__, 1, "unexpected error", (), sys.exc_info()
        )
    record.request_id = "abc123"
    line = json.loads(JsonFormatter().format(record))
    assert line["level"] == "error" and line["message"] == "unexpected error"
    assert line["request_id"] == "abc123" and line["exception"] == "ValueError"
    assert any("test_operations_files.py" in frame for frame in line["stack"])
    assert "Anna" not in json.dumps(line) and "19810923" not in json.dumps(line)


def test_every_unit_is_hardened_and_takes_its_secrets_from_credentials():
    assert {unit.name for unit in UNITS} == {
        f"mojlighetsmodellen-{name}.service"
        for name in ("release", "web", "digest", "chat", "matrix")
    }
    for unit in UNITS:
        lines = set(unit.read_text().splitlines())
        for wanted in (
            "User=mojlighetsmodellen",
            "ProtectSystem=strict",
            "PrivateTmp=yes",
            "NoNewPrivileges=yes",
            "LoadCredential=mm:/etc/mojlighetsmodellen/credentials",
        ):
            assert wanted in lines, (unit.name, wanted)
        assert not any(re.match(r"Environment=.*(SECRET|TOKEN|PASSWORD|KEY)", x) for x in lines)
    release = (ROOT / "deploy" / "systemd" / "mojlighetsmodellen-release.service").read_text()
    assert "LoadCredential=DATABASE_OWNER_URL:" in release
    for step in ("mm db upgrade", "mm program load", "mm purge"):
        assert f"/opt/mojlighetsmodellen/.venv/bin/{step}" in release
    web = (ROOT / "deploy" / "systemd" / "mojlighetsmodellen-web.service").read_text()
    assert "DATABASE_OWNER_URL" not in web
    assert "Requires=mojlighetsmodellen-release.service" in web


def test_systemd_accepts_the_units(tmp_path):
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed")
    venv = Path(sys.executable).parent.parent
    for unit in UNITS:  # where the code is installed: this checkout's virtual environment
        text = unit.read_text().replace("/opt/mojlighetsmodellen/.venv", str(venv))
        (tmp_path / unit.name).write_text(text.replace("/opt/mojlighetsmodellen", str(ROOT)))
    done = subprocess.run(
        [analyze, "verify", "--man=no", *sorted(str(p) for p in tmp_path.glob("*.service"))],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0 and done.stderr.strip() == "", done.stderr


def test_a_form_sent_over_https_from_the_site_itself_passes_the_csrf_check(tmp_path):
    url = f"sqlite:///{tmp_path / 'x.sqlite3'}"
    migrate.upgrade(url)
    app = create_app({"DATABASE_URL": url, "MM_HTTPS": True, "SECRET_KEY": "k"})
    client = app.test_client()
    page = client.get("/logga-in", base_url="https://mm.example.se")
    # Browsers send the Referer to the site itself only: Flask-WTF needs it over HTTPS.
    assert page.headers["Referrer-Policy"] == "same-origin"
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.get_data(as_text=True)).group(1)
    answer = client.post(
        "/logga-in",
        base_url="https://mm.example.se",
        data={"csrf_token": csrf, "email": "ingen@example.se", "password": "x" * 14},
        headers={"Referer": "https://mm.example.se/logga-in"},
    )
    assert answer.status_code == 400
    assert "E-postadressen eller lösenordet är fel." in answer.get_data(as_text=True)
