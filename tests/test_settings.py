"""The program settings file: Skåne Nordost as signed, and clear errors for a bad file."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from domain.errors import SettingsError
from domain.money import Money
from domain.program import DayRule
from domain.settings import parse_program
from locales import render
from programs import DEFAULT_PROGRAM_FILE
from services.program_setup import load_program_file


def problems(raw: str) -> list[str]:
    with pytest.raises(SettingsError) as caught:
        parse_program(raw)
    return [render(p) for p in caught.value.problems]


def test_skane_nordost_matches_the_process_description(program):
    assert program.name == "Möjlighetsmodellen Skåne Nordost"
    assert (program.start, program.end) == (date(2026, 1, 1), date(2028, 12, 31))
    assert program.intake_stop == date(2028, 10, 1)
    assert {m.name: m.code for m in program.municipalities} == {
        "Bromölla": "1272",
        "Kristianstad": "1290",
        "Osby": "1273",
        "Östra Göinge": "1256",
    }
    assert [(y.year, y.budget, y.daily_rate, y.rate_confirmed) for y in program.years] == [
        (2026, Money.kronor(1_345_000), Money.kronor(200), True),
        (2027, Money.kronor(1_790_000), Money.kronor(200), False),
        (2028, Money.kronor(1_685_000), Money.kronor(200), False),
    ]
    assert (program.enrolment_months, program.max_enrolment_months) == (6, 12)
    assert program.day_rule is DayRule.WEEKDAYS
    assert [p.name for p in program.phases] == [
        "Uppstartsfas",
        "Ordinarie driftsfas",
        "Avslutande driftsfas",
    ]
    # Coordinator, administration and evaluation: shown, but not placement money.
    assert sum(c.amount.ore for c in program.year(2028).other_costs) == Money.kronor(315_000).ore


def test_intake_stops_on_the_first_of_october_2028(program):
    assert program.intake_open_on(date(2028, 9, 30))
    assert not program.intake_open_on(date(2028, 10, 1))
    assert not program.intake_open_on(date(2025, 12, 31))


def test_another_association_can_run_its_own_program():
    raw = DEFAULT_PROGRAM_FILE.read_text(encoding="utf-8")
    raw = raw.replace('key = "skane-nordost"', 'key = "malmo"').replace(
        'day_rule = "weekdays"', 'day_rule = "calendar"'
    )
    other = parse_program(raw)
    assert other.key == "malmo" and other.day_rule is DayRule.CALENDAR


def test_a_missing_file_is_named():
    with pytest.raises(SettingsError) as caught:
        load_program_file(Path("/nowhere/program.toml"))
    assert render(caught.value.problems[0]) == (
        "Inställningsfilen /nowhere/program.toml finns inte."
    )


def test_broken_toml_names_the_line():
    assert problems("[program]\nname = \n") == ["Inställningsfilen är inte giltig TOML (se rad 2)."]


def test_every_problem_is_listed_in_swedish():
    raw = DEFAULT_PROGRAM_FILE.read_text(encoding="utf-8")
    raw = (
        raw.replace("start = 2026-01-01\nend = 2028-12-31", 'start = 2026-01-01\nend = "snart"')
        .replace('day_rule = "weekdays"', 'day_rule = "workdays"\ncolour = "blue"')
        .replace('code = "1273"', 'code = "1290"')
    )
    found = problems(raw)
    assert "[program]: end måste vara ett datum skrivet ÅÅÅÅ-MM-DD." in found
    assert 'Dagregeln måste vara "weekdays" eller "calendar", inte workdays.' in found
    assert "[program] har en okänd inställning colour." in found


def test_consistency_is_checked_when_the_values_parse():
    raw = DEFAULT_PROGRAM_FILE.read_text(encoding="utf-8")
    no_2027 = raw.replace("year = 2027", "year = 2026").replace('code = "1273"', 'code = "1290"')
    found = problems(no_2027)
    assert "Året 2026 förekommer mer än en gång." in found
    assert "Året 2027 saknar budgetram och dagersättning; varje programår behöver båda." in found
    assert "Kommunkoden 1290 förekommer mer än en gång." in found


def test_a_missing_setting_and_a_bad_amount_are_named():
    raw = DEFAULT_PROGRAM_FILE.read_text(encoding="utf-8")
    raw = raw.replace('reference_prefix = "MM"\n', "").replace(
        "budget = 1790000", 'budget = "mycket"'
    )
    found = problems(raw)
    assert "[program] saknar inställningen reference_prefix." in found
    assert "[[years]] 2: budget måste vara ett belopp i kronor." in found


def test_intake_stop_outside_the_program_is_refused():
    raw = DEFAULT_PROGRAM_FILE.read_text(encoding="utf-8")
    found = problems(raw.replace("intake_stop = 2028-10-01", "intake_stop = 2029-10-01"))
    assert found == ["Intagsstoppet 1 okt. 2029 måste ligga inom programperioden."]
