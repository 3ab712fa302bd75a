"""Fictitious demo data, made through the real use cases, with dates relative to today.

People are invented. Personnummer are checksum-valid numbers with birth numbers 980–999;
phone numbers are from the series PTS keeps for fiction (070-174 06 05 – 070-174 06 99).
The same seed gives the same data, so the demo and the tests see the same picture.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cli.demo_money import enter_cost_outcomes, make_requisitions, moment
from domain.choices import LABELS, BenefitType, DeclineReason, Outcome, Role
from domain.clock import STOCKHOLM
from domain.participants import ParticipantDetails
from domain.passwords import DEMO_PASSWORD
from locales import gettext as _
from services import placements, referrals, second_factor, users
from services.program_setup import current_program
from storage.models import Municipality, Placement, Referral, User

DEMO_USERS = (
    ("admin@mm.example", "Ada Administratör", Role.ADMIN, None),
    ("samordnare@fk.example", "Sara Samordnare", Role.COORDINATOR, None),
    ("forbundet@sfsno.example", "Folke Förbundsson", Role.ASSOCIATION, None),
    ("utredare1@fk.example", "Ulf Utredare", Role.INVESTIGATOR, None),
    ("utredare2@fk.example", "Ulla Utredare", Role.INVESTIGATOR, None),
    ("kontakt@bromolla.example", "Britt Bromölla", Role.MUNICIPALITY_CONTACT, "1272"),
    ("kontakt@kristianstad.example", "Krister Kristianstad", Role.MUNICIPALITY_CONTACT, "1290"),
    ("kontakt@osby.example", "Olle Osby", Role.MUNICIPALITY_CONTACT, "1273"),
    ("kontakt@ostragoinge.example", "Göran Göinge", Role.MUNICIPALITY_CONTACT, "1256"),
    ("granskare@fk.example", "Greta Granskare", Role.LOG_REVIEWER, None),
)

# Staff phone numbers from PTS's series for fiction (040-628 04 00 – 040-628 04 99).
STAFF_DETAILS = {
    "samordnare@fk.example": ("040-628 04 10", "Samordnare"),
    "utredare1@fk.example": ("040-628 04 11", "Utredare"),
    "utredare2@fk.example": ("040-628 04 12", "Utredare"),
    "kontakt@bromolla.example": ("040-628 04 20", "Arbetsmarknadskonsulent"),
    "kontakt@kristianstad.example": ("040-628 04 21", "Arbetsmarknadssekreterare"),
    "kontakt@osby.example": ("040-628 04 22", "Arbetsmarknadskonsulent"),
    "kontakt@ostragoinge.example": ("040-628 04 23", "Enhetschef arbetsmarknad"),
}

# Women's and men's names by turns: a name and its neighbour are a pair (Anna, Erik).
FIRST_NAMES = (
    "Anna",
    "Erik",
    "Maria",
    "Johan",
    "Sofia",
    "Ahmed",
    "Elin",
    "Mikael",
    "Fatima",
    "Lars",
    "Karin",
    "Oskar",
    "Leila",
    "Peter",
    "Emma",
    "Nils",
    "Sara",
    "Jonas",
)
LAST_NAMES = (
    "Andersson",
    "Berg",
    "Carlsson",
    "Dahl",
    "Ek",
    "Holm",
    "Karimi",
    "Lind",
    "Nyström",
    "Persson",
    "Sandberg",
    "Öberg",
    "Åkesson",
    "Yilmaz",
)
NEEDS = (
    "Vill pröva lager och logistik. Behöver korta dagar i början.",
    "Intresserad av kök och servering. Social oro, behöver en fast handledare.",
    "Vill arbeta med djur eller natur. Ryggbesvär, undvika tunga lyft.",
    "Har arbetat inom handel. Behöver stöd med struktur och rutiner.",
    "Vill pröva vård och omsorg, på sikt studier. Trötthet efter lång sjukskrivning.",
    "Intresserad av snickeri och återbruk. Behöver lugn miljö.",
)

# Ended placements: outcome and how many days ago the tripartite meeting was held.
ENDED = [
    (Outcome.WORK, 250),
    (Outcome.WORK, 220),
    (Outcome.WORK, 200),
    (Outcome.STUDIES, 240),
    (Outcome.STUDIES, 210),
    (Outcome.REHABILITATION_COLLABORATION, 230),
    (Outcome.OTHER_MEASURE, 190),
    (Outcome.OTHER_MEASURE, 205),
    (Outcome.ALTERNATIVE_PLAN, 215),
    (Outcome.DROPOUT, 185),
    (Outcome.DROPOUT, 195),
]
# Running placements: days since the tripartite meeting, days from it to the assessment/plan
# and to workplace training (None: not yet), and whether it has been extended. Some are
# behind on purpose, so the overview and the daily digest have something to show.
STARTED = [
    (170, 20, 50, True),
    (165, 25, 60, False),
    (150, 40, 90, True),
    (130, 14, 45, False),
    (110, 21, 66, False),
    (95, 26, None, False),
    (80, 18, 60, False),
    (66, 30, None, False),
    (52, 12, 40, False),
    (40, 20, None, False),
    (35, None, None, False),
    (24, 10, None, False),
    (16, None, None, False),
    (9, None, None, False),
    (4, None, None, False),
]
# Ended placements get their milestones on time, except every fifth (late on both).
ON_TIME, LATE = (18, 50), (40, 90)
ACCEPTED_MEETING_IN = [2, 4, 6, 9]
REQUESTED_DAYS_AGO = [0, 1, 3, 5, 8]


def _personnummer(rng: random.Random) -> str:
    born = date(1965, 1, 1) + timedelta(days=rng.randrange(0, 365 * 38))
    serial = f"{rng.randrange(980, 1000):03d}"
    digits = f"{born:%y%m%d}{serial}"
    total = 0
    for index, digit in enumerate(digits):
        product = int(digit) * (2 if index % 2 == 0 else 1)
        total += product // 10 + product % 10
    return f"{born:%Y%m%d}-{serial}{(10 - total % 10) % 10}"


def first_name_for(name: str, personnummer: str) -> str:
    """The name, or its pair's, so that it matches the gender the personnummer codes (the
    ninth digit: odd for a man, even for a woman), as Skatteverket assigns them."""
    index = FIRST_NAMES.index(name)
    male = int(personnummer.replace("-", "")[-2]) % 2 == 1
    return FIRST_NAMES[index if (index % 2 == 1) == male else index ^ 1]


def placement_of(referral: Referral) -> Placement:
    if referral.placement is None:  # the demo only asks this of accepted referrals
        raise LookupError(referral.reference_code)
    return referral.placement


def planned_end_of(referral: Referral) -> date:
    planned = placement_of(referral).planned_end_on
    if planned is None:  # set when the tripartite meeting was held
        raise LookupError(referral.reference_code)
    return planned


def demo_listing(session: Session) -> list[tuple[str, str, str]]:
    """(e-mail, role, authenticator key) of each demo user in the database."""
    found = []
    for email, _name, role, _code in DEMO_USERS:
        user = users.find_user_by_email(session, email)
        if user is not None and user.is_demo and user.active:
            found.append((email, _(LABELS[role]), user.totp_secret or "–"))
    return found


def load_demo_data(session: Session, *, now: datetime) -> tuple[bool, list[tuple[str, str, str]]]:
    """Adds the demo users (with a password and an enrolled authenticator each) and the
    referrals, unless there are referrals already."""
    if session.scalar(select(func.count()).select_from(Referral)):
        return False, demo_listing(session)
    program = current_program(session)
    by_code = {m.code: m for m in session.scalars(select(Municipality))}
    made: dict[str, User] = {}
    for email, name, role, code in DEMO_USERS:
        made[email] = users.find_user_by_email(session, email) or users.add_user(
            session,
            email=email,
            name=name,
            role=role,
            municipality=by_code.get(code) if code else None,
            password=DEMO_PASSWORD,
            is_demo=True,
            now=now,
            phone=STAFF_DETAILS.get(email, ("", ""))[0],
            title=STAFF_DETAILS.get(email, ("", ""))[1],
        )
        if made[email].is_demo and not made[email].totp_secret:
            made[email].totp_secret = second_factor.new_secret()
            made[email].totp_enrolled_at = now
    contacts = {u.municipality_id: users.actor_of(u) for u in made.values() if u.municipality_id}
    investigators = [
        users.actor_of(made["utredare1@fk.example"]),
        users.actor_of(made["utredare2@fk.example"]),
    ]
    coordinator = users.actor_of(made["samordnare@fk.example"])
    # The story needs about ten months of program behind it and an open intake.
    today = min(
        max(now.astimezone(STOCKHOLM).date(), program.start + timedelta(days=300)),
        (program.intake_stop or program.end) - timedelta(days=1),
    )
    earliest = max(program.start, today - timedelta(days=400))
    rng = random.Random(20260101)
    municipality_ids = sorted(contacts)

    def file(asked_on: date, number: int) -> tuple[Referral, int]:
        asked_on = max(asked_on, earliest)
        municipality_id = municipality_ids[number % len(municipality_ids)]
        first, last, personnummer = (
            rng.choice(FIRST_NAMES),
            rng.choice(LAST_NAMES),
            _personnummer(rng),
        )
        referral = referrals.file_referral(
            session,
            actor=investigators[number % 2],
            participant=ParticipantDetails(
                name=f"{first_name_for(first, personnummer)} {last}",
                personal_identity_number=personnummer,
                phone=f"070-174 06 {5 + number:02d}",
                needs=rng.choice(NEEDS),
            ),
            benefit_type=rng.choice(list(BenefitType)),
            preferred_municipality_id=municipality_id,
            consent_given=True,
            consent_on=asked_on,
            municipality_id=municipality_id,
            now=moment(asked_on, 9),
        )
        return referral, municipality_id

    def start(number: int, started_on: date) -> Referral:
        started_on = max(started_on, earliest + timedelta(days=7))
        referral, municipality_id = file(started_on - timedelta(days=10), number)
        actor = contacts[municipality_id]
        request_id = referral.requests[-1].id
        referrals.accept_request(
            session,
            actor=actor,
            request_id=request_id,
            meeting_on=started_on,
            now=moment(started_on - timedelta(8)),
        )
        placements.record_meeting_held(
            session,
            actor=actor,
            referral_id=referral.id,
            held_on=started_on,
            now=moment(started_on, 15),
        )
        return referral

    def milestones(
        referral: Referral, started_on: date, until: date, after: tuple[int | None, ...]
    ) -> None:
        """Records the assessment/plan and workplace training `after` days from the start."""
        actor = contacts[placement_of(referral).municipality_id]
        record: tuple[Callable[..., None], ...] = (
            placements.record_assessment_plan,
            placements.record_workplace_training,
        )
        keyword = ("done_on", "started_on")
        for use_case, name, days in zip(record, keyword, after, strict=True):
            if days is not None and (on := started_on + timedelta(days=days)) <= until:
                use_case(
                    session, actor=actor, referral_id=referral.id, now=moment(on, 16), **{name: on}
                )

    number = 0
    for outcome, days_ago in ENDED:
        started_on = today - timedelta(days=days_ago)
        referral = start(number, started_on)
        ended_on = min(planned_end_of(referral), today - timedelta(days=days_ago - 150))
        milestones(referral, started_on, ended_on, LATE if number % 5 == 4 else ON_TIME)
        actor = contacts[placement_of(referral).municipality_id]
        placements.end_placement(
            session,
            actor=actor,
            referral_id=referral.id,
            ended_on=ended_on,
            outcome=outcome,
            now=moment(ended_on, 16),
        )
        if outcome in (Outcome.OTHER_MEASURE, Outcome.DROPOUT) and number % 2 == 0:
            placements.record_alternative_plan(
                session,
                actor=coordinator,
                referral_id=referral.id,
                planned_on=ended_on,
                now=moment(ended_on, 17),
            )
        if number % 3 != 2:
            report_on = min(ended_on + timedelta(days=14), today)
            placements.record_final_report(
                session,
                actor=actor,
                referral_id=referral.id,
                received_on=report_on,
                now=moment(report_on, 16),
            )
        number += 1
    for days_ago, plan_after, training_after, extended in STARTED:
        started_on = today - timedelta(days=days_ago)
        referral = start(number, started_on)
        milestones(referral, started_on, today, (plan_after, training_after))
        if extended:
            actor = contacts[placement_of(referral).municipality_id]
            placements.extend_placement(
                session,
                actor=actor,
                referral_id=referral.id,
                new_end=planned_end_of(referral) + timedelta(days=91),
                now=moment(today - timedelta(days=5)),
            )
        number += 1
    for meeting_in in ACCEPTED_MEETING_IN:
        referral, municipality_id = file(today - timedelta(days=6), number)
        referrals.accept_request(
            session,
            actor=contacts[municipality_id],
            request_id=referral.requests[-1].id,
            meeting_on=today + timedelta(days=meeting_in),
            now=moment(today - timedelta(days=3)),
        )
        number += 1
    for days_ago in REQUESTED_DAYS_AGO:
        file(today - timedelta(days=days_ago), number)
        number += 1
    for reason in (DeclineReason.NO_CAPACITY, DeclineReason.LOCATION):
        referral, municipality_id = file(today - timedelta(days=12), number)
        referrals.decline_request(
            session,
            actor=contacts[municipality_id],
            request_id=referral.requests[-1].id,
            reason=reason,
            comment="",
            now=moment(today - timedelta(days=10)),
        )
        number += 1
    referral, _municipality_id = file(today - timedelta(days=20), number)
    referrals.withdraw_referral(
        session,
        actor=investigators[number % 2],
        referral=referral,
        now=moment(today - timedelta(days=18)),
    )
    session.flush()
    make_requisitions(
        session, program, contacts, coordinator, made["forbundet@sfsno.example"], today
    )
    enter_cost_outcomes(session, program, coordinator, today)
    return True, demo_listing(session)
