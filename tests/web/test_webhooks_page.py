"""The administrator's webhook receivers (/webhooks): registered with the events they
follow, the signing secret shown once, stopped with a button; the administrator's only."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from storage.models import WebhookSubscription
from tests.support.webhook_receiver import loopback_allowed  # noqa: F401

pytestmark = pytest.mark.usefixtures("loopback_allowed")


def secrets_in(text: str) -> list[str]:
    return re.findall(r"whsec_[A-Za-z0-9+/=]{40,}", text)


def test_the_administrator_registers_a_receiver_and_sees_its_secret_once(
    visit, people, sqlite_world
):
    admin = visit(people["admin"])
    page = admin.post(
        "/webhooks",
        {
            "name": "Osby ärendesystem",
            "url": "https://osby.example/mm",
            "events": ["accepted", "declined"],
        },
    )
    assert page.status == 200
    [secret] = secrets_in(page.response.get_data(as_text=True))
    row = sqlite_world.read(lambda s: s.scalars(select(WebhookSubscription)).one())
    assert (row.secret, row.events) == (secret, ["accepted", "declined"])
    listed = admin.get("/webhooks")
    assert secrets_in(listed.response.get_data(as_text=True)) == []
    assert (
        "Osby ärendesystem https://osby.example/mm Kommunen accepterar, Kommunen avböjer Aktiv"
        in listed.text
    )
    assert admin.post(f"/webhooks/{row.id}/stoppa").status == 302
    assert "Kommunen avböjer Stoppad" in admin.get("/webhooks").text


def test_a_receiver_without_events_or_with_a_bad_address_is_refused(visit, people, sqlite_world):
    page = visit(people["admin"]).post(
        "/webhooks", {"name": "X", "url": "ftp://osby.example/mm", "events": []}
    )
    assert page.status == 400
    assert page.error("url") == (
        "Ange mottagarens adress, som börjar med https:// (högst 500 tecken, utan "
        "användarnamn eller lösenord)."
    )
    page = visit(people["admin"]).post("/webhooks", {"name": "X", "url": "https://osby.example/mm"})
    assert page.error("events") == "Välj minst en sorts händelse."
    assert sqlite_world.read(lambda s: s.scalars(select(WebhookSubscription)).all()) == []


def test_only_the_administrator_reaches_the_page(visit, people):
    for role, person in people.items():
        assert visit(person).get("/webhooks").status == (200 if role == "admin" else 403), role


def test_a_delivery_the_receiver_never_took_is_on_leveranser(visit, people, sqlite_world):
    from datetime import timedelta

    from tests.support.webhook_receiver import webhook_receiver
    from tests.test_webhooks import NOW, queue, register, senders
    from transports import outbox

    with webhook_receiver() as receiver:
        registered = register(sqlite_world, receiver.url)
        receiver.secret, receiver.answers = registered.secret, [503] * 20
        message = queue(sqlite_world, registered.row.id)
        for attempt in range(outbox.MAX_ATTEMPTS):
            outbox.deliver(
                sqlite_world.sessions,
                senders(sqlite_world),
                message,
                NOW + timedelta(hours=2 * attempt),
            )
    page = visit(people["admin"]).get("/leveranser")
    number = registered.row.id
    assert (
        f"Webhook Webhook-mottagare nummer {number} Inte levererat "
        "Webhook-mottagaren svarade med HTTP-status 503. 8"
    ) in page.text


def test_a_receiver_in_an_internal_network_is_on_leveranser_with_the_setting_to_change(
    visit, people, sqlite_world, monkeypatch
):
    from tests.support.webhook_receiver import webhook_receiver
    from tests.test_webhooks import NOW, queue, register, senders
    from transports import outbox

    monkeypatch.delenv("MM_WEBHOOK_NETWORKS")
    with webhook_receiver() as receiver:
        registered = register(sqlite_world, receiver.url)
        message = queue(sqlite_world, registered.row.id)
        outbox.deliver(sqlite_world.sessions, senders(sqlite_world), message, NOW)
    assert receiver.tries == 0
    page = visit(people["admin"]).get("/leveranser")
    assert (
        f"Webhook-mottagare nummer {registered.row.id} Inte levererat "
        "Webhook-mottagarens adress ligger i ett internt nät, som webhooks inte får nå. "
        "Ge mottagaren en offentlig adress, eller tillåt dess nät i MM_WEBHOOK_NETWORKS."
    ) in page.text
