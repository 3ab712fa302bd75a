"""The production setup of deploy/, started for a test: the PostgreSQL roles from
deploy/postgresql/roles.sql, Debian's nginx with deploy/nginx/mojlighetsmodellen.conf (its
CHANGE lines changed: ports, certificate, upstream hosts, code folder) and a self-signed
certificate, and an HTTPS client that trusts that certificate and keeps cookies itself
(Secure ones too: it talks to the hosts behind nginx over plain HTTP as well)."""

from __future__ import annotations

import os
import re
import shutil
import ssl
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from tests.support.postgres import PostgresServer
from tests.support.served import ROOT, free_port

DEPLOY = ROOT / "deploy"
SITE_FILE = DEPLOY / "nginx" / "mojlighetsmodellen.conf"


def nginx_binary() -> str:
    found = shutil.which("nginx") or (
        "/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None
    )
    if found is None:
        pytest.skip("nginx is not installed (`make test` installs it with apt when run as root)")
    return found


def libpq_url(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


@dataclass
class Roles:
    owner_url: str
    app_url: str


def create_roles(server: PostgresServer, database: str) -> Roles:
    """Runs the shipped roles.sql as the superuser, as the README tells the DBA to."""
    psql = str(server.bindir / "psql") if server.bindir else shutil.which("psql")
    if psql is None:
        pytest.skip("psql is not installed")
    done = subprocess.run(
        [
            psql,
            libpq_url(server.admin_url),
            "-v",
            "owner_password=owner-secret",
            "-v",
            "app_password=app-secret",
            "-v",
            f"database={database}",
            "-f",
            str(DEPLOY / "postgresql" / "roles.sql"),
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    base = make_url(server.admin_url).set(database=database)
    return Roles(
        owner_url=base.set(username="mm_owner", password="owner-secret").render_as_string(
            hide_password=False
        ),
        app_url=base.set(username="mm_app", password="app-secret").render_as_string(
            hide_password=False
        ),
    )


def drop_roles(server: PostgresServer, database: str) -> None:
    psql = str(server.bindir / "psql") if server.bindir else shutil.which("psql")
    for statement in (
        f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)',
        "DROP ROLE IF EXISTS mm_owner",
        "DROP ROLE IF EXISTS mm_app",
    ):
        subprocess.run(
            [str(psql), libpq_url(server.admin_url), "-c", statement],
            capture_output=True,
            timeout=60,
        )


def self_signed(folder: Path) -> tuple[Path, Path]:
    cert, key = folder / "site.pem", folder / "site.key"
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
            "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
            "-keyout", str(key), "-out", str(cert),
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return cert, key


def changed(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, f"deploy/nginx no longer has {old!r}"
    return text.replace(old, new)


@dataclass
class Nginx:
    conf: Path
    prefix: Path
    https: str
    http: str
    cert: Path
    binary: str = field(default_factory=nginx_binary)

    def check(self) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [self.binary, "-p", str(self.prefix), "-c", str(self.conf), "-t"],
            capture_output=True,
            text=True,
            timeout=30,
        )


def nginx_config(folder: Path, upstreams: list[str]) -> Nginx:
    """The shipped site file with its CHANGE lines changed, inside a main nginx.conf of the
    test's own (Debian's /etc/nginx/nginx.conf wraps it the same way)."""
    folder.mkdir(exist_ok=True)
    cert, key = self_signed(folder)
    http_port, https_port = free_port(), free_port()
    site = SITE_FILE.read_text()
    site = changed(
        site, "    server 127.0.0.1:8000;\n", "".join(f"    server {u};\n" for u in upstreams)
    )
    site = changed(
        site, "    listen 80;\n    listen [::]:80;\n", f"    listen 127.0.0.1:{http_port};\n"
    )
    site = changed(
        site,
        "    listen 443 ssl http2;\n    listen [::]:443 ssl http2;\n",
        f"    listen 127.0.0.1:{https_port} ssl http2;\n",
    )
    site = changed(site, "/etc/ssl/certs/mojlighetsmodellen.pem", str(cert))
    site = changed(site, "/etc/ssl/private/mojlighetsmodellen.key", str(key))
    site = changed(site, "/opt/mojlighetsmodellen/web/static/", f"{ROOT}/web/static/")
    site = changed(site, "/var/log/nginx/mojlighetsmodellen.access.log", f"{folder}/site.log")
    (folder / "site.conf").write_text(site)
    for temp in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (folder / temp).mkdir(exist_ok=True)
    user = "user root root;\n" if os.geteuid() == 0 else ""  # workers must reach tmp_path
    main = f"""{user}worker_processes 1;
pid {folder}/nginx.pid;
error_log {folder}/error.log warn;
events {{ worker_connections 256; }}
http {{
    include /etc/nginx/mime.types;
    access_log {folder}/access.log;
    client_body_temp_path {folder}/body;
    proxy_temp_path {folder}/proxy;
    fastcgi_temp_path {folder}/fastcgi;
    uwsgi_temp_path {folder}/uwsgi;
    scgi_temp_path {folder}/scgi;
    include {folder}/site.conf;
}}
"""
    conf = folder / "nginx.conf"
    conf.write_text(main)
    return Nginx(
        conf=conf,
        prefix=folder,
        https=f"https://127.0.0.1:{https_port}",
        http=f"http://127.0.0.1:{http_port}",
        cert=cert,
    )


@contextmanager
def nginx_running(nginx: Nginx) -> Iterator[str]:
    server = subprocess.Popen(
        [nginx.binary, "-p", str(nginx.prefix), "-c", str(nginx.conf), "-g", "daemon off;"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        context = ssl.create_default_context(cafile=str(nginx.cert))
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(nginx.https + "/healthz", context=context, timeout=2):
                    break
            except OSError:
                assert server.poll() is None, server.stderr.read() if server.stderr else ""
                assert time.monotonic() < deadline, "nginx did not start"
                time.sleep(0.2)
        yield nginx.https
    finally:
        server.terminate()
        server.wait(timeout=30)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


@dataclass
class Reply:
    status: int
    headers: dict[str, list[str]]
    body: str

    def header(self, name: str) -> str | None:
        values = self.headers.get(name.lower())
        return values[0] if values else None


class Client:
    """A visitor who may be sent to any host: cookies kept by hand (Secure ones too)."""

    def __init__(self, cafile: Path | None = None) -> None:
        handlers: list = [_NoRedirect()]
        if cafile is not None:
            context = ssl.create_default_context(cafile=str(cafile))
            handlers.append(urllib.request.HTTPSHandler(context=context))
        self.opener = urllib.request.build_opener(*handlers)
        self.cookies: dict[str, str] = {}
        self.last_page: str | None = None

    def request(
        self, url: str, data: dict[str, str] | None = None, headers: dict[str, str] | None = None
    ) -> Reply:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(url, data=body, headers=dict(headers or {}))
        if body is not None and self.last_page:  # as a browser does (Referrer-Policy)
            request.add_header("Referer", self.last_page)
        if self.cookies:
            request.add_header("Cookie", "; ".join(f"{k}={v}" for k, v in self.cookies.items()))
        try:
            with self.opener.open(request, timeout=30) as response:
                reply = Reply(response.status, _headers(response.headers), response.read().decode())
        except urllib.error.HTTPError as answer:
            reply = Reply(answer.code, _headers(answer.headers), answer.read().decode())
        if body is None:
            self.last_page = url
        for cookie in reply.headers.get("set-cookie", []):
            name, value = cookie.split(";", 1)[0].split("=", 1)
            if value:
                self.cookies[name] = value
            else:
                self.cookies.pop(name, None)
        return reply

    def form(self, url: str, fields: dict[str, str], token_from: str) -> Reply:
        page = self.request(token_from).body
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        return self.request(url, {"csrf_token": csrf, **fields})


def _headers(message) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for name, value in message.items():
        found.setdefault(name.lower(), []).append(value)
    return found
