"""What the operations team reads, on both databases: /metrics (Prometheus' text format,
only for allowed addresses or the token, no reference code in a label) and /readyz (503
naming the reason: migrations behind, the outbox stuck)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import text

from domain.choices import Role
from domain.delivery import OutboxAction, OutboxState, Transport
from storage import migrate
from storage.models import ChatOutbox
from tests.support.clock import MovableClock, moment
from tests.support.login import logged_in_cookie
from tests.support.postgres import start_postgres
from web import create_app

TODAY = date(2026, 11, 23)
NOW = moment(TODAY, 11)


def site(sessions, **config):
    url = sessions.kw["bind"].url.render_as_string(hide_password=False)
    return create_app(
        {"DATABASE_URL": url, "SECRET_KEY": "test-secret", "CLOCK": MovableClock(NOW), **config}
    )


def samples(body: str) -> dict[tuple[str, tuple], float]:
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(body)
        for s in family.samples
    }


def message(key: str, transport: Transport, state: OutboxState, *, age: timedelta, **more):
    return ChatOutbox(
        key=key,
        transport=transport,
        channel="anna@example.se" if transport is Transport.EMAIL else "C0OSBY",
        action=OutboxAction.POST,
        text="MM-2026-0001",
        blocks=[],
        state=state,
        attempts=0,
        created_at=NOW - age,
        next_attempt_at=NOW - age,
        **more,
    )


def test_metrics_show_requests_per_route_and_the_outbox_to_loopback_only(sessions, world):
    investigator = world.user(Role.INVESTIGATOR)
    referral = world.file(investigator, "Osby", TODAY)
    world.read(
        lambda s: s.add_all(
            [
                message("a", Transport.SLACK, OutboxState.PENDING, age=timedelta(minutes=3)),
                message("b", Transport.SLACK, OutboxState.SENDING, age=timedelta(minutes=1)),
                message("c", Transport.EMAIL, OutboxState.FAILED, age=timedelta(hours=2)),
                message("d", Transport.SLACK, OutboxState.SENT, age=timedelta(days=1)),
            ]
        )
    )
    app = site(sessions)
    client = app.test_client()
    token = logged_in_cookie(sessions, investigator.user_id, NOW)
    client.set_cookie("mm_session", token)
    assert client.get(f"/anmalningar/{referral.reference_code}").status_code == 200
    client.delete_cookie("mm_session")

    answer = client.get("/metrics")
    assert answer.status_code == 200
    assert answer.content_type.startswith("text/plain; version=")
    body = answer.get_data(as_text=True)
    found = samples(body)
    route = (("method", "GET"), ("route", "/anmalningar/<code>"), ("status", "200"))
    assert found[("mm_http_requests_total", route)] >= 1
    assert found[("mm_http_request_duration_seconds_count", (("route", "/anmalningar/<code>"),))]
    assert found[("mm_outbox_waiting", (("transport", "slack"),))] == 2
    assert found[("mm_outbox_oldest_waiting_seconds", (("transport", "slack"),))] == 180
    assert found[("mm_outbox_waiting", (("transport", "email"),))] == 0
    assert found[("mm_outbox_undelivered", (("transport", "email"),))] == 1
    assert found[("mm_kept_figures_agree", ())] == 1
    assert found[("mm_database_up", ())] == 1
    # No reference code, channel or address anywhere in what Prometheus stores.
    for secret in (referral.reference_code, "C0OSBY", "anna@example.se", "Anna"):
        assert secret not in body

    elsewhere = client.get("/metrics", environ_base={"REMOTE_ADDR": "192.0.2.7"})
    assert elsewhere.status_code == 404


def test_metrics_for_an_allowed_network_or_the_token(sessions, monkeypatch):
    monkeypatch.setenv("MM_METRICS_ALLOW", "10.0.0.0/8")
    monkeypatch.setenv("MM_METRICS_TOKEN", "skrapnyckel")
    client = site(sessions).test_client()
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "10.1.2.3"}).status_code == 200
    assert client.get("/metrics").status_code == 404  # loopback is no longer on the list
    other = {"REMOTE_ADDR": "192.0.2.7"}
    assert client.get("/metrics", environ_base=other).status_code == 404
    wrong = {"Authorization": "Bearer fel"}
    assert client.get("/metrics", environ_base=other, headers=wrong).status_code == 404
    right = {"Authorization": "Bearer skrapnyckel"}
    assert client.get("/metrics", environ_base=other, headers=right).status_code == 200


def test_refused_logins_are_counted_without_the_address(sessions, world):
    world.user(Role.COORDINATOR, password="ett-langt-losenord-2026")
    client = site(sessions).test_client()

    def refused() -> float:
        found = samples(client.get("/metrics").get_data(as_text=True))
        return found.get(("mm_login_failures_total", (("step", "password"),)), 0.0)

    before = refused()
    page = client.get("/logga-in").get_data(as_text=True)
    csrf = page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    answer = client.post(
        "/logga-in", data={"csrf_token": csrf, "email": "nobody@test.example", "password": "x" * 12}
    )
    assert answer.status_code == 400
    assert refused() == before + 1


def test_readyz_names_what_keeps_the_host_out_of_service(sessions):
    app = site(sessions)
    client = app.test_client()
    assert (client.get("/readyz").status_code, client.get("/readyz").get_json()) == (
        200,
        {"status": "ready"},
    )

    stuck = message("e", Transport.MATRIX, OutboxState.PENDING, age=timedelta(minutes=16))
    with sessions.begin() as session:
        session.add(stuck)
    answer = client.get("/readyz")
    assert (answer.status_code, answer.get_json()) == (
        503,
        {"status": "not_ready", "reason": "outbox_stuck"},
    )
    with sessions.begin() as session:
        session.execute(text("UPDATE chat_outbox SET state = 'sent'"))
    assert client.get("/readyz").status_code == 200

    with sessions.begin() as session:
        head = session.scalar(text("SELECT version_num FROM alembic_version"))
        session.execute(text("UPDATE alembic_version SET version_num = '0001'"))
    answer = client.get("/readyz")
    assert (answer.status_code, answer.get_json()) == (
        503,
        {"status": "not_ready", "reason": "migrations_pending"},
    )
    with sessions.begin() as session:
        session.execute(text("UPDATE alembic_version SET version_num = :v"), {"v": head})
    assert client.get("/readyz").status_code == 200


def test_readyz_says_the_database_is_unavailable():
    app = create_app({"DATABASE_URL": "postgresql+psycopg://nobody@127.0.0.1:1/none"})
    answer = app.test_client().get("/readyz")
    assert (answer.status_code, answer.get_json()) == (
        503,
        {"status": "not_ready", "reason": "database_unavailable"},
    )


@pytest.mark.slow
def test_readyz_while_the_database_server_is_stopped_and_when_it_is_back(tmp_path):
    server = start_postgres()  # a server of its own: the session's stays up for the others
    try:
        if server.datadir is None:
            pytest.skip("MM_TEST_POSTGRES_URL names a server this test may not stop")
        url = server.create_database("mm_ready")
        migrate.upgrade(url)
        client = create_app({"DATABASE_URL": url, "SECRET_KEY": "k"}).test_client()
        assert client.get("/readyz").get_json() == {"status": "ready"}
        server.pause()
        answer = client.get("/readyz")
        assert (answer.status_code, answer.get_json()) == (
            503,
            {"status": "not_ready", "reason": "database_unavailable"},
        )
        server.resume()
        answer = client.get("/readyz")
        assert (answer.status_code, answer.get_json()) == (200, {"status": "ready"})
    finally:
        server.stop()


def test_a_wrong_metrics_allow_list_stops_the_start_with_a_swedish_sentence(
    sqlite_sessions, monkeypatch
):
    monkeypatch.setenv("MM_METRICS_ALLOW", "10.0.0.0/8, kontoret")
    with pytest.raises(RuntimeError) as refused:
        site(sqlite_sessions)
    assert str(refused.value) == (
        "MM_METRICS_ALLOW ska vara adresser eller nät som 10.0.0.0/8, åtskilda med "
        "kommatecken, inte kontoret."
    )
