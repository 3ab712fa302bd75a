"""Uppföljning Finsam in the national shape (issue 25, part 3): the fields in the national
screens' order, the diff against the previous report, the association's figures, the
[finsam] settings, and a reported year that reads back identical after the purge and after
the program file changes."""

from __future__ import annotations

import io
import re
import threading
from dataclasses import replace
from datetime import date, datetime

import pytest
from openpyxl import load_workbook
from sqlalchemy import delete, select

from domain.choices import Role
from domain.errors import NotAllowed, RuleViolation
from domain.finsam import (
    AssociationFigures,
    ByGender,
    FinsamFigures,
    InsatsAttributes,
    TargetGroup,
    association_of,
    attributes_of,
    changes,
    national_fields,
    previous_period,
)
from domain.money import Money
from domain.settings import parse_program
from locales import render
from programs import DEFAULT_PROGRAM_FILE
from reports.finsam import finsam_sheet
from reports.sheets import to_xlsx
from services import finsam as finsam_shape
from services import finsam_follow_up
from services.program_setup import install_program
from storage.models import Event, FinsamAssociationYear, Participant
from tests.support.clock import moment
from tests.test_settings import problems

TODAY = date(2026, 11, 23)
ASSOCIATION = AssociationFigures(
    2026, Money.kronor(3_000_000), Money.kronor(-120_000), Money.kronor(400_000), Money.kronor(0)
)


def figures(association: AssociationFigures | None = ASSOCIATION) -> FinsamFigures:
    return FinsamFigures(
        year=2026,
        half=1,
        first=date(2026, 1, 1),
        last=date(2026, 6, 30),
        active=ByGender(3, 2, 0),
        new=ByGender(2, 1, 0),
        ended=ByGender(1, 0, 1),
        budgeted_participants=35,
        budget=Money.kronor(672_500),
        accrued=Money.kronor(201_000),
        rate_confirmed=True,
        association=association,
        insats="Arbetsträning i kommunal regi",
        attributes=InsatsAttributes("Arbetsträning", TargetGroup.STRUCTURAL, "Indikatorer", True),
    )


def test_the_fields_follow_the_national_screens_association_insats_then_participants():
    fields = national_fields(figures())
    assert [k for k, _v in fields] == [
        "allocated",
        "equity",
        "administration_budget",
        "administration_utfall",
        "insats",
        "focus",
        "target_group",
        "follow_up_method",
        "esf_funded",
        "budget",
        "utfall",
        "budgeted_participants",
        "active_women",
        "active_men",
        "active_unknown",
        "new_women",
        "new_men",
        "new_unknown",
        "ended_women",
        "ended_men",
        "ended_unknown",
    ]
    values = dict(fields)
    assert (values["equity"], values["target_group"], values["esf_funded"]) == (
        -12_000_000,
        "structural",
        True,
    )
    assert (values["active_women"], values["ended_unknown"]) == (3, 1)
    # Not entered for the year: the association's fields are empty, not zero.
    assert dict(national_fields(figures(None)))["allocated"] is None


def test_the_diff_names_only_what_changed_since_the_previous_report():
    before = dict(national_fields(figures()))
    later = replace(figures(), accrued=Money.kronor(250_000), active=ByGender(3, 3, 0))
    assert changes(before, national_fields(later)) == [
        ("utfall", 20_100_000, 25_000_000),
        ("active_men", 2, 3),
    ]
    assert changes(before, national_fields(figures())) == []
    # A report stored before a field existed: the field counts as changed, from nothing.
    assert changes({}, national_fields(figures()))[0] == ("allocated", None, 300_000_000)


def test_the_previous_period_is_the_year_or_half_year_before():
    assert previous_period(2027, None) == (2026, None)
    assert previous_period(2027, 2) == (2027, 1)
    assert previous_period(2027, 1) == (2026, 2)


def test_a_snapshot_gives_back_the_association_and_the_insats():
    snapshot = dict(national_fields(figures()))
    assert association_of(snapshot, 2026) == ASSOCIATION
    assert attributes_of(snapshot) == figures().attributes
    assert association_of(dict(national_fields(figures(None))), 2026) is None


def test_the_finsam_table_of_the_program_file_is_validated_in_swedish():
    raw = DEFAULT_PROGRAM_FILE.read_text(encoding="utf-8")
    program = parse_program(raw)
    assert program.finsam.target_group is TargetGroup.INDIVIDUAL
    assert program.finsam.focus.startswith("Arbetslivsinriktad rehabilitering")
    assert program.finsam.esf_funded is False
    wrong = raw.replace('target_group = "individual"', 'target_group = "alla"').replace(
        "esf_funded = false", 'esf_funded = "nej"'
    )
    assert problems(wrong) == [
        '[finsam] target_group måste vara "individual" eller "structural", inte alla.',
        "[finsam]: esf_funded måste vara true eller false.",
    ]
    # Without the table, the insats has the defaults: individinriktad, no ESF, texts empty.
    without = re.sub(r"\[finsam\]\n(.+\n)+", "", raw)
    assert "[finsam]" not in without
    assert parse_program(without).finsam == InsatsAttributes()


@pytest.fixture
def people(world):
    return {
        "investigator": world.user(Role.INVESTIGATOR),
        "osby": world.user(Role.MUNICIPALITY_CONTACT, "Osby"),
        "coordinator": world.user(Role.COORDINATOR),
        "association": world.user(Role.ASSOCIATION),
    }


def sheet_rows(found: FinsamFigures) -> list[tuple]:
    book = load_workbook(io.BytesIO(to_xlsx([finsam_sheet(found)])))
    return [
        tuple(c for c in row if c is not None) for row in book.active.iter_rows(values_only=True)
    ]


def test_a_reported_year_reads_back_identical_after_the_purge_and_a_program_change(
    world, people, program
):
    world.started(people["investigator"], people["osby"], "Osby", date(2026, 3, 2))
    coordinator, association = people["coordinator"], people["association"]
    with pytest.raises(NotAllowed):
        world.do(
            finsam_shape.enter_association_figures,
            actor=people["osby"],
            figures=ASSOCIATION,
            now=moment(TODAY),
        )
    with pytest.raises(RuleViolation) as refused:
        world.do(
            finsam_shape.enter_association_figures,
            actor=association,
            figures=replace(ASSOCIATION, allocated=Money.kronor(-1)),
            now=moment(TODAY),
        )
    assert render(refused.value.text) == "Ange ett belopp på noll kronor eller mer."
    world.do(
        finsam_shape.enter_association_figures,
        actor=association,
        figures=ASSOCIATION,
        now=moment(TODAY),
    )

    def read(half: int | None = 1) -> FinsamFigures:
        return world.read(
            lambda s: finsam_follow_up.finsam(s, actor=None, year=2026, half=half, today=TODAY)
        )

    entered = world.read(
        lambda s: s.scalars(select(Event).where(Event.kind == "finsam_figures_entered")).all()
    )
    assert [(e.details["year"], e.details["equity_ore"]) for e in entered] == [(2026, -12_000_000)]
    computed = read()
    assert computed.association == ASSOCIATION and computed.insats == program.name
    assert computed.active.total == 1
    world.do(
        finsam_follow_up.report_finsam, actor=coordinator, year=2026, half=1, now=moment(TODAY)
    )
    reported = read()
    assert reported.reported_at is not None
    assert national_fields(reported) == national_fields(computed)
    before = sheet_rows(reported)

    # Gallring, a new insats description and name, and corrected association figures.
    world.do(lambda s: s.execute(delete(Participant)))
    changed = replace(
        program,
        name="Ett annat namn",
        finsam=InsatsAttributes("Ny inriktning", TargetGroup.STRUCTURAL, "Enkät", True),
    )
    world.do(lambda s: install_program(s, changed, now=moment(TODAY)))
    corrected = replace(ASSOCIATION, equity=Money.kronor(50_000))
    world.do(
        finsam_shape.enter_association_figures,
        actor=coordinator,
        figures=corrected,
        now=moment(TODAY),
    )
    after = read()
    assert national_fields(after) == national_fields(reported)
    assert sheet_rows(after) == before
    # The second half-year, computed now, shows what differs from the report of the first.
    second = read(2)
    assert second.insats == "Ett annat namn" and second.association == corrected
    previous, diff = world.read(lambda s: finsam_shape.changes_since_previous(s, second))
    assert previous is not None and previous.half == 1
    keys = [k for k, _old, _new in diff]
    assert keys[:5] == ["equity", "insats", "focus", "target_group", "follow_up_method"]
    assert ("equity", -12_000_000, 5_000_000) in diff


def test_the_sheet_is_in_the_national_screens_order():
    rows = sheet_rows(replace(figures(), reported_at=datetime(2026, 7, 1, 9)))
    labels = [r[0] for r in rows if r]
    order = [
        "Förbundet",
        "Tilldelade medel",
        "Eget kapital",
        "Administration, budget",
        "Administration, utfall",
        "Insatsen",
        "Insats",
        "Inriktning",
        "Målgrupp",
        "Uppföljningsmetod",
        "ESF-finansiering",
        "Budget",
        "Utfall",
        "Budgeterat antal deltagare",
        "Deltagare efter kön",
        "Aktiva under perioden",
        "Nya under perioden",
        "Avslutade under perioden",
    ]
    assert [label for label in labels if label in order] == order
    values = {r[0]: r[1:] for r in rows if r}
    assert values["Tilldelade medel"] == (3_000_000,)
    assert values["Eget kapital"] == (-120_000,)
    assert values["Målgrupp"] == ("Strukturövergripande",)
    assert values["ESF-finansiering"] == ("Ja",)
    assert values["Aktiva under perioden"] == (3, 2, 0, 5)


def test_figures_saved_at_once_by_several_people_leave_one_row_of_one_of_them(world, people):
    """On PostgreSQL too: the first save makes the year's row, the others wait and apply
    after it; never an error, never two rows. Several years, so that saves do meet."""
    at_once, years = 8, (2026, 2027, 2028)
    start, failures = threading.Barrier(at_once), []

    def save(number: int) -> None:
        for year in years:
            start.wait()
            try:
                world.do(
                    finsam_shape.enter_association_figures,
                    actor=people["association"] if number % 2 else people["coordinator"],
                    figures=replace(ASSOCIATION, year=year, equity=Money.kronor(number)),
                    now=moment(TODAY),
                )
            except Exception as error:  # any failure fails the test below
                failures.append(error)

    threads = [threading.Thread(target=save, args=(n,)) for n in range(at_once)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    rows = world.read(lambda s: s.scalars(select(FinsamAssociationYear)).all())
    assert sorted(r.year for r in rows) == list(years)
    assert all(r.equity_ore in {n * 100 for n in range(at_once)} for r in rows)
