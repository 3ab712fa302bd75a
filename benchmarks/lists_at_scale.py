"""The lists and worklists at national scale, against a bare Flask page.

    python benchmarks/lists_at_scale.py [DATABASE_URL]

290 municipalities, 100 000 placements and 5 000 open requests (SQLite by default). Each
page is timed through the Flask test client, and compared with a bare Flask page that
renders 50 rows from one SELECT on the same database: the goal is at most 3 times that.
A benchmark, not a test: timings depend on the machine (the ratios less so).
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask import Flask, render_template_string
from sqlalchemy import select, text

from domain.choices import BenefitType, Role
from domain.clock import FixedClock
from domain.participants import ParticipantDetails
from domain.settings import load_program_file
from programs import DEFAULT_PROGRAM_FILE
from services import referrals, users
from services.program_setup import install_program
from storage import migrate
from storage.db import make_engine, session_factory, unit_of_work
from storage.models import Municipality, Referral
from tests.support.clock import moment
from tests.support.scale import build_national
from web import create_app

TODAY = date(2026, 11, 23)
GOAL = 3.0
RUNS = 15
BARE = """<table>{% for code, status, created in rows %}
<tr><td>{{ code }}</td><td>{{ status }}</td><td>{{ created }}</td></tr>{% endfor %}</table>"""


def timed(get, path: str) -> float:
    get(path)  # warm the caches once
    took = []
    for _ in range(RUNS):
        began = time.perf_counter()
        answer = get(path)
        took.append(time.perf_counter() - began)
        assert answer.status_code == 200, (path, answer.status_code)
    return statistics.median(took)


def main() -> None:
    url = (
        sys.argv[1]
        if len(sys.argv) > 1
        else f"sqlite:///{Path(tempfile.mkdtemp()) / 'lists.sqlite3'}"
    )
    migrate.upgrade(url)
    engine = make_engine(url)
    sessions = session_factory(engine)
    program = load_program_file(DEFAULT_PROGRAM_FILE)
    began = time.perf_counter()
    with unit_of_work(sessions) as session:
        install_program(session, program, now=moment(date(2026, 1, 1)))
        ids = build_national(session, today=TODAY)
        people = {
            role: users.actor_of(
                users.add_user(
                    session,
                    email=f"{role.value}@bench.example",
                    name="Bench",
                    role=role,
                    municipality=session.get(Municipality, ids[5])
                    if role is Role.MUNICIPALITY_CONTACT
                    else None,
                    now=moment(TODAY),
                )
            )
            for role in (Role.COORDINATOR, Role.MUNICIPALITY_CONTACT, Role.INVESTIGATOR)
        }
        code = referrals.file_referral(  # one referral filed as people do, to look for
            session,
            actor=people[Role.INVESTIGATOR],
            participant=ParticipantDetails("Bench Person", "19700101-9822"),
            benefit_type=BenefitType.SICKNESS_BENEFIT,
            preferred_municipality_id=None,
            consent_given=True,
            consent_on=TODAY,
            municipality_id=ids[3],
            now=moment(TODAY),
        ).reference_code
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("ANALYZE"))
        else:
            connection.exec_driver_sql("ANALYZE")
    print(
        "Built 290 municipalities, 100 000 placements, 5 000 open requests in "
        f"{time.perf_counter() - began:.0f} s"
    )

    bare = Flask("bare")

    @bare.get("/")
    def rows():
        with unit_of_work(sessions) as session:
            found = session.execute(
                select(Referral.reference_code, Referral.status, Referral.created_at)
                .order_by(Referral.created_at.desc())
                .limit(50)
            ).all()
        return render_template_string(BARE, rows=found)

    floor = timed(bare.test_client().get, "/")
    app = create_app(
        {"DATABASE_URL": url, "SECRET_KEY": "bench", "CLOCK": FixedClock(moment(TODAY, 11))}
    )

    def client(actor):
        visitor = app.test_client()
        with visitor.session_transaction() as session:
            session["_user_id"] = str(actor.user_id)
            session["_fresh"] = True
        return visitor.get

    coordinator = client(people[Role.COORDINATOR])
    contact = client(people[Role.MUNICIPALITY_CONTACT])
    investigator = client(people[Role.INVESTIGATOR])
    pages = [
        ("reference: a page without a list", coordinator, "/mina-installningar/uppgifter"),
        ("coordinator: all referrals", coordinator, "/anmalningar"),
        ("coordinator: all referrals, page 1000", coordinator, "/anmalningar?sida=1000"),
        ("coordinator: a code among 105 000", coordinator, f"/anmalningar?q={code}"),
        (
            "coordinator: filtered by municipality",
            coordinator,
            f"/anmalningar?municipality={ids[7]}&status=started",
        ),
        ("coordinator: worklist", coordinator, "/att-gora"),
        ("coordinator: worklist, one kind", coordinator, "/att-gora?task=ending"),
        ("contact: requests and placements", contact, "/forfragningar"),
        ("contact: worklist", contact, "/att-gora"),
        ("investigator: my referrals", investigator, "/anmalningar"),
        ("investigator: worklist", investigator, "/att-gora"),
    ]
    print(f"bare Flask page, 50 rows from one SELECT: {floor * 1000:.1f} ms")
    worst = 0.0
    for name, get, path in pages:
        took = timed(get, path)
        ratio = took / floor
        worst = max(worst, ratio)
        mark = "ok" if ratio <= GOAL else "OVER"
        print(f"{name:45s} {took * 1000:8.1f} ms  {ratio:5.1f}×  {mark}")
    print(f"worst: {worst:.1f}× the bare page (goal: at most {GOAL:.0f}×)")
    engine.dispose()


if __name__ == "__main__":
    main()
