"""GET /metrics in Prometheus' text format (prometheus-client).

Counted in the process that serves: requests and their duration per route (the URL rule,
never the path: no reference code in a label), chat acks, refused and held-back logins.
Under gunicorn these are summed over the workers in multiprocess mode: set
PROMETHEUS_MULTIPROC_DIR to an empty directory of the service's own (deploy/systemd does)
and gunicorn.conf.py tells the library when a worker exits. Read from the database when
scraped: the outbox per transport (waiting, the oldest waiting, undelivered), the digest's
and the purge's last run, logins held back now, and whether the kept figures agree with a
recount (at most once per MM_METRICS_FIGURES_SECONDS, 3600: a recount reads every placement).

Only from the addresses in MM_METRICS_ALLOW (loopback when unset; addresses or networks,
comma-separated) or with `Authorization: Bearer MM_METRICS_TOKEN`; anyone else gets 404.
"""

from __future__ import annotations

import hmac
import ipaddress
import logging
import os
import threading
import time
from collections.abc import Iterator
from typing import Any

from flask import Blueprint, Flask, Response, abort, current_app, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector
from sqlalchemy.exc import SQLAlchemyError

import locales
from services import operations
from storage.db import unit_of_work
from web.settings import env_list, env_number

blueprint = Blueprint("metrics", __name__)
log = logging.getLogger("mm.web.login")

REQUESTS = Counter(
    "mm_http_requests", "Requests answered, per route and status.", ["method", "route", "status"]
)
LATENCY = Histogram(
    "mm_http_request_duration_seconds", "Time to answer a request, per route.", ["route"]
)
CHAT_ACKS = Counter("mm_chat_acks", "Answers to Slack's requests, per status.", ["status"])
LOGIN_FAILURES = Counter("mm_login_failures", "Refused logins, per step.", ["step"])
LOGIN_THROTTLED = Counter("mm_login_throttled", "Logins held back by the wait, per step.", ["step"])

LOGIN_STEPS = {"/logga-in": "password", "/logga-in/kod": "second_factor"}
CHAT_ROUTE = "/slack/events"
STARTED = "mm.started"
LOOPBACK = ("127.0.0.0/8", "::1/128")


def allowed_networks() -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    """MM_METRICS_ALLOW, or loopback; a wrong entry stops the start with a Swedish sentence
    rather than opening /metrics to the wrong addresses."""
    networks = []
    for item in env_list("MM_METRICS_ALLOW") or LOOPBACK:
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            raise RuntimeError(
                locales.gettext(
                    "MM_METRICS_ALLOW must list addresses or networks such as 10.0.0.0/8, "
                    "separated by commas, not %(value)s.",
                    value=item,
                )
            ) from None
    return networks


def install(app: Flask) -> None:
    app.config.setdefault("MM_METRICS_ALLOW", allowed_networks())
    app.config.setdefault("MM_METRICS_TOKEN", os.environ.get("MM_METRICS_TOKEN", "").strip())

    @app.before_request
    def start_clock() -> None:
        request.environ[STARTED] = time.perf_counter()

    @app.after_request
    def count(response: Response) -> Response:
        rule = request.url_rule.rule if request.url_rule else "unmatched"
        started = request.environ.get(STARTED)
        if started is not None:
            LATENCY.labels(rule).observe(time.perf_counter() - started)
        REQUESTS.labels(request.method, rule, str(response.status_code)).inc()
        if rule == CHAT_ROUTE:
            CHAT_ACKS.labels(str(response.status_code)).inc()
        step = LOGIN_STEPS.get(rule)
        if step and request.method == "POST":
            # Never the e-mail address or the network address: the request id finds the rest.
            if response.status_code == 429:
                LOGIN_THROTTLED.labels(step).inc()
                log.info("login held back after failed tries (%s step)", step)
            elif response.status_code == 400:
                LOGIN_FAILURES.labels(step).inc()
                log.info("login refused (%s step)", step)
        return response


def _may_read() -> bool:
    token = current_app.config.get("MM_METRICS_TOKEN")
    given = request.headers.get("Authorization", "")
    if token and hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
        return True
    try:
        address = ipaddress.ip_address(request.remote_addr or "")
    except ValueError:
        return False
    return any(address in network for network in current_app.config["MM_METRICS_ALLOW"])


@blueprint.get("/metrics")
def metrics() -> Any:
    if not _may_read():
        abort(404)
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        processes = CollectorRegistry()
        MultiProcessCollector(processes)
    else:
        processes = REGISTRY
    from_database = CollectorRegistry()
    from_database.register(DatabaseCollector(current_app.extensions["mm.sessions"]))
    body = generate_latest(processes) + generate_latest(from_database)
    return Response(body, content_type=CONTENT_TYPE_LATEST)


class DatabaseCollector(Collector):
    def __init__(self, sessions: Any) -> None:
        self.sessions = sessions

    def collect(self) -> Iterator[GaugeMetricFamily]:
        up = GaugeMetricFamily("mm_database_up", "Whether the database answered this scrape.")
        try:
            now = current_app.config["CLOCK"].now()
            with unit_of_work(self.sessions, read_only=True) as session:
                found = operations.operations_figures(session, now=now)
            agree = _figures_agree(self.sessions)
        except SQLAlchemyError:
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        yield from _outbox(found)
        yield from _runs(found)
        yield _gauge(
            "mm_logins_held_back",
            "Accounts and addresses waiting after failed logins.",
            found.logins_held_back,
        )
        yield _gauge(
            "mm_kept_figures_agree", "1 when the kept figures equal a recount.", int(agree)
        )


def _gauge(name: str, text: str, value: float) -> GaugeMetricFamily:
    gauge = GaugeMetricFamily(name, text)
    gauge.add_metric([], value)
    return gauge


def _outbox(found: operations.OperationsFigures) -> Iterator[GaugeMetricFamily]:
    waiting = GaugeMetricFamily(
        "mm_outbox_waiting", "Messages waiting to be sent, per transport.", labels=["transport"]
    )
    oldest = GaugeMetricFamily(
        "mm_outbox_oldest_waiting_seconds",
        "Age of the oldest message waiting, per transport.",
        labels=["transport"],
    )
    failed = GaugeMetricFamily(
        "mm_outbox_undelivered",
        "Messages given up (failed or unknown), per transport.",
        labels=["transport"],
    )
    for transport, figures in sorted(found.outbox.items()):
        waiting.add_metric([transport.value], figures.waiting)
        oldest.add_metric([transport.value], figures.oldest_waiting_seconds)
        failed.add_metric([transport.value], figures.undelivered)
    yield from (waiting, oldest, failed)


def _runs(found: operations.OperationsFigures) -> Iterator[GaugeMetricFamily]:
    def moment(value: Any) -> float:
        return value.timestamp() if value is not None else 0.0

    yield _gauge(
        "mm_digest_last_sent_timestamp_seconds",
        "When a digest was last sent (0: never).",
        moment(found.digest_last_sent_at),
    )
    yield _gauge(
        "mm_purge_last_run_timestamp_seconds",
        "When a purge last removed rows (0: never).",
        moment(found.purge_last_run_at),
    )
    yield _gauge(
        "mm_purge_last_referrals",
        "Referrals whose personal data the last purge removed.",
        found.purge_last_referrals,
    )
    yield _gauge(
        "mm_purge_last_audit_rows",
        "Audit rows past retention the last purge removed.",
        found.purge_last_audit_rows,
    )


_figures_lock = threading.Lock()
_figures_checked: dict[int, tuple[float, bool]] = {}


def _figures_agree(sessions: Any) -> bool:
    """The recount at most once per MM_METRICS_FIGURES_SECONDS in each process."""
    every = env_number("MM_METRICS_FIGURES_SECONDS", 3600)
    with _figures_lock:
        checked = _figures_checked.get(id(sessions))
        if checked and time.monotonic() - checked[0] < every:
            return checked[1]
        with unit_of_work(sessions, read_only=True) as session:
            agree = operations.kept_figures_agree(session)
        _figures_checked[id(sessions)] = (time.monotonic(), agree)
        return agree
