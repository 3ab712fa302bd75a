"""The site as `make run` and the Procfile start it: gunicorn serving /healthz."""

from __future__ import annotations

import sys
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


def test_the_web_process_runs_threads_as_the_settings_file_says():
    """gthread workers: one slow page does not hold up the quick ones (gunicorn.conf.py)."""
    lines = dict(
        line.split(":", 1) for line in Path("Procfile").read_text().splitlines() if ":" in line
    )
    assert "--config gunicorn.conf.py" in lines["web"]
    settings: dict = {}
    exec(Path("gunicorn.conf.py").read_text(), settings)
    assert settings["worker_class"] == "gthread"
    assert (settings["workers"], settings["threads"]) == (2, 4)
