"""Many placements at once, with their referrals and requests, by plain INSERTs: for tests
and benchmarks of the arithmetic at volume (the use cases are tested elsewhere).

The inserts run inside storage.figures.bulk_load: the maintained figures are recounted once
at the end instead of by the triggers row by row."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, insert, select, text, update
from sqlalchemy.orm import Session

from domain.choices import GOAL_OUTCOMES, BenefitType, Outcome, Role
from domain.clock import local_date
from domain.lifecycle import ReferralStatus
from services.program_setup import current_program
from services.reference_codes import reference_code
from storage import figures
from storage.models import (
    Event,
    Municipality,
    Participant,
    Placement,
    PlacementRequest,
    ReferenceCounter,
    Referral,
    User,
    personal_identity_digest,
)
from tests.support.clock import moment


def insert_placements(
    session: Session, municipality_id: int, spans: list[tuple[date, date, bool]]
) -> None:
    """One started (or ended) placement per (start, end, ended) span."""
    user_id = session.scalar(select(User.id).where(User.email == "bulk@test.example"))
    if user_id is None:
        user = User(
            email="bulk@test.example",
            name="Bulk",
            role=Role.INVESTIGATOR,
            created_at=moment(date(2026, 1, 1)),
        )
        session.add(user)
        session.flush()
        user_id = user.id
    first_id = (session.scalar(select(Referral.id).order_by(Referral.id.desc())) or 0) + 1
    referrals: list[dict[str, Any]] = []
    requests: list[dict[str, Any]] = []
    placements: list[dict[str, Any]] = []
    for offset, (start, end, ended) in enumerate(spans):
        n = first_id + offset
        asked = moment(start)
        referrals.append(
            dict(
                id=n,
                reference_code=f"BULK-{n:07d}",
                investigator_id=user_id,
                status=ReferralStatus.ENDED if ended else ReferralStatus.STARTED,
                benefit_type=BenefitType.SICKNESS_BENEFIT,
                consent_given=True,
                consent_on=start,
                created_at=asked,
                current_municipality_id=municipality_id,
            )
        )
        requests.append(
            dict(
                id=n,
                referral_id=n,
                municipality_id=municipality_id,
                asked_at=asked,
                asked_by_id=user_id,
                answered_at=asked,
                answer="accepted",
                decline_comment="",
            )
        )
        placements.append(
            dict(
                id=n,
                referral_id=n,
                municipality_id=municipality_id,
                request_id=n,
                meeting_on=start,
                started_on=start,
                planned_end_on=end,
                ended_on=end if ended else None,
            )
        )
    with figures.bulk_load(session):
        for model, rows in (
            (Referral, referrals),
            (PlacementRequest, requests),
            (Placement, placements),
        ):
            for chunk in range(0, len(rows), 5000):
                session.execute(model.__table__.insert(), rows[chunk : chunk + 5000])
    if session.connection().dialect.name == "postgresql":
        # Explicit ids do not move PostgreSQL's sequences; later inserts must not collide.
        for table in ("referral", "placement_request", "placement"):
            session.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT max(id) FROM {table}))"
                )
            )


# ---- a national program ----------------------------------------------------------------

NATIONAL_PASSWORD = "bench-losen-2026"


@dataclass(frozen=True)
class NationalSize:
    """290 municipalities, 100 000 placements and 5 000 open requests: Sweden, if every
    municipality joined. Tests use a smaller one of the same shape."""

    municipalities: int = 290
    placements: int = 100_000
    open_requests: int = 5_000
    today: date = date(2027, 6, 15)
    seed: int = 1


@dataclass
class NationalData:
    today: date
    municipality_ids: list[int]
    users: dict[str, int]  # email -> user id (coordinator, association, admin, contacts…)
    codes: dict[str, list[str]]  # status -> reference codes, for requests in the benchmark
    largest_municipality: str  # the one with most open requests
    contacts: dict[str, str]  # municipality name -> its contact's e-mail
    codes_of: dict[str, str] = field(default_factory=dict)  # municipality name -> kommunkod
    last_ended_period: str = ""  # the latest requisition period that has ended, as 2026-09
    # Page 1 000 of all referrals (or the last page of a shorter list) as the site links to
    # it: its number and the code of the row before it (`sida-efter`, services.paging).
    deep_page: tuple[int, str] = (1, "")


def _personnummer(rng: random.Random) -> str:
    born = date(1960, 1, 1) + timedelta(days=rng.randrange(0, 365 * 42))
    serial = f"{rng.randrange(0, 1000):03d}"
    digits = f"{born:%y%m%d}{serial}"
    total = 0
    for index, digit in enumerate(digits):
        product = int(digit) * (2 if index % 2 == 0 else 1)
        total += product // 10 + product % 10
    return f"{born:%Y%m%d}{serial}{(10 - total % 10) % 10}"


def _number(session: Session, referrals: list[dict[str, Any]]) -> dict[str, list[str]]:
    """Give the referrals the codes the site would have given them (MM-2026-0042: the
    program's prefix, the year filed, the year's sequence in filing order), continuing the
    site's counters and moving them on; status -> codes, in the order made."""
    prefix = current_program(session).reference_prefix
    last = dict(session.execute(select(ReferenceCounter.year, ReferenceCounter.last)).all())
    for referral in sorted(referrals, key=lambda r: (r["created_at"], r["id"])):
        year = local_date(referral["created_at"]).year
        last[year] = last.get(year, 0) + 1
        referral["reference_code"] = reference_code(prefix, year, last[year])
    known = set(session.scalars(select(ReferenceCounter.year)))
    for year, number in last.items():
        if year in known:
            session.execute(
                update(ReferenceCounter).where(ReferenceCounter.year == year).values(last=number)
            )
        else:
            session.add(ReferenceCounter(year=year, last=number))
    session.flush()
    codes: dict[str, list[str]] = {}
    for referral in referrals:
        codes.setdefault(referral["status"].value, []).append(referral["reference_code"])
    return codes


def build_national(session: Session, size: NationalSize = NationalSize()) -> NationalData:
    """Municipalities, users, referrals with participants, requests, placements in every
    state and their events, by plain INSERTs in one bulk load (program already installed).

    Placements start evenly from the program's start to `today` and last 10–120 days: about
    one in eight is running or accepted on `today`, as in the measured national picture."""
    from services.password_hashing import hasher

    rng = random.Random(size.seed)
    # Final reports from a stream of their own, so the rest of the data stays as it was.
    reports = random.Random(size.seed + 1)
    today = size.today
    start_of_program = date(2026, 1, 1)
    password_hash = hasher().hash(NATIONAL_PASSWORD)
    created = moment(start_of_program)
    with figures.bulk_load(session):
        existing = session.scalar(select(func.count()).select_from(Municipality)) or 0
        session.execute(
            insert(Municipality),
            [
                dict(
                    name=f"Kommun {n:03d}",
                    code=f"{2000 + n:04d}",
                    capacity=rng.randrange(10, 120),
                    offer="",
                    slack_channel=f"C{n:08d}",
                )
                for n in range(existing, size.municipalities)
            ],
        )
        municipalities = list(session.execute(select(Municipality.id, Municipality.name)))
        for number, (municipality_id, _name) in enumerate(municipalities):
            session.execute(
                update(Municipality)
                .where(Municipality.id == municipality_id)
                .values(slack_channel=f"C{number:08d}")
            )
        municipality_ids = [m[0] for m in municipalities]
        people = [
            ("samordnare@bench.example", Role.COORDINATOR, None, "UCOORD0001"),
            ("forbundet@bench.example", Role.ASSOCIATION, None, "UASSOC0001"),
            ("admin@bench.example", Role.ADMIN, None, "UADMIN0001"),
            ("utredare@bench.example", Role.INVESTIGATOR, None, "UINVES0001"),
        ] + [
            (f"kontakt{n:03d}@bench.example", Role.MUNICIPALITY_CONTACT, mid, f"UCONT{n:05d}")
            for n, mid in enumerate(municipality_ids)
        ]
        known = set(session.scalars(select(User.email)))
        new_users = [
            dict(
                email=email,
                name="Bench Person",
                role=role,
                municipality_id=municipality_id,
                slack_user_id=slack,
                password_hash=password_hash,
                active=True,
                created_at=created,
            )
            for email, role, municipality_id, slack in people
            if email not in known
        ]
        if new_users:
            session.execute(insert(User), new_users)
        users = {
            row[0]: row[1]
            for row in session.execute(
                select(User.email, User.id).where(User.email.like("%@bench.example"))
            )
        }
        investigator = users["utredare@bench.example"]
        contact_of = {
            mid: users[f"kontakt{n:03d}@bench.example"] for n, mid in enumerate(municipality_ids)
        }
        # Most placements in the larger municipalities, as in the country.
        weights = [1.0 / (1 + n % 50) for n in range(len(municipality_ids))]
        first_id = (session.scalar(select(func.max(Referral.id))) or 0) + 1
        rows: dict[str, list[dict[str, Any]]] = {
            k: [] for k in ("referral", "participant", "request", "placement", "event")
        }
        span = (today - start_of_program).days
        total = size.placements + size.open_requests
        outcomes = list(Outcome)
        for offset in range(total):
            n = first_id + offset
            municipality_id = rng.choices(municipality_ids, weights)[0]
            placement = offset < size.placements
            if placement:
                start = start_of_program + timedelta(days=rng.randrange(0, span + 20))
                asked = start - timedelta(days=rng.randrange(5, 20))
            else:
                asked = today - timedelta(days=rng.randrange(0, 30))
                start = asked
            asked = max(asked, start_of_program)
            length = rng.randrange(10, 121)
            planned_end = start + timedelta(days=length)
            if not placement:
                status = ReferralStatus.REQUESTED
            elif start > today:
                status = ReferralStatus.ACCEPTED
            elif planned_end < today:
                status = ReferralStatus.ENDED
            else:
                status = ReferralStatus.STARTED
            asked_at = moment(asked, 9)
            rows["referral"].append(
                dict(
                    id=n,
                    investigator_id=investigator,
                    status=status,
                    benefit_type=rng.choice(list(BenefitType)),
                    preferred_municipality_id=municipality_id,
                    # Asked of it, so it is the municipality's: its inbox lists it.
                    current_municipality_id=municipality_id,
                    consent_given=True,
                    consent_on=asked,
                    created_at=asked_at,
                    submitted_at=asked_at,
                )
            )
            number = _personnummer(rng)
            rows["participant"].append(
                dict(
                    referral_id=n,
                    name="Bench Deltagare",
                    personal_identity_number=number,
                    personal_identity_number_digest=personal_identity_digest(number),
                    phone="",
                    needs="",
                )
            )
            answered = None if not placement else moment(asked + timedelta(days=2), 11)
            rows["request"].append(
                dict(
                    id=n,
                    referral_id=n,
                    municipality_id=municipality_id,
                    asked_at=asked_at,
                    asked_by_id=investigator,
                    answered_at=answered,
                    answered_by_id=contact_of[municipality_id] if placement else None,
                    answer="accepted" if placement else None,
                    decline_comment="",
                )
            )
            events = [("created", asked_at, None), ("requested", asked_at, municipality_id)]
            if placement:
                started = status in (ReferralStatus.STARTED, ReferralStatus.ENDED)
                ended = status is ReferralStatus.ENDED
                plan = start + timedelta(days=rng.randrange(5, 45))
                training = start + timedelta(days=rng.randrange(20, 90))
                outcome = rng.choice(outcomes) if ended else None
                report = planned_end + timedelta(days=reports.randrange(3, 40))
                rows["placement"].append(
                    dict(
                        id=n,
                        referral_id=n,
                        municipality_id=municipality_id,
                        request_id=n,
                        meeting_on=start,
                        started_on=start if started else None,
                        planned_end_on=planned_end if started else None,
                        assessment_plan_on=plan
                        if started and plan <= today and rng.random() < 0.9
                        else None,
                        workplace_training_on=training
                        if started and training <= min(today, planned_end) and rng.random() < 0.8
                        else None,
                        ended_on=planned_end if ended else None,
                        outcome=outcome,
                        # Most of what is due gets done: a worklist is what is left to do,
                        # not the whole history (3 % of ended placements still miss each).
                        alternative_plan_on=planned_end
                        if ended and outcome not in GOAL_OUTCOMES and rng.random() < 0.97
                        else None,
                        final_report_on=report
                        if ended and report <= today and reports.random() < 0.97
                        else None,
                    )
                )
                events.append(("accepted", answered, municipality_id))
                if started:
                    events.append(("started", moment(start, 15), municipality_id))
                if ended:
                    events.append(("ended", moment(planned_end, 15), municipality_id))
            for kind, at, where in events:
                rows["event"].append(
                    dict(
                        referral_id=n,
                        municipality_id=where,
                        at=at,
                        actor_id=investigator,
                        kind=kind,
                        details={},
                    )
                )
        codes = _number(session, rows["referral"])
        for model, table in (
            (Referral, "referral"),
            (Participant, "participant"),
            (PlacementRequest, "request"),
            (Placement, "placement"),
            (Event, "event"),
        ):
            batch = rows[table]
            for chunk in range(0, len(batch), 5000):
                session.execute(model.__table__.insert(), batch[chunk : chunk + 5000])
        if session.connection().dialect.name == "postgresql":
            for table in ("referral", "placement_request", "placement"):
                session.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                        f"(SELECT max(id) FROM {table}))"
                    )
                )
    counts = dict(
        session.execute(
            select(PlacementRequest.municipality_id, func.count())
            .where(PlacementRequest.answered_at.is_(None))
            .group_by(PlacementRequest.municipality_id)
        ).all()
    )
    largest = max(counts, key=lambda m: counts[m]) if counts else municipality_ids[0]
    names = dict(municipalities)
    contacts = {
        names[mid]: f"kontakt{n:03d}@bench.example" for n, mid in enumerate(municipality_ids)
    }
    codes_of = {
        name: code for name, code in session.execute(select(Municipality.name, Municipality.code))
    }
    months = 2  # the program's requisition periods (programs/skane_nordost.toml)
    ended = date(today.year, (today.month - 1) // months * months + 1, 1) - timedelta(days=1)
    last_ended = f"{ended.year}-{(ended.month - 1) // months * months + 1:02d}"
    return NationalData(
        today,
        municipality_ids,
        users,
        codes,
        names[largest],
        contacts,
        codes_of,
        last_ended,
        _deep_page(session, 1000),
    )


def _deep_page(session: Session, wanted: int, size: int = 50) -> tuple[int, str]:
    """Page `wanted` of all referrals, newest first (or the last page, if fewer), and the
    code of the last row of the page before it."""
    total = session.scalar(select(func.count()).select_from(Referral)) or 0
    number = max(2, min(wanted, -(-total // size)))
    before = session.scalar(
        select(Referral.reference_code)
        .order_by(Referral.created_at.desc(), Referral.id.desc())
        .offset((number - 1) * size - 1)
        .limit(1)
    )
    return number, before or ""
