"""What a web worker loads: the site with Slack on imports neither matrix-nio (only with
Matrix configured), nor requests (only to send a webhook or talk to the identity provider),
nor Alembic (only for /readyz and `mm db`), nor what the exports and a new password use.
Each is megabytes in every worker (README: worker memory)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NOT_IN_A_WORKER = ("nio", "aiohttp", "requests", "alembic", "openpyxl", "zxcvbn", "icalendar")


def test_the_site_with_slack_on_leaves_the_heavy_modules_unloaded(tmp_path):
    probe = (
        "import json, sys\n"
        "from web import create_app\n"
        "app = create_app()\n"
        "assert 'mm.chat' in app.extensions, 'Slack is not mounted'\n"
        f"print(json.dumps(sorted(m for m in {NOT_IN_A_WORKER!r} if m in sys.modules)))\n"
    )
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'site.sqlite3'}",
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
