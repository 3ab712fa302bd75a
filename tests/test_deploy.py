"""deploy/ as it would run: Debian's nginx with the shipped site file and a self-signed
certificate in front of two web hosts (two gunicorns, each with its own instance folder and
secrets from credential files, as systemd hands them over) on one PostgreSQL, set up with the
shipped roles (migrations as the owner, serving as the restricted role), and the digest
scheduler running on both hosts."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from contextlib import ExitStack
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import text

from domain.choices import Role
from domain.clock import SystemClock
from services import second_factor, users
from storage.db import make_engine, session_factory, unit_of_work
from tests.support.deployment import (
    Client,
    create_roles,
    drop_roles,
    nginx_binary,
    nginx_config,
    nginx_running,
)
from tests.support.login import enrol, logged_in_cookie
from tests.support.served import gunicorns
from tests.support.slack import SlackStandIn

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

MM = str(Path(sys.executable).parent / "mm")
PASSWORD = "ett-langt-losenord-2026"
COORDINATOR_CHANNEL, BROMOLLA_CHANNEL = "C0SAMORD1", "C0BROM001"
DIGEST_TIME = "07:30"
# The schedulers' APScheduler starts a few seconds before DIGEST_TIME (a controlled clock, not
# a wait for a real minute): tests/support/scheduler_clock.py.
SCHEDULER_CLOCK = str(Path(__file__).parent / "support" / "scheduler_clock.py")
LEAD_SECONDS = "3"


def run_mm(env: dict[str, str], cwd: Path, *args: str) -> None:
    done = subprocess.run(
        [MM, *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, (args, done.stdout, done.stderr)


def credentials(folder: Path, **secrets: str) -> Path:
    """A credentials folder as `LoadCredential=mm:/etc/mojlighetsmodellen/credentials` makes."""
    folder.mkdir(mode=0o700)
    for name, value in secrets.items():
        (folder / f"mm_{name}").write_text(value + "\n")
    return folder


def test_two_hosts_behind_nginx_on_one_postgresql(postgres_server, tmp_path):
    nginx_binary()
    database = "mm_deploy"
    drop_roles(postgres_server, database)
    roles = create_roles(postgres_server, database)
    slack = SlackStandIn()
    base_env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE", "SLACK"))}
    try:
        # The release step: migrations as the owner, the rest as the serving role.
        release = tmp_path / "release"
        release.mkdir()
        run_mm({**base_env, "DATABASE_URL": roles.owner_url}, release, "db", "upgrade")
        run_mm({**base_env, "DATABASE_URL": roles.app_url}, release, "program", "load")
        run_mm({**base_env, "DATABASE_URL": roles.app_url}, release, "purge")
        people = prepare_people(roles.app_url)
        with ExitStack() as stack:
            envs, logs, schedulers = [], [], []
            barrier = tmp_path / "schedulers"
            barrier.mkdir()
            for name in ("host1", "host2"):
                folder = tmp_path / name
                folder.mkdir()
                env = {
                    **base_env,
                    "CREDENTIALS_DIRECTORY": str(
                        credentials(
                            folder / "credentials",
                            SECRET_KEY="one-key-for-every-host",
                            DATABASE_URL=roles.app_url,
                            SLACK_BOT_TOKEN="xoxb-test-token",
                        )
                    ),
                    "MM_HTTPS": "1",
                    "MM_BEHIND_PROXY": "1",
                    "MM_LOG_FORMAT": "json",
                    "LOG_LEVEL": "INFO",
                    "PROMETHEUS_MULTIPROC_DIR": str(folder / "metrics"),
                    "SITE_URL": "https://localhost",
                    "SLACK_API_URL": slack.api_url,
                    "SLACK_DIGEST_CHANNEL": COORDINATOR_CHANNEL,
                    "DIGEST_TIME": DIGEST_TIME,
                    "DIGEST_DAYS": "mon-sun",
                }
                (folder / "metrics").mkdir()
                schedulers.append(scheduler(env, folder, stack, barrier))  # first: slow to start
                logs.append(folder / "digest.log")
                logs.append(folder / "web.log")
                envs.append((env, folder, logs[-1]))
            hosts = stack.enter_context(gunicorns(envs))  # started together
            nginx = nginx_config(tmp_path / "nginx", [h.removeprefix("http://") for h in hosts])
            checked = nginx.check()
            assert checked.returncode == 0, checked.stderr
            assert "test is successful" in checked.stderr
            proxy = stack.enter_context(nginx_running(nginx))

            sessions_move_between_hosts(hosts, proxy, nginx.cert, people)
            referral_is_seen_at_once(hosts, people)
            request_id = proxy_headers_and_limits(proxy, nginx.cert, roles.app_url)
            plain = Client().request(nginx.http + "/oversikt")  # plain HTTP: sent to HTTPS
            assert (plain.status, plain.header("location")) == (301, "https://127.0.0.1/oversikt")
            metrics_through_the_proxy(proxy, nginx.cert)
            nginx_log = (nginx.prefix / "site.log").read_text()
            assert " GET 200 " in nginx_log and f" {request_id}\n" in nginx_log
            assert "MM-" not in nginx_log and "/" not in nginx_log  # no path at all
            digest_goes_out_once_per_channel(slack, schedulers)
        logs_are_json_with_one_request_id(logs)
    finally:
        slack.stop()
        drop_roles(postgres_server, database)


def prepare_people(url: str) -> dict:
    engine = make_engine(url)
    sessions = session_factory(engine)
    with unit_of_work(sessions) as session:
        session.execute(
            text("UPDATE municipality SET slack_channel = :c WHERE name = 'Bromölla'"),
            {"c": BROMOLLA_CHANNEL},
        )
        coordinator = users.add_user(
            session,
            email="samordnare@deploy.example",
            name="Sam Ordnare",
            role=Role.COORDINATOR,
            municipality=None,
            password=PASSWORD,
            now=SystemClock().now(),
        )
        investigator = users.add_user(
            session,
            email="utredare@deploy.example",
            name="Ute Redare",
            role=Role.INVESTIGATOR,
            municipality=None,
            password=None,
            now=SystemClock().now(),
        )
        osby = session.scalar(text("SELECT id FROM municipality WHERE name = 'Osby'"))
        ids = (coordinator.id, investigator.id)
    secret = enrol(sessions, ids[0], SystemClock().now())
    cookie = logged_in_cookie(sessions, ids[1], SystemClock().now())
    engine.dispose()
    return {"secret": secret, "investigator_cookie": cookie, "osby": osby, "url": url}


def scheduler(
    env: dict[str, str], folder: Path, stack: ExitStack, barrier: Path
) -> subprocess.Popen:
    log = (folder / "digest.log").open("w")  # its log lines; its own words on stdout
    out = (folder / "digest.out").open("w")
    stack.callback(log.close)
    stack.callback(out.close)
    process = subprocess.Popen(
        [
            sys.executable,
            SCHEDULER_CLOCK,
            LEAD_SECONDS,
            str(barrier),
            "2",  # both hosts' schedulers reach DIGEST_TIME at the same moment
            "--date",
            "2026-11-23",
            "digest",
            "schedule",
        ],
        env=env,
        cwd=folder,
        stdout=out,
        stderr=log,
    )

    def stop() -> None:
        process.terminate()
        process.wait(timeout=30)

    stack.callback(stop)
    process.log = folder / "digest.log"  # type: ignore[attr-defined]
    return process


def sessions_move_between_hosts(hosts, proxy, cert, people) -> None:
    first, second = hosts
    visitor = Client()
    login = visitor.form(
        first + "/logga-in",
        {"email": "samordnare@deploy.example", "password": PASSWORD},
        token_from=first + "/logga-in",
    )
    assert (login.status, login.header("location")) == (302, "/logga-in/kod")
    code = second_factor.code_at(people["secret"], SystemClock().now())
    done = visitor.form(first + "/logga-in/kod", {"code": code}, token_from=first + "/logga-in/kod")
    assert (done.status, done.header("location")) == (302, "/oversikt")
    # Logged in on the first host: the second and the proxy know the session at once.
    assert visitor.request(second + "/oversikt").status == 200
    through = Client(cert)
    through.cookies = dict(visitor.cookies)
    assert through.request(proxy + "/oversikt").status == 200
    # Logged out on the second host: gone on both, and through the proxy.
    out = visitor.form(second + "/logga-ut", {}, token_from=second + "/oversikt")
    assert (out.status, out.header("location")) == (302, "/logga-in")
    assert through.request(proxy + "/oversikt").status == 302
    copy = Client()
    copy.cookies = dict(through.cookies)
    for host in hosts:
        assert copy.request(host + "/oversikt").header("location") == "/logga-in?next=/oversikt"


def referral_is_seen_at_once(hosts, people) -> None:
    first, second = hosts
    visitor = Client()
    visitor.cookies["mm_session"] = people["investigator_cookie"]
    form = visitor.request(first + "/anmalan/ny").body
    key = form.split('name="submission_key" type="hidden" value="', 1)[1].split('"', 1)[0]
    sent = visitor.form(
        first + "/anmalan/ny",
        {
            "submission_key": key,
            "name": "Anna Andersson",
            "personal_identity_number": "19810923-9809",
            "benefit_type": "sickness_benefit",
            "consent_given": "y",
            "consent_on": "2026-11-20",
            "municipality": str(people["osby"]),
        },
        token_from=first + "/anmalan/ny",
    )
    assert sent.status == 302, sent.body[:500]
    code = sent.header("location").split("/")[2]
    assert code.startswith("MM-")
    seen = visitor.request(f"{second}/anmalningar/{code}")
    assert seen.status == 200 and code in seen.body and "Osby" in seen.body


def proxy_headers_and_limits(proxy, cert, url) -> str:
    """The request id of the first page, for nginx's log."""
    visitor = Client(cert)
    page = visitor.request(proxy + "/logga-in")
    assert page.header("strict-transport-security") == "max-age=31536000"
    cookie = next(c for c in page.headers["set-cookie"] if c.startswith("mm_session="))
    assert "Secure" in cookie and "HttpOnly" in cookie
    request_id = page.header("x-request-id")
    assert request_id and len(request_id) == 32  # nginx's $request_id, passed through
    static = visitor.request(proxy + "/static/css/site.css")
    assert static.status == 200
    assert static.header("cache-control") == "public, max-age=604800"
    assert static.header("strict-transport-security") == "max-age=31536000"
    assert visitor.request(proxy + "/logga-in", {"x": "a" * 300_000}).status == 413
    # A client that forges X-Forwarded-For is still known by its own address.
    forged = visitor.form(
        proxy + "/logga-in",
        {"email": "forfalskad@deploy.example", "password": "fel-losenord-2026"},
        token_from=proxy + "/logga-in",
    )
    assert forged.status == 400 and "säkerhetskod" not in forged.body  # no CSRF refusal
    forged = Client(cert)
    forged.cookies = dict(visitor.cookies)
    page = forged.request(proxy + "/logga-in", headers={"X-Forwarded-For": "203.0.113.9"})
    csrf = page.body.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    answer = forged.request(
        proxy + "/logga-in",
        {"csrf_token": csrf, "email": "forfalskad@deploy.example", "password": "x" * 14},
        headers={"X-Forwarded-For": "203.0.113.9"},
    )
    assert answer.status == 400 and "säkerhetskod" not in answer.body
    engine = make_engine(url)
    with engine.connect() as connection:
        addresses = connection.execute(
            text("SELECT address, failures FROM login_throttle WHERE email = :e"),
            {"e": "forfalskad@deploy.example"},
        ).all()
    engine.dispose()
    assert [tuple(a) for a in addresses] == [("127.0.0.1", 2)]
    return request_id


def metrics_through_the_proxy(proxy, cert) -> None:
    body = Client(cert).request(proxy + "/metrics").body
    names = {s.name for family in text_string_to_metric_families(body) for s in family.samples}
    assert "mm_http_request_duration_seconds_bucket" in names
    assert "mm_outbox_waiting" in names


def digest_goes_out_once_per_channel(slack, schedulers) -> None:
    wanted = {COORDINATOR_CHANNEL, BROMOLLA_CHANNEL}
    deadline = time.monotonic() + 300
    while not wanted <= {c["channel"] for c in slack.sent("chat.postMessage")}:
        assert all(s.poll() is None for s in schedulers), [s.log.read_text() for s in schedulers]
        assert time.monotonic() < deadline, "no digest within five minutes"
        time.sleep(0.2)
    # Both schedulers ran the job (the one that did not send it found it queued or sent).
    while not all(ran_the_digest(s) for s in schedulers):
        assert all(s.poll() is None for s in schedulers), [s.log.read_text() for s in schedulers]
        assert time.monotonic() < deadline, "a scheduler did not run the digest"
        time.sleep(0.2)
    posted = [c["channel"] for c in slack.sent("chat.postMessage") if c["channel"] in wanted]
    assert sorted(posted) == sorted(wanted)
    for process in schedulers:
        assert "Traceback" not in process.log.read_text()


def ran_the_digest(scheduler) -> bool:
    """APScheduler's own log line: the digest job came due on this host and returned."""
    for line in scheduler.log.read_text().splitlines():
        message = json.loads(line)["message"] if line.strip() else ""
        if message.startswith('Job "send_digests') and message.endswith("executed successfully"):
            return True
    return False


def logs_are_json_with_one_request_id(logs) -> None:
    lines = [line for log in logs for line in log.read_text().splitlines() if line.strip()]
    parsed = [json.loads(line) for line in lines]  # every line, or this fails
    refused = [p for p in parsed if p["message"].startswith("login refused")]
    assert refused, "the refused login is in the application's log"
    for line in refused:
        access = [
            p
            for p in parsed
            if p["logger"] == "gunicorn.access" and p.get("request_id") == line["request_id"]
        ]
        assert [(a["route"], a["status"], a["method"]) for a in access] == [
            ("/logga-in", 400, "POST")
        ]
    text_of_logs = "\n".join(lines)
    for private in ("forfalskad@deploy.example", "Anna Andersson", "19810923-9809", "MM-2026-"):
        assert private not in text_of_logs
