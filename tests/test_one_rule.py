"""Rules that had started to live twice, now stated once: each test fails if a second copy
comes back and drifts from the first."""

from __future__ import annotations

import ast
import importlib
import re
from collections import Counter
from dataclasses import fields
from datetime import date
from enum import Enum
from pathlib import Path
from typing import Any

import click
import pytest
from sqlalchemy import inspect

from cli.params import DATE, KRONOR, WHOLE_NUMBER, YEAR
from digest.settings import DigestSchedule
from domain.availability import Availability, MunicipalityPlaces
from domain.deadlines import DeadlineSettings
from domain.errors import RuleViolation
from domain.lifecycle import ACTIVE_AT_MUNICIPALITY, ReferralStatus
from domain.parsing import parse_date, parse_kronor, parse_whole_number, parse_year
from domain.program import PROGRAM_SCALARS, Program
from domain.settings import _PAGE_KEYS, _PRIVACY_KEYS, _PROGRAM_KEYS
from locales import render
from storage.models import ProgramRow

ROOT = Path(__file__).resolve().parent.parent


def test_the_digest_defaults_are_the_deadline_settings_defaults():
    assert DigestSchedule.load({}).content == DeadlineSettings()


def test_the_program_fields_are_named_once_for_the_file_and_the_table():
    # Tables of their own in the file: phases, years, municipalities, and FK's documentation
    # template and the Finsam attributes of the insats (each stored as one JSON column).
    nested = {"phases", "years", "municipalities", "documentation", "finsam"}
    scalars = {f.name for f in fields(Program)} - nested
    assert set(PROGRAM_SCALARS) == scalars == _PROGRAM_KEYS | _PAGE_KEYS | _PRIVACY_KEYS
    # The row also has its key and a revision that tells processes the program changed.
    columns = {c.key for c in inspect(ProgramRow).columns} - {
        "id",
        "revision",
        "documentation",
        "finsam",
    }
    assert columns == scalars


def test_a_municipality_over_its_capacity_lends_no_places_to_the_total():
    places = (
        MunicipalityPlaces(1, "Osby", capacity=2, started=4, accepted_not_started=0),
        MunicipalityPlaces(2, "Bromölla", capacity=5, started=1, accepted_not_started=1),
    )
    assert Availability(places).free == 3


def test_what_occupies_a_place_is_named_once():
    assert frozenset({ReferralStatus.ACCEPTED, ReferralStatus.STARTED}) == ACTIVE_AT_MUNICIPALITY
    spelled_again = []
    for package in ("storage", "services", "web", "bot", "cli"):
        for path in (ROOT / package).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.List | ast.Set | ast.Tuple):
                    names = {getattr(e, "attr", None) for e in node.elts}
                    if {"ACCEPTED", "STARTED"} <= names and len(names) == 2:
                        spelled_again.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert spelled_again == []


def _cli_says(param: click.ParamType, raw: str) -> str:
    with pytest.raises(click.BadParameter) as caught:
        param.convert(raw, None, None)
    return caught.value.message


@pytest.mark.parametrize(
    ("parse", "param", "raw"),
    [
        (parse_date, DATE, "25 nov"),
        (parse_date, DATE, "2026-02-30"),
        (parse_year, YEAR, "tjugo"),
        (parse_whole_number, WHOLE_NUMBER, "-3"),
        (parse_kronor, KRONOR, "två hundra"),
    ],
)
def test_typed_values_are_read_and_refused_alike_on_the_command_line(parse, param, raw):
    with pytest.raises(RuleViolation) as caught:
        parse(raw)
    assert _cli_says(param, raw) == render(caught.value.text)


def test_what_people_type_is_read_the_same_way_everywhere():
    assert parse_date(" 2026-11-23 ") == date(2026, 11, 23)
    assert parse_year("2027") == 2027
    assert parse_whole_number("12") == 12
    assert parse_kronor("1 206,40 kr").ore == 120640
    assert render(_refusal(parse_date, "2026-02-30")) == (
        "Datumet 2026-02-30 finns inte. Kontrollera dag och månad."
    )


def _refusal(parse, raw):
    with pytest.raises(RuleViolation) as caught:
        parse(raw)
    return caught.value.text


@pytest.mark.parametrize(
    ("parse", "raw"),
    [(parse_date, "25 nov"), (parse_whole_number, "fem"), (parse_kronor, "två hundra")],
)
def test_typed_values_are_read_and_refused_alike_on_the_web(parse, raw):
    from web.forms.fields import _parsed

    with pytest.raises(ValueError) as caught:
        _parsed([raw], parse)
    assert str(caught.value) == render(_refusal(parse, raw))


def _sources_of(*packages: str) -> list[Path]:
    return sorted(p for package in packages for p in (ROOT / package).rglob("*.py"))


def test_what_a_logged_event_offers_its_describers_is_defined_once():
    defined = [
        str(path.relative_to(ROOT))
        for path in _sources_of("domain", "storage", "services", "notices", "web", "bot", "cli")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.ClassDef) and node.name == "LoggedEvent"
    ]
    assert defined == ["domain/events.py"]


def test_no_adapter_or_use_case_hangs_a_listener_on_the_database_session():
    """What follows from a change is reached by name from the use case (notices.bus), not
    by a SQLAlchemy hook that an adapter attached somewhere else."""
    hooks = [
        f"{path.relative_to(ROOT)}:{node.lineno}"
        for path in _sources_of("services", "notices", "web", "bot", "cli")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Attribute)
        and node.attr in {"listen", "listens_for"}
        and isinstance(node.value, ast.Name)
        and node.value.id == "event"
    ]
    assert hooks == []


def test_one_time_tokens_are_made_and_hashed_by_one_helper():
    """Invitation links, chat links and web sessions: domain.tokens, one size, one hash."""
    own_ways = [
        f"{path.relative_to(ROOT)}:{node.lineno}"
        for path in _sources_of("services", "web", "bot", "cli")
        if path.stem in {"invitations", "chat_links", "web_sessions"}
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Attribute) and node.attr in {"token_urlsafe", "sha256"}
    ]
    assert own_ways == []


def test_the_start_date_rule_is_stated_once():
    # Recording a start, correcting it and booking the meeting all ask domain.enrolment.
    sentence = "The tripartite meeting cannot be before the request was sent"
    spelled = [
        str(path.relative_to(ROOT))
        for package in ("domain", "services", "web", "bot", "cli")
        for path in (ROOT / package).rglob("*.py")
        if sentence in path.read_text(encoding="utf-8")
    ]
    assert spelled == ["domain/enrolment.py"]


def _refusals(path: Path) -> set[str]:
    """The sentences of every NotAllowed(...) raised in a module."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "NotAllowed":
            for inner in ast.walk(node):
                if isinstance(inner, ast.Constant) and isinstance(inner.value, str):
                    found.add(inner.value)
    return found


def test_role_checks_are_asked_of_domain_access():
    # A use case that spells a role refusal of its own drifts from domain.access.
    roles = _refusals(ROOT / "domain" / "access.py")
    assert "Only those who may see personal data search for a person." in roles
    spelled_again = sorted(
        f"{path.relative_to(ROOT)}: {sentence}"
        for path in (ROOT / "services").rglob("*.py")
        for sentence in _refusals(path) & roles
    )
    assert spelled_again == []


def test_the_domain_reads_no_files():
    # Reading a settings file is services.program_setup's; the domain parses text.
    reads = []
    for path in (ROOT / "domain").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import | ast.ImportFrom):
                modules = [a.name for a in node.names] if isinstance(node, ast.Import) else []
                modules += [node.module or ""] if isinstance(node, ast.ImportFrom) else []
                if {m.split(".")[0] for m in modules} & {"pathlib", "os", "io", "shutil"}:
                    reads.append(f"{path.relative_to(ROOT)}:{node.lineno}")
            elif isinstance(node, ast.Call):
                called = getattr(node.func, "attr", getattr(node.func, "id", None))
                if called in {"open", "read_text", "read_bytes"}:
                    reads.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert reads == []


def _budget_window_spelled(path: Path) -> list[int]:
    """Lines that cut a program year to the program (max(… .first_day, …) or min(… .last_day,
    …)) or take a year's days out of the running totals (tally[day].accrued_days)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        cuts = isinstance(node, ast.Call) and getattr(node.func, "id", None) in {"max", "min"}
        if cuts and {getattr(a, "attr", None) for a in node.args} & {"first_day", "last_day"}:
            found.append(node.lineno)
        sums = isinstance(node, ast.Attribute) and node.attr == "accrued_days"
        if sums and isinstance(node.value, ast.Subscript):
            found.append(node.lineno)
    return found


def test_the_budget_window_and_its_sums_are_computed_once():
    # The yearly budget, the follow-up, Finsam's utfall, the steering report and a
    # requisition period's days all ask domain.budget (BudgetWindow, within_program).
    elsewhere: set[str] = set()
    spelled = sorted(
        str(path.relative_to(ROOT))
        for path in _sources_of("domain", "storage", "services", "reports", "web", "bot", "cli")
        if _budget_window_spelled(path)
    )
    assert sorted(set(spelled) - elsewhere) == ["domain/budget.py"]


def test_the_domain_knows_no_slack_error_code_or_setting():
    # Slack's error codes and their sentences are the transport's (transports.delivery_reasons);
    # the domain keeps only the outbox states and our own codes, whatever the channel.
    from transports.delivery_reasons import SLACK_MAYBE_DONE, SLACK_NEEDS_SOMEONE, SLACK_REASONS

    slack_codes = SLACK_NEEDS_SOMEONE | SLACK_MAYBE_DONE | set(SLACK_REASONS)
    assert "not_in_channel" in slack_codes
    found = []
    for path in (ROOT / "domain").rglob("*.py"):
        source = path.read_text(encoding="utf-8")
        if "SLACK_" in source:
            found.append(f"{path.relative_to(ROOT)}: a SLACK_ setting")
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.Constant) and node.value in slack_codes:
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}: {node.value}")
    assert found == []


# Date arithmetic in SQL is spelled per database in storage.dates only: a query or trigger
# elsewhere names what it means (days_between, days_apart, day_of and their *_sql texts).
DATE_SQL = re.compile(
    r"julianday\(|\bdate\(|::\s*date\b|\binterval\s+'|make_interval\(|extract\s*\(\s*epoch"
    r"|at time zone|strftime\(",
    re.IGNORECASE,
)
DATE_SQL_HOME = "storage/dates.py"


def _sql_strings(path: Path) -> list[tuple[int, str]]:
    """(line, text) of the string literals of a module, f-strings' literal parts included,
    docstrings aside (they may name what the SQL does)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in docstrings
    ]


def test_date_sql_is_spelled_per_database_in_one_helper():
    spelled = [
        f"{path.relative_to(ROOT)}:{line}: {found.group(0)}"
        for path in _sources_of(
            "domain", "storage", "services", "notices", "reports", "web", "bot", "cli"
        )
        if "migrations" not in path.parts and path.relative_to(ROOT).as_posix() != DATE_SQL_HOME
        for line, literal in _sql_strings(path)
        if (found := DATE_SQL.search(literal))
    ]
    assert spelled == []
    home = {literal for _line, literal in _sql_strings(ROOT / DATE_SQL_HOME)}
    assert any(DATE_SQL.search(literal) for literal in home)


@pytest.mark.parametrize(
    ("sql", "date_sql"),
    [
        ("date(NEW.started_on, '-1 days')", True),
        ("CAST(julianday(x) - julianday(y) AS INTEGER)", True),
        ("NEW.started_on::date", True),
        ("now() - interval '3 days'", True),
        ("CAST(x AT TIME ZONE 'UTC' AS DATE)", True),
        ("SELECT started_on FROM placement", False),
        ("CAST(strftime('%s', at) AS INTEGER)", True),
        ("local_date(row.asked_at)", False),
    ],
)
def test_date_sql_is_recognised(sql, date_sql):
    assert bool(DATE_SQL.search(sql)) is date_sql


# One label table per vocabulary: each named once in domain/, no enum labelled in two.
LABEL_TABLE = re.compile(r"(?:[A-Z][A-Z_]*_)?LABELS")


def _label_tables() -> list[tuple[str, str, dict[Any, str]]]:
    """(module, name, table) of every label table assigned at the top of a domain module."""
    found = []
    for path in _sources_of("domain"):
        module = ".".join(path.relative_to(ROOT).with_suffix("").parts)
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            targets = node.targets if isinstance(node, ast.Assign) else []
            targets += [node.target] if isinstance(node, ast.AnnAssign) else []
            for target in targets:
                if isinstance(target, ast.Name) and LABEL_TABLE.fullmatch(target.id):
                    table = getattr(importlib.import_module(module), target.id)
                    found.append((module, target.id, table))
    return found


def test_each_vocabulary_has_one_label_table():
    tables = _label_tables()
    assert len(tables) > 15
    names = Counter(name for _module, name, _table in tables)
    assert [name for name, count in names.items() if count > 1] == []
    labelled_by: dict[type, list[str]] = {}
    for module, name, table in tables:
        for vocabulary in {type(key) for key in table if isinstance(key, Enum)}:
            labelled_by.setdefault(vocabulary, []).append(f"{module}.{name}")
    assert {v.__name__: t for v, t in labelled_by.items() if len(t) > 1} == {}


def test_no_label_table_is_kept_outside_the_domain():
    outside = [
        f"{path.relative_to(ROOT)}:{node.lineno} {target.id}"
        for path in _sources_of("storage", "services", "notices", "reports", "web", "bot", "cli")
        for node in ast.parse(path.read_text(encoding="utf-8")).body
        if isinstance(node, ast.Assign)
        for target in node.targets
        if isinstance(target, ast.Name) and LABEL_TABLE.fullmatch(target.id)
    ]
    assert outside == []


def _reads_role(node: ast.AST, of: set[str] | None = None) -> bool:
    return any(
        isinstance(n, ast.Attribute)
        and n.attr == "role"
        and (of is None or (isinstance(n.value, ast.Name) and n.value.id in of))
        for n in ast.walk(node)
    )


def _role_decisions(path: Path) -> list[int]:
    """Lines that decide who may do something by comparing a role outside domain.access:
    a lambda that reads its argument's `.role` (a page's or a command's permission), or an
    `if` on `.role` whose body refuses (raise NotAllowed)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Lambda):
            if _reads_role(node.body, {a.arg for a in node.args.args}):
                found.append(node.lineno)
        elif isinstance(node, ast.If) and _reads_role(node.test):
            refuses = any(
                isinstance(n, ast.Raise)
                and isinstance(n.exc, ast.Call)
                and getattr(n.exc.func, "id", None) == "NotAllowed"
                for n in node.body
            )
            if refuses:
                found.append(node.lineno)
    return found


def test_who_may_do_what_is_decided_in_domain_access():
    # Role checks were spelled again in the follow-up pages, the chat commands, Finsam and
    # the API beside domain.access; each now asks a can_/check_ function there. web.auth's
    # `roles(...)` is the one way a page names the roles it is for.
    spelled = [
        f"{path.relative_to(ROOT)}:{line}"
        for path in _sources_of("services", "notices", "web", "bot", "cli", "transports", "digest")
        if path.relative_to(ROOT).as_posix() != "web/auth.py"
        for line in _role_decisions(path)
    ]
    assert spelled == []


def test_the_role_decision_check_sees_a_lambda_and_a_refusal(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text(
        "@permitted(lambda actor: actor.role is Role.COORDINATOR)\n"
        "def view(): ...\n"
        "def use_case(actor):\n"
        "    if actor.role is not Role.ADMIN:\n"
        "        raise NotAllowed(N_('No.'))\n"
        "    if actor.role is Role.COORDINATOR:\n"
        "        return 1\n",
        encoding="utf-8",
    )
    assert sorted(_role_decisions(sample)) == [1, 4]
