"""The API's own queries and writes on SQLite and on PostgreSQL: a municipality's list, a
referral with its participant (audited), an acceptance and a decline through the use
cases, the requisition bases, and two acceptances of one request at once (one wins)."""

from __future__ import annotations

import threading
from datetime import date

from sqlalchemy import func, select

from domain.choices import Role
from domain.clock import FixedClock
from storage.models import AuditEntry, Placement
from tests.support.api import bearer, make_token
from tests.support.clock import moment
from tests.web.conftest import TODAY
from web import create_app


def test_the_api_on_both_databases(database_url, sessions, world):
    app = create_app(
        {"DATABASE_URL": database_url, "SECRET_KEY": "t", "CLOCK": FixedClock(moment(TODAY, 11))}
    )
    investigator = world.user(Role.INVESTIGATOR)
    first = world.file(investigator, "Osby", date(2026, 11, 20)).reference_code
    second = world.file(investigator, "Osby", date(2026, 11, 21)).reference_code
    world.file(investigator, "Kristianstad", date(2026, 11, 21))
    osby = bearer(make_token(world, "Osby", Role.MUNICIPALITY_CONTACT, "Osby"))
    client = app.test_client()

    listed = client.get("/api/v1/referrals", headers=osby).get_json()
    assert [r["reference_code"] for r in listed["referrals"]] == [second, first]
    assert client.get(f"/api/v1/referrals/{first}", headers=osby).get_json()["participant"]
    assert world.read(lambda s: s.scalar(select(func.count()).select_from(AuditEntry))) == 1

    answers: list[int] = []
    start = threading.Barrier(4)

    def accept() -> None:
        start.wait()
        answer = app.test_client().post(
            f"/api/v1/referrals/{first}/accept", headers=osby, json={"meeting_on": "2026-11-30"}
        )
        answers.append(answer.status_code)

    threads = [threading.Thread(target=accept) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(answers) == [200, 409, 409, 409]
    assert world.read(lambda s: s.scalar(select(func.count()).select_from(Placement))) == 1

    declined = client.post(
        f"/api/v1/referrals/{second}/decline", headers=osby, json={"reason": "no_capacity"}
    )
    assert declined.get_json() == {"reference_code": second, "status": "declined"}
    bases = client.get("/api/v1/requisitions", headers=osby).get_json()["requisitions"]
    assert [(b["municipality"], b["state"]) for b in bases] == [("Osby", "draft")]
