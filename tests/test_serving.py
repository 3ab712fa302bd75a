"""The site as `make run` and the Procfile start it: gunicorn serving /healthz."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from web import create_app

BIN = Path(sys.executable).parent


def test_healthz_answers_ok(tmp_path):
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'h.sqlite3'}"})
    response = app.test_client().get("/healthz")
    assert response.status_code == 200 and response.get_json() == {"status": "ok"}


def test_healthz_says_unavailable_when_the_database_is_unreachable():
    app = create_app({"DATABASE_URL": "postgresql+psycopg://nobody@127.0.0.1:1/none"})
    response = app.test_client().get("/healthz")
    assert response.status_code == 503 and response.get_json() == {"status": "unavailable"}


def test_procfile_names_the_web_process_and_the_release_step():
    lines = dict(
        line.split(":", 1) for line in Path("Procfile").read_text().splitlines() if ":" in line
    )
    assert "gunicorn" in lines["web"] and "web:create_app()" in lines["web"]
    assert "mm db upgrade" in lines["release"]
    assert lines["digest"].strip() == "mm digest schedule"
    assert lines["chat"].strip() == "mm chat socket"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_gunicorn_serves_the_demo_site(tmp_path):
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'site.sqlite3'}"}
    for step in (["db", "upgrade"], ["program", "load"], ["demo"]):
        subprocess.run(
            [str(BIN / "mm"), *step],
            env=env,
            cwd=tmp_path,
            check=True,
            capture_output=True,
            timeout=120,
        )
    port = _free_port()
    server = subprocess.Popen(
        [
            str(BIN / "gunicorn"),
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "web:create_app()",
        ],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline, body = time.monotonic() + 60, None
        while time.monotonic() < deadline and body is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                    body = json.loads(r.read())
            except OSError:
                time.sleep(0.2)
        assert body == {"status": "ok"}
    finally:
        server.terminate()
        server.wait(timeout=30)
