"""A real Matrix homeserver for the tests: Synapse from PyPI (installed by `make test` in a
virtual environment of its own, .venv-synapse, because its pinned dependencies are not
ours), on SQLite, listening on loopback only, with federation off. Users are registered
with the shared-secret admin API, as an operator would with register_new_matrix_user.

It can be restarted (same data, same port) to show that nothing is lost or doubled when the
homeserver goes away mid-run.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
SYNAPSE_PYTHON = Path(os.environ.get("MM_TEST_SYNAPSE_PYTHON", ROOT / ".venv-synapse/bin/python"))
SERVER_NAME = "mm.test"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _call(url: str, method: str = "GET", body: Any = None, token: str | None = None) -> Any:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method)
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read() or b"{}")


@dataclass
class MatrixUser:
    user_id: str
    token: str
    server: Synapse

    def call(self, path: str, method: str = "GET", body: Any = None) -> Any:
        return _call(self.server.url + path, method, body, self.token)

    def join(self, room_id: str) -> None:
        self.call(f"/_matrix/client/v3/join/{urllib.parse.quote(room_id)}", "POST", {})

    def say(self, room_id: str, text: str) -> str:
        txn = f"t{time.monotonic_ns()}"
        path = f"/_matrix/client/v3/rooms/{urllib.parse.quote(room_id)}/send/m.room.message/{txn}"
        return self.call(path, "PUT", {"msgtype": "m.text", "body": text})["event_id"]

    def create_room(self, invite: list[str] | None = None, direct: bool = False) -> str:
        body: dict[str, Any] = {"preset": "private_chat", "invite": invite or []}
        if direct:
            body["is_direct"] = True
        return self.call("/_matrix/client/v3/createRoom", "POST", body)["room_id"]

    def invites(self) -> list[str]:
        state = self.call("/_matrix/client/v3/sync?timeout=0")
        return list((state.get("rooms") or {}).get("invite", {}))

    def messages(self, room_id: str) -> list[dict[str, Any]]:
        """The room's m.room.message events, oldest first."""
        path = f"/_matrix/client/v3/rooms/{urllib.parse.quote(room_id)}/messages?dir=b&limit=200"
        chunk = self.call(path)["chunk"]
        return [e for e in reversed(chunk) if e.get("type") == "m.room.message"]


@dataclass
class Synapse:
    directory: Path
    port: int = field(default_factory=_free_port)
    process: subprocess.Popen[bytes] | None = None
    secret: str = "mm-test-registration-secret"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def configure(self) -> None:
        config = self.directory / "homeserver.yaml"
        subprocess.run(
            [
                str(SYNAPSE_PYTHON),
                "-m",
                "synapse.app.homeserver",
                "--server-name",
                SERVER_NAME,
                "--config-path",
                str(config),
                "--generate-config",
                "--report-stats=no",
                "--data-directory",
                str(self.directory),
            ],
            check=True,
            capture_output=True,
            cwd=self.directory,
        )
        settings = yaml.safe_load(config.read_text())
        settings.update(
            listeners=[
                {
                    "port": self.port,
                    "bind_addresses": ["127.0.0.1"],
                    "type": "http",
                    "tls": False,
                    "x_forwarded": False,
                    "resources": [{"names": ["client"], "compress": False}],
                }
            ],
            registration_shared_secret=self.secret,
            # A test polls /sync: an answer cached for two minutes would hide what came since.
            caches={**(settings.get("caches") or {}), "sync_response_cache_duration": 0},
            enable_registration=False,
            trusted_key_servers=[],
            suppress_key_server_warning=True,
            federation_domain_whitelist=[],
            allow_public_rooms_over_federation=False,
            presence={"enabled": False},
            url_preview_enabled=False,
            enable_metrics=False,
            rc_message={"per_second": 1000, "burst_count": 1000},
            rc_login={
                "address": {"per_second": 1000, "burst_count": 1000},
                "account": {"per_second": 1000, "burst_count": 1000},
            },
            rc_joins={"local": {"per_second": 1000, "burst_count": 1000}},
            rc_invites={
                "per_room": {"per_second": 1000, "burst_count": 1000},
                "per_user": {"per_second": 1000, "burst_count": 1000},
                "per_issuer": {"per_second": 1000, "burst_count": 1000},
            },
            rc_room_creation={"per_second": 1000, "burst_count": 1000},
            rc_joins_per_room={"per_second": 1000, "burst_count": 1000},
            rc_admin_redaction={"per_second": 1000, "burst_count": 1000},
            rc_registration={"per_second": 1000, "burst_count": 1000},
        )
        config.write_text(yaml.safe_dump(settings))

    def start(self) -> None:
        log = open(self.directory / "stdout.log", "ab")  # noqa: SIM115 - kept for the process
        self.process = subprocess.Popen(
            [
                str(SYNAPSE_PYTHON),
                "-m",
                "synapse.app.homeserver",
                "--config-path",
                str(self.directory / "homeserver.yaml"),
            ],
            cwd=self.directory,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError((self.directory / "stdout.log").read_text()[-3000:])
            try:
                _call(self.url + "/_matrix/client/versions")
                return
            except (urllib.error.URLError, ConnectionError, OSError):
                time.sleep(0.1)
        raise RuntimeError("Synapse did not start within 60 seconds")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
        self.process = None

    def restart(self) -> None:
        self.stop()
        self.start()

    def register(self, name: str, admin: bool = False) -> MatrixUser:
        """A user on this server, registered with the shared secret."""
        endpoint = self.url + "/_synapse/admin/v1/register"
        nonce = _call(endpoint)["nonce"]
        password = f"pw-{name}-secret"
        role = "admin" if admin else "notadmin"
        # The MAC is over the four fields separated by NUL (Synapse's admin API).
        mac = hmac.new(self.secret.encode(), digestmod=hashlib.sha1)
        mac.update(b"\x00".join(p.encode() for p in (nonce, name, password, role)))
        body = {
            "nonce": nonce,
            "username": name,
            "password": password,
            "admin": admin,
            "mac": mac.hexdigest(),
        }
        found = _call(endpoint, "POST", body)
        return MatrixUser(found["user_id"], found["access_token"], self)


def synapse_available() -> bool:
    return SYNAPSE_PYTHON.exists()
