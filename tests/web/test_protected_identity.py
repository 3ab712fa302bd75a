"""Skyddade personuppgifter, and only what each party needs: a protected participant walked
through referral, request, accept, start and end as every role; a decline comment never shown
to the next municipality; the audit row says what was shown, not what could have been."""

from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.engine import make_url

from domain.choices import DeclineReason, Outcome
from domain.finsam import ByGender
from services import finsam_follow_up, placements, referrals
from storage.models import AuditEntry, ChatOutbox, Event, Participant, Referral
from tests.support.clock import moment
from tests.web.conftest import TODAY

SECRET_NAME = "Hemligdal Skyddsson"
NUMBER = "198109239809"
SHOWN_NUMBER = "19810923-9809"
PROTECTED = "Skyddade personuppgifter"


def _form(world) -> dict[str, str]:
    osby = str(world.municipality("Osby"))
    return {
        "protected_identity": "y",
        "name": SECRET_NAME,  # typed although the box is ticked: must never be kept
        "personal_identity_number": "810923-9809",
        "phone": "070-999 99 99",
        "benefit_type": "sickness_benefit",
        "needs": "Vill pröva lager.",
        "preferred_municipality": osby,
        "consent_given": "y",
        "consent_on": "2026-11-20",
        "municipality": osby,
    }


def _raw_file(world) -> bytes:
    url = world.sessions.kw["bind"].url
    world.sessions.kw["bind"].dispose()
    path = make_url(str(url)).database
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.execute("VACUUM")
    connection.close()
    return Path(path).read_bytes()


def _html(visitor, url: str):
    page = visitor.get(url)
    return page, page.response.get_data(as_text=True)


def test_a_protected_participant_through_every_step_as_every_role(visit, people, sqlite_world):
    investigator = visit(people["investigator"])
    sent = investigator.post("/anmalan/ny", _form(sqlite_world))
    assert sent.status == 302
    code = sent.response.headers["Location"].split("/")[2]
    stored = sqlite_world.read(lambda s: s.scalars(select(Participant)).one())
    assert (stored.name, stored.phone, stored.protected_identity) == ("", "", True)
    assert stored.personal_identity_number == NUMBER
    referral_id = stored.referral_id
    url = f"/anmalningar/{code}"

    def walk() -> None:
        """Every role's view of the referral at this step."""
        page, html = _html(investigator, url)
        assert PROTECTED in page.text and SHOWN_NUMBER in page.text
        assert SECRET_NAME not in html and "070-999" not in html
        coordinator = visit(people["coordinator"])
        page, html = _html(coordinator, url)
        assert SHOWN_NUMBER not in html  # a reason first, always
        assert "Deltagaren har skyddade personuppgifter. Skriv varför" in page.text
        assert coordinator.post(f"{url}/skal", {"reason": "Budgetuppföljning"}).status == 302
        page, html = _html(coordinator, url)
        assert PROTECTED in page.text and SHOWN_NUMBER in page.text
        osby_page, osby_html = _html(visit(people["osby"]), url)
        assert osby_page.status == 200
        assert SECRET_NAME not in osby_html and SHOWN_NUMBER not in osby_html
        assert NUMBER not in osby_html and "070-999" not in osby_html
        assert PROTECTED in osby_page.text and "Vill pröva lager." in osby_page.text
        for role in ("association", "admin", "log_reviewer", "other_investigator", "kristianstad"):
            _page, other = _html(visit(people[role]), url)
            assert SECRET_NAME not in other and SHOWN_NUMBER not in other, role

    walk()  # requested
    request_id = sqlite_world.open_request_id(referral_id)
    start = TODAY
    sqlite_world.do(
        referrals.accept_request,
        actor=people["osby"],
        request_id=request_id,
        meeting_on=start,
        now=moment(TODAY, 12),
    )
    walk()  # accepted
    sqlite_world.do(
        placements.record_meeting_held,
        actor=people["osby"],
        referral_id=referral_id,
        held_on=start,
        now=moment(start, 15),
    )
    walk()  # started
    sqlite_world.do(
        placements.end_placement,
        actor=people["osby"],
        referral_id=referral_id,
        ended_on=TODAY,
        outcome=Outcome.WORK,
        now=moment(TODAY, 16),
    )
    walk()  # ended

    # Every opening of it is flagged for the log reviewer, and says what was shown.
    views = sqlite_world.read(
        lambda s: s.scalars(select(AuditEntry).where(AuditEntry.referral_id == referral_id)).all()
    )
    assert len(views) >= 12
    assert all("protected_identity" in v.fields for v in views)
    contact_views = [v for v in views if v.user_id == people["osby"].user_id]
    assert contact_views and all(v.fields == ["needs", "protected_identity"] for v in contact_views)
    review = visit(people["log_reviewer"]).get(
        "/loggkontroll?period_from=2026-11-01&period_to=2026-11-30&code=" + code
    )
    assert review.text.count("Deltagare med skyddade personuppgifter") >= len(views)

    # Counted like anyone: Finsam's participants by gender (the personnummer codes a woman).
    figures = sqlite_world.read(
        lambda s: finsam_follow_up.finsam(
            s, actor=people["coordinator"], year=2026, half=2, today=TODAY
        )
    )
    assert (figures.active, figures.new, figures.ended) == (ByGender(women=1),) * 3

    # Nothing typed in the name is anywhere: chat, history, the database file.
    texts = sqlite_world.read(
        lambda s: (
            [repr((o.text, o.payload)) for o in s.scalars(select(ChatOutbox))]
            + [repr(e.details) for e in s.scalars(select(Event))]
        )
    )
    assert texts and not any(SECRET_NAME in t or "Hemligdal" in t for t in texts)
    blob = _raw_file(sqlite_world)
    assert code.encode() in blob  # the grep finds what is in plain text
    assert b"Hemligdal" not in blob and NUMBER.encode() not in blob


def test_a_municipality_asked_after_a_decline_never_sees_the_first_comment(
    visit, people, sqlite_world
):
    referral = sqlite_world.file(people["investigator"], "Osby", date(2026, 11, 16))
    code = referral.reference_code
    sqlite_world.do(
        referrals.decline_request,
        actor=people["osby"],
        request_id=sqlite_world.open_request_id(referral.id),
        reason=DeclineReason.OTHER,
        comment="Deltagaren har svår astma och klarar inte lagret.",
        now=moment(date(2026, 11, 17)),
    )
    second = sqlite_world.municipality("Kristianstad")
    sqlite_world.do(
        lambda s: referrals.request_placement(
            s,
            actor=people["investigator"],
            referral=s.get(Referral, referral.id),
            municipality_id=second,
            now=moment(date(2026, 11, 18)),
        )
    )
    kristianstad = visit(people["kristianstad"]).get(f"/anmalningar/{code}")
    assert kristianstad.status == 200 and "Anna Andersson" in kristianstad.text
    assert "astma" not in kristianstad.response.get_data(as_text=True)
    assert "astma" in visit(people["investigator"]).get(f"/anmalningar/{code}").text
    assert "astma" in visit(people["coordinator"]).get(f"/anmalningar/{code}").text
    osby = visit(people["osby"]).get(f"/anmalningar/{code}")
    assert "astma" not in osby.response.get_data(as_text=True)

    fields = sqlite_world.read(
        lambda s: {
            e.user_id: e.fields
            for e in s.scalars(select(AuditEntry).where(AuditEntry.referral_id == referral.id))
        }
    )
    assert fields[people["kristianstad"].user_id] == ["personal_details", "needs"]
    assert fields[people["investigator"].user_id] == [
        "personal_details",
        "needs",
        "decline_comments",
    ]


def test_the_audit_row_names_no_decline_comments_when_there_were_none(visit, people, sqlite_world):
    referral = sqlite_world.file(people["investigator"], "Osby", date(2026, 11, 16))
    visit(people["investigator"]).get(f"/anmalningar/{referral.reference_code}")
    entry = sqlite_world.read(lambda s: s.scalars(select(AuditEntry)).one())
    assert entry.fields == ["personal_details", "needs"]


def test_fk_marks_a_participant_as_protected_after_acceptance(visit, people, sqlite_world):
    referral = sqlite_world.file(people["investigator"], "Osby", date(2026, 11, 16))
    code = referral.reference_code
    sqlite_world.do(
        referrals.accept_request,
        actor=people["osby"],
        request_id=sqlite_world.open_request_id(referral.id),
        meeting_on=date(2026, 11, 25),
        now=moment(date(2026, 11, 17)),
    )
    url = f"/anmalningar/{code}/skyddade-personuppgifter"
    assert visit(people["osby"]).post(url, {}).status == 404  # FK's to mark, not theirs
    investigator = visit(people["investigator"])
    done = investigator.post(url, {})
    assert done.response.headers["Location"] == f"/anmalningar/{code}"
    page = investigator.get(f"/anmalningar/{code}")
    assert page.notices[0] == "Deltagaren är markerad med skyddade personuppgifter."
    stored = sqlite_world.read(
        lambda s: (lambda p: (p.name, p.phone, p.protected_identity, len(p.name_index)))(
            s.get(Participant, referral.id)
        )
    )
    assert stored == ("", "", True, 0)  # and no name word left to find it by
    osby = visit(people["osby"]).get(f"/anmalningar/{code}")
    assert "Anna Andersson" not in osby.response.get_data(as_text=True)
    assert PROTECTED in osby.text and SHOWN_NUMBER not in osby.text
    details = sqlite_world.read(
        lambda s: [
            e.details for e in s.scalars(select(Event).where(Event.kind == "participant_corrected"))
        ]
    )
    assert details == [{"fields": ["protected_identity"]}]
    again = investigator.post(url, {})  # once: nothing left to mark, and it says so
    assert again.status == 400
    assert "Deltagaren är redan markerad med skyddade personuppgifter." in again.text
