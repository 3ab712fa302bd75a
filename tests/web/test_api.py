"""The open API (issue 26) through the app: tokens, scope, personal data and its audit,
answers by the same use cases as the web site, problem details in Swedish."""

from __future__ import annotations

from datetime import date
from urllib.parse import quote

import pytest
from openapi_spec_validator import validate
from sqlalchemy import select

from domain.choices import Role
from services import api_tokens
from storage.models import ApiToken, AuditEntry, Event, User
from tests.support.api import bearer, make_token
from tests.support.clock import moment
from tests.support.deadlock import deadlocked


@pytest.fixture
def tokens(sqlite_world):
    return {
        "osby": make_token(sqlite_world, "Osby ärendesystem", Role.MUNICIPALITY_CONTACT, "Osby"),
        "kristianstad": make_token(
            sqlite_world, "Kristianstad ärendesystem", Role.MUNICIPALITY_CONTACT, "Kristianstad"
        ),
        "coordinator": make_token(sqlite_world, "FK samordning", Role.COORDINATOR),
        "association": make_token(sqlite_world, "Förbundets ekonomi", Role.ASSOCIATION),
    }


@pytest.fixture
def filed(sqlite_world, people):
    osby = sqlite_world.file(people["investigator"], "Osby", date(2026, 11, 20))
    kristianstad = sqlite_world.file(people["investigator"], "Kristianstad", date(2026, 11, 19))
    return {"osby": osby.reference_code, "kristianstad": kristianstad.reference_code}


def get(app, path, token=None):
    return app.test_client().get(path, headers=bearer(token) if token else {})


def post(app, path, token, body):
    return app.test_client().post(path, headers=bearer(token), json=body)


def audit_rows(world):
    return world.read(lambda s: list(s.scalars(select(AuditEntry).order_by(AuditEntry.id))))


def test_the_document_validates_as_openapi_3_1_and_asks_for_a_token(app):
    answer = app.test_client().get("/api/v1/openapi.json")
    document = answer.get_json()
    assert answer.status_code == 200
    assert document["openapi"] == "3.1.0"
    validate(document)
    assert document["components"]["securitySchemes"]["token"] == {
        "type": "http",
        "scheme": "bearer",
    }
    paths = set(document["paths"])
    assert {"/api/v1/referrals", "/api/v1/referrals/{code}", "/api/v1/places"} <= paths
    answers = document["paths"]["/api/v1/referrals/{code}/accept"]["post"]["responses"]
    assert set(answers["409"]["content"]) == {"application/problem+json"}


def test_a_municipality_token_lists_its_own_municipality_s_referrals_only(app, tokens, filed):
    listed = get(app, "/api/v1/referrals", tokens["osby"]).get_json()
    assert [r["reference_code"] for r in listed["referrals"]] == [filed["osby"]]
    assert listed["referrals"][0]["municipality_code"] == "1273"
    everything = get(app, "/api/v1/referrals", tokens["coordinator"]).get_json()
    assert {r["reference_code"] for r in everything["referrals"]} == set(filed.values())
    assert everything["total"] == 2


def test_no_token_a_revoked_one_or_an_expired_one_is_401_in_swedish(
    app, sqlite_world, tokens, filed
):
    expired = make_token(
        sqlite_world,
        "Gammal",
        Role.COORDINATOR,
        expires_at=moment(date(2026, 11, 22)),  # the app's clock says 2026-11-23
    )
    sqlite_world.do(
        api_tokens.revoke_token,
        actor=None,
        name="Osby ärendesystem",
        now=moment(date(2026, 11, 22)),
    )
    for token in (None, "mm_not-a-token", tokens["osby"], expired):
        answer = get(app, "/api/v1/referrals", token)
        assert answer.status_code == 401
        assert answer.mimetype == "application/problem+json"
        assert answer.headers["WWW-Authenticate"] == "Bearer"
        assert answer.get_json() == {
            "type": "about:blank",
            "title": "En giltig API-nyckel behövs",
            "status": 401,
            "detail": "Skicka en API-nyckel som ”Authorization: Bearer …”. En nyckel som är "
            "okänd, återkallad eller har gått ut avvisas.",
        }


def test_another_municipality_s_referral_is_404_and_nothing_is_logged(
    app, sqlite_world, tokens, filed
):
    answer = get(app, f"/api/v1/referrals/{filed['osby']}", tokens["kristianstad"])
    assert answer.status_code == 404
    assert answer.get_json()["detail"] == "Här finns ingenting, eller så får nyckeln inte se det."
    assert audit_rows(sqlite_world) == []


def test_personal_data_reaches_the_token_that_may_see_it_and_each_reading_is_audited(
    app, sqlite_world, tokens, filed
):
    answer = get(app, f"/api/v1/referrals/{filed['osby']}", tokens["osby"]).get_json()
    assert answer["participant"]["name"] == "Anna Andersson"
    assert answer["status"] == "requested"
    assert answer["requests"][0]["municipality"] == "Osby"
    [row] = audit_rows(sqlite_world)
    account = sqlite_world.read(
        lambda s: s.scalars(
            select(ApiToken.user_id).where(ApiToken.name == "Osby ärendesystem")
        ).one()
    )
    assert (row.user_id, row.action, row.fields) == (
        account,
        "api_referral",
        ["personal_details", "needs"],
    )
    assert row.address == "127.0.0.1"


def test_the_association_s_token_is_refused_referrals_and_reads_the_budget(app, tokens, filed):
    refused = get(app, "/api/v1/referrals", tokens["association"])
    assert refused.status_code == 403
    assert refused.get_json()["title"] == "Inte för nyckelns roll"
    budget = get(app, "/api/v1/budget?year=2026", tokens["association"]).get_json()
    assert budget["year"] == 2026 and budget["budget"] == "1345000.00"


def test_accepting_through_the_api_is_the_web_site_s_use_case_attributed_to_the_token(
    app, sqlite_world, tokens, filed
):
    path = f"/api/v1/referrals/{filed['osby']}/accept"
    answer = post(app, path, tokens["osby"], {"meeting_on": "2026-11-30"})
    assert answer.status_code == 200
    assert answer.get_json() == {"reference_code": filed["osby"], "status": "accepted"}
    actor = sqlite_world.read(
        lambda s: s.scalars(
            select(User.name).join(Event, Event.actor_id == User.id).where(Event.kind == "accepted")
        ).one()
    )
    assert actor == "Osby ärendesystem"
    again = post(app, path, tokens["osby"], {"meeting_on": "2026-11-30"})
    assert again.status_code == 409
    assert again.get_json()["detail"] == "Förfrågan har redan besvarats eller återkallats."
    other = post(
        app,
        f"/api/v1/referrals/{filed['kristianstad']}/accept",
        tokens["osby"],
        {"meeting_on": "2026-11-30"},
    )
    assert other.status_code == 404


def test_a_decline_with_an_unknown_reason_is_422_and_changes_nothing(
    app, sqlite_world, tokens, filed
):
    path = f"/api/v1/referrals/{filed['osby']}/decline"
    answer = post(app, path, tokens["osby"], {"reason": "because"})
    assert answer.status_code == 422
    assert answer.get_json()["invalid_params"] == [
        {"name": "reason", "reason": "Värdet saknas eller är ogiltigt."}
    ]
    status = get(app, f"/api/v1/referrals/{filed['osby']}", tokens["coordinator"])
    assert status.get_json()["status"] == "requested"


def test_a_token_over_its_rate_limit_gets_429_with_retry_after(app, tokens):
    app.config["MM_API_CALLS_PER_MINUTE"] = 3
    answers = [get(app, "/api/v1/places", tokens["osby"]) for _ in range(4)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert answers[-1].headers["Retry-After"] == "60"
    assert get(app, "/api/v1/places", tokens["kristianstad"]).status_code == 200


def test_places_carry_the_next_free_estimate(app, tokens):
    """Every municipality has room here, so the next place is free today (the app's clock
    says 2026-11-23); a closed municipality would carry null (tests/test_forecast.py)."""
    places = get(app, "/api/v1/places", tokens["coordinator"]).get_json()["municipalities"]
    assert {p["municipality"] for p in places} == {
        "Bromölla",
        "Kristianstad",
        "Osby",
        "Östra Göinge",
    }
    assert all(p["free"] > 0 for p in places)
    assert {p["next_free_on"] for p in places} == {"2026-11-23"}


def test_an_unknown_address_under_the_api_is_a_problem_not_a_page(app, tokens):
    answer = get(app, "/api/v1/nowhere", tokens["osby"])
    assert answer.status_code == 404
    assert answer.mimetype == "application/problem+json"


def test_requisition_bases_of_a_period_by_who_may_see_them(app, tokens):
    every = get(app, "/api/v1/requisitions?period=2026-09", tokens["association"]).get_json()
    assert [(r["municipality"], r["period"], r["state"]) for r in every["requisitions"]] == [
        ("Bromölla", "2026-09", "draft"),
        ("Kristianstad", "2026-09", "draft"),
        ("Osby", "2026-09", "draft"),
        ("Östra Göinge", "2026-09", "draft"),
    ]
    assert every["requisitions"][0]["total"] == "0.00"
    own = get(app, "/api/v1/requisitions", tokens["osby"]).get_json()["requisitions"]
    assert [(r["municipality"], r["period"]) for r in own] == [("Osby", "2026-09")]
    unknown = get(app, "/api/v1/requisitions?period=2029-01", tokens["association"])
    assert unknown.status_code == 409
    assert unknown.get_json()["detail"] == (
        "Det finns ingen rekvisitionsperiod 2029-01 som har börjat."
    )


def test_with_reasons_asked_a_coordinator_s_token_gives_one_before_the_participant(
    app, sqlite_world, tokens, filed
):
    app.config["MM_ASK_REASON"] = True
    path = f"/api/v1/referrals/{filed['osby']}"
    first = get(app, path, tokens["coordinator"]).get_json()
    assert first["participant"] is None and audit_rows(sqlite_world) == []
    short = app.test_client().get(path, headers={**bearer(tokens["coordinator"]), "Mm-Reason": "x"})
    assert short.status_code == 409
    assert short.get_json()["detail"] == (
        "Skriv ett kort skäl till att du öppnar deltagarens personuppgifter."
    )
    given = (
        app.test_client()
        .get(
            path,
            headers={**bearer(tokens["coordinator"]), "Mm-Reason": quote("Uppföljning av ärendet")},
        )
        .get_json()
    )
    assert given["participant"]["name"] == "Anna Andersson"
    [row] = audit_rows(sqlite_world)
    assert (row.action, row.reason) == ("api_referral", "Uppföljning av ärendet")


def test_a_call_the_database_aborted_for_another_is_a_problem_to_send_again(app, tokens):
    """PostgreSQL aborts one of two changes that wait for each other: nothing was saved, and
    the caller is told to send it again (503, Retry-After), not that something broke."""
    app.view_functions["api.places"] = deadlocked
    response = get(app, "/api/v1/places", tokens["coordinator"])
    assert response.status_code == 503, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    assert response.headers["Retry-After"] == "1"
    assert response.json["detail"].startswith("Någon annan ändrade samma sak")
