"""Parses a program settings file's text (TOML) into a `Program`, with every problem as a
sentence. Reading the file is services.program_setup.load_program_file's (the domain reads
no files).

Another coordination association runs its own program by writing its own file; nothing about
Skåne Nordost is hard-wired elsewhere.
"""

from __future__ import annotations

import re
import tomllib
from datetime import date
from decimal import Decimal
from typing import Any

from domain.documentation import DEFAULT_TEMPLATE, DocumentTemplate, TemplateSection
from domain.errors import SettingsError
from domain.finsam import InsatsAttributes, TargetGroup
from domain.program import (
    PROGRAM_SCALARS,
    DayRule,
    MunicipalitySettings,
    OtherCost,
    Phase,
    Program,
    ProgramYear,
)
from domain.requisition import PERIOD_MONTHS
from domain.settings_tables import TableReader
from domain.text import N_, Text

_PAGE_KEYS = {"accessibility_statement", "privacy_notice"}
_PRIVACY_KEYS = {"controllers", "purposes", "legal_bases", "recipients", "complaints"}
_PROGRAM_KEYS = set(PROGRAM_SCALARS) - _PAGE_KEYS - _PRIVACY_KEYS
_TOP_KEYS = {
    "program",
    "phases",
    "years",
    "municipalities",
    "pages",
    "privacy",
    "documentation",
    "finsam",
}
_DOCUMENT_KEYS = {"plan", "final_report"}
_SECTION_KEYS = {"key", "heading", "help"}
_PHASE_KEYS = {"key", "name", "start", "end"}
_YEAR_KEYS = {"year", "budget", "daily_rate", "rate_confirmed", "other_costs", "participants"}
_COST_KEYS = {"label", "amount"}
_MUNICIPALITY_KEYS = {"name", "code", "capacity", "offer"}


def parse_program(raw: str) -> Program:
    data = _load_toml(raw)
    problems: list[Text] = []
    top = TableReader(problems, data, "", _TOP_KEYS)
    values = _program_values(problems, top)
    values.update(_page_and_privacy_values(problems, top))
    phases = _phases(problems, top)
    years = _years(problems, top)
    municipalities = _municipalities(problems, top)
    documentation = _documentation(problems, top)
    finsam = _finsam(problems, top)
    if not problems:
        _check_consistency(problems, values, phases, years, municipalities)
    if problems:
        raise SettingsError(problems)
    return Program(
        **values,
        phases=tuple(phases),
        years=tuple(sorted(years, key=lambda y: y.year)),
        municipalities=tuple(municipalities),
        documentation=documentation,
        finsam=finsam,
    )


def _load_toml(raw: str) -> dict[str, Any]:
    """The file's tables, or one problem naming the line TOML could not read."""
    try:
        return tomllib.loads(raw, parse_float=Decimal)
    except tomllib.TOMLDecodeError as error:
        found = re.search(r"line (\d+)", str(error))
        line = found.group(1) if found else "?"
        raise SettingsError(
            [Text(N_("The settings file is not valid TOML (see line %(line)s)."), {"line": line})]
        ) from None


def _day_rule(problems: list[Text], program: TableReader) -> DayRule | None:
    rule_name = program.text("day_rule", required=False, default=DayRule.WEEKDAYS.value)
    if rule_name is not None and rule_name not in {r.value for r in DayRule}:
        problems.append(
            Text(
                N_('The day rule must be "weekdays" or "calendar", not %(value)s.'),
                {"value": rule_name},
            )
        )
        return None
    return DayRule(rule_name) if rule_name else None


def _program_values(problems: list[Text], top: TableReader) -> dict[str, Any]:
    """The [program] table: the scalars of `Program` that are not pages or privacy texts."""
    program = TableReader(problems, top.table.get("program", {}), "[program]", _PROGRAM_KEYS)
    start, end = program.day("start"), program.day("end")
    day_rule = _day_rule(problems, program)
    return {
        "key": program.text("key"),
        "name": program.text("name"),
        "owner": program.text("owner"),
        "association": program.text("association"),
        "start": start,
        "end": end,
        "intake_stop": program.day("intake_stop", required=False),
        "reference_prefix": program.text("reference_prefix"),
        "enrolment_months": program.whole("enrolment_months", minimum=1),
        "max_enrolment_months": program.whole("max_enrolment_months", minimum=1),
        "day_rule": day_rule,
        "retention_months": program.whole("retention_months", minimum=1, default=24),
        "retention_months_not_started": program.whole(
            "retention_months_not_started", minimum=1, default=6
        ),
        "audit_retention_months": program.whole("audit_retention_months", minimum=60, default=60),
        "requisition_months": program.whole("requisition_months", minimum=1, default=2),
        "requisition_reference": program.text("requisition_reference", required=False),
        "requisition_account": program.text("requisition_account", required=False),
        "requisition_due_working_days": program.whole(
            "requisition_due_working_days", minimum=1, default=10
        ),
        "intake_forecast_per_month": program.whole("intake_forecast_per_month", default=0),
    }


def _page_and_privacy_values(problems: list[Text], top: TableReader) -> dict[str, Any]:
    """The texts of the [pages] and [privacy] tables, all optional."""
    values: dict[str, Any] = {}
    pages = TableReader(problems, top.table.get("pages", {}), "[pages]", _PAGE_KEYS)
    values["accessibility_statement"] = pages.text("accessibility_statement", required=False)
    values["privacy_notice"] = pages.text("privacy_notice", required=False)
    privacy = TableReader(problems, top.table.get("privacy", {}), "[privacy]", _PRIVACY_KEYS)
    for key in sorted(_PRIVACY_KEYS):
        values[key] = privacy.text(key, required=False)
    return values


def _documentation(problems: list[Text], top: TableReader) -> DocumentTemplate:
    """FK's template: the parts of the individual plan and of the final documentation."""
    if "documentation" not in top.table:
        return DEFAULT_TEMPLATE
    table = TableReader(problems, top.table["documentation"], "[documentation]", _DOCUMENT_KEYS)
    found: dict[str, tuple[TemplateSection, ...]] = {}
    for kind in sorted(_DOCUMENT_KEYS):
        sections = []
        for number, part in enumerate(table.tables(kind), start=1):
            r = TableReader(problems, part, f"[[documentation.{kind}]] {number}", _SECTION_KEYS)
            key, heading = r.text("key"), r.text("heading")
            help_text = r.text("help", required=False)
            if key is not None and heading is not None:
                sections.append(TemplateSection(key, heading, help_text or ""))
        keys = [s.key for s in sections]
        for key in sorted({k for k in keys if keys.count(k) > 1}):
            problems.append(
                Text(
                    N_("[documentation] %(kind)s: the part %(key)s appears more than once."),
                    {"kind": kind, "key": key},
                )
            )
        found[kind] = tuple(sections)
    return DocumentTemplate(plan=found["plan"], final_report=found["final_report"])


def _phases(problems: list[Text], top: TableReader) -> list[Phase]:
    phases = []
    for number, table in enumerate(top.tables("phases", required=False), start=1):
        r = TableReader(problems, table, f"[[phases]] {number}", _PHASE_KEYS)
        key, name, start, end = r.text("key"), r.text("name"), r.day("start"), r.day("end")
        if key is not None and name is not None and start is not None and end is not None:
            phases.append(Phase(key, name, start, end))
    return phases


def _years(problems: list[Text], top: TableReader) -> list[ProgramYear]:
    years = []
    for number, table in enumerate(top.tables("years"), start=1):
        r = TableReader(problems, table, f"[[years]] {number}", _YEAR_KEYS)
        year, budget = r.whole("year", minimum=1900), r.money("budget")
        rate, confirmed = r.money("daily_rate"), r.flag("rate_confirmed")
        participants = r.whole("participants", default=0)
        costs = []
        for cost_table in table.get("other_costs", []) if isinstance(table, dict) else []:
            c = TableReader(problems, cost_table, f"[[years]] {number} other_costs", _COST_KEYS)
            label, amount = c.text("label"), c.money("amount")
            if label is not None and amount is not None:
                costs.append(OtherCost(label, amount))
        if (
            year is not None
            and budget is not None
            and rate is not None
            and confirmed is not None
            and participants is not None
        ):
            years.append(
                ProgramYear(year, budget, rate, confirmed, tuple(costs), participants or 0)
            )
    return years


def _municipalities(problems: list[Text], top: TableReader) -> list[MunicipalitySettings]:
    found = []
    for number, table in enumerate(top.tables("municipalities"), start=1):
        r = TableReader(problems, table, f"[[municipalities]] {number}", _MUNICIPALITY_KEYS)
        name, code = r.text("name"), r.text("code")
        capacity = r.whole("capacity", default=0)
        offer = r.text("offer", required=False)
        if code is not None and not re.fullmatch(r"\d{4}", code):
            problems.append(
                Text(N_("The municipality code %(code)s must be four digits."), {"code": code})
            )
            continue
        if name is not None and code is not None and capacity is not None:
            found.append(MunicipalitySettings(name, code, capacity, offer or ""))
    return found


def _check_consistency(
    problems: list[Text],
    values: dict[str, Any],
    phases: list[Phase],
    years: list[ProgramYear],
    municipalities: list[MunicipalitySettings],
) -> None:
    start, end = values["start"], values["end"]
    if end <= start:
        # Nothing else can be checked against a period that does not exist.
        problems.append(Text(N_("The program must end after it starts.")))
        return
    _check_program_values(problems, values)
    _check_phases(problems, phases, start, end)
    _check_years(problems, [y.year for y in years], start, end)
    _check_municipalities(problems, municipalities)


def _check_program_values(problems: list[Text], values: dict[str, Any]) -> None:
    start, end, stop = values["start"], values["end"], values["intake_stop"]
    if stop is not None and not start < stop <= end:
        problems.append(
            Text(
                N_("The intake stop %(date)s must fall within the program period."), {"date": stop}
            )
        )
    if values["requisition_months"] not in PERIOD_MONTHS:
        problems.append(
            Text(N_("requisition_months must be 2 (two-month periods) or 1 (monthly).")),
        )
    if values["max_enrolment_months"] < values["enrolment_months"]:
        problems.append(
            Text(N_("The maximum enrolment cannot be shorter than the ordinary enrolment."))
        )


def _check_phases(problems: list[Text], phases: list[Phase], start: date, end: date) -> None:
    for phase in phases:
        if not start <= phase.start <= phase.end <= end:
            problems.append(
                Text(
                    N_(
                        "The phase %(phase)s must end after it starts and lie within the "
                        "program period."
                    ),
                    {"phase": phase.name},
                )
            )


def _check_years(problems: list[Text], seen_years: list[int], start: date, end: date) -> None:
    """Each program year once, every calendar year of the period, none outside it."""
    for year in sorted(set(seen_years)):
        if seen_years.count(year) > 1:
            problems.append(
                Text(N_("The year %(year)s appears more than once."), {"year": str(year)})
            )
    for year in range(start.year, end.year + 1):
        if year not in seen_years:
            problems.append(
                Text(
                    N_(
                        "The year %(year)s has no budget and daily rate; every program year "
                        "needs both."
                    ),
                    {"year": str(year)},
                )
            )
    for year in seen_years:
        if not start.year <= year <= end.year:
            problems.append(
                Text(N_("The year %(year)s lies outside the program period."), {"year": str(year)})
            )


def _check_municipalities(problems: list[Text], municipalities: list[MunicipalitySettings]) -> None:
    if not municipalities:
        problems.append(Text(N_("The program needs at least one municipality.")))
    for attribute, msgid in (
        ("code", N_("The municipality code %(value)s appears more than once.")),
        ("name", N_("The municipality name %(value)s appears more than once.")),
    ):
        seen = [getattr(m, attribute) for m in municipalities]
        for value in sorted({v for v in seen if seen.count(v) > 1}):
            problems.append(Text(msgid, {"value": value}))


# ---- [finsam]: the insats's attributes for Uppföljning Finsam (issue 25) -------------------

_FINSAM_KEYS = {"focus", "target_group", "follow_up_method", "esf_funded"}


def _finsam(problems: list[Text], top: TableReader) -> InsatsAttributes:
    """Inriktning, målgrupp, uppföljningsmetod and ESF funding; all optional."""
    r = TableReader(problems, top.table.get("finsam", {}), "[finsam]", _FINSAM_KEYS)
    group = r.text("target_group", required=False, default=TargetGroup.INDIVIDUAL.value)
    if group is not None and group not in {g.value for g in TargetGroup}:
        problems.append(
            Text(
                N_('[finsam] target_group must be "individual" or "structural", not %(value)s.'),
                {"value": group},
            )
        )
        group = None
    esf = r.flag("esf_funded") if "esf_funded" in r.table else False
    return InsatsAttributes(
        focus=r.text("focus", required=False) or "",
        target_group=TargetGroup(group or TargetGroup.INDIVIDUAL.value),
        follow_up_method=r.text("follow_up_method", required=False) or "",
        esf_funded=bool(esf),
    )
