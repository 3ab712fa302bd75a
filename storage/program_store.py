"""The program as stored: rows <-> `domain.program.Program`, and the compensable-day index."""

from __future__ import annotations

import secrets
from typing import Any, cast

from sqlalchemy import bindparam, delete, insert, select
from sqlalchemy.orm import Session

from domain.calendar import day_index
from domain.documentation import DEFAULT_TEMPLATE, DocumentTemplate, TemplateSection
from domain.finsam import InsatsAttributes, TargetGroup
from domain.money import Money
from domain.program import PROGRAM_SCALARS, OtherCost, Phase, Program, ProgramYear
from storage import figures
from storage.models import CompensableDayRow, PhaseRow, ProgramRow, ProgramYearRow


def program_row(session: Session) -> ProgramRow | None:
    return session.scalars(select(ProgramRow)).first()


# Built once: every page and chat answer reads the program, and building a statement costs
# more than running it.
_PROGRAM = select(
    ProgramRow.__table__.c.id,
    *(ProgramRow.__table__.c[name] for name in PROGRAM_SCALARS),
    ProgramRow.__table__.c.documentation,
    ProgramRow.__table__.c.finsam,
).limit(1)
_PHASES = (
    select(*(PhaseRow.__table__.c[n] for n in ("key", "name", "start", "end")))
    .where(PhaseRow.__table__.c.program_id == bindparam("program_id"))
    .order_by(PhaseRow.__table__.c.start)
)
_YEARS = (
    select(
        *(
            ProgramYearRow.__table__.c[n]
            for n in (
                "year",
                "budget_ore",
                "daily_rate_ore",
                "rate_confirmed",
                "other_costs",
                "participants",
            )
        )
    )
    .where(ProgramYearRow.__table__.c.program_id == bindparam("program_id"))
    .order_by(ProgramYearRow.__table__.c.year)
)


_REVISION = select(ProgramRow.__table__.c.revision).limit(1)


# revision -> the program as read at that revision (a few, for tests with many databases).
_read: dict[str, Program] = {}


# The program as read in the session's current transaction: a page asks for it from several
# use cases, and it cannot change under a transaction except through this module.
_IN_TRANSACTION = "mm.program"


def read_program(session: Session) -> Program | None:
    """The program as stored: read once per transaction; one small query when this process
    has read the same revision before, three otherwise."""
    transaction = session.get_transaction()
    cached = session.info.get(_IN_TRANSACTION)
    if transaction is not None and cached is not None and cached[0] is transaction:
        return cast(Program, cached[1])
    program = _at_revision(session)
    session.info[_IN_TRANSACTION] = (session.get_transaction(), program)
    return program


def _at_revision(session: Session) -> Program | None:
    revision = session.execute(_REVISION).scalar()
    if revision is None:
        return None
    if revision in _read:
        return _read[revision]
    program = _read_rows(session)
    if program is not None:
        if len(_read) > 16:
            _read.clear()
        _read[revision] = program
    return program


def mark_changed(session: Session) -> None:
    """Every change of the program or its years gives it a new revision."""
    session.info.pop(_IN_TRANSACTION, None)
    row = program_row(session)
    if row is not None:
        row.revision = secrets.token_hex(16)


def _read_rows(session: Session) -> Program | None:
    row = session.execute(_PROGRAM).first()
    if row is None:
        return None
    phases = session.execute(_PHASES, {"program_id": row.id})
    years = session.execute(_YEARS, {"program_id": row.id})
    return Program(
        **{name: getattr(row, name) for name in PROGRAM_SCALARS},
        phases=tuple(Phase(*p) for p in phases),
        years=tuple(
            ProgramYear(
                y.year,
                Money(y.budget_ore),
                Money(y.daily_rate_ore),
                y.rate_confirmed,
                tuple(OtherCost(c["label"], Money(c["amount_ore"])) for c in y.other_costs),
                y.participants,
            )
            for y in years
        ),
        documentation=_template(row.documentation),
        finsam=_finsam(row.finsam),
    )


def _finsam(stored: dict[str, Any] | None) -> InsatsAttributes:
    if not stored:
        return InsatsAttributes()
    return InsatsAttributes(
        focus=stored["focus"],
        target_group=TargetGroup(stored["target_group"]),
        follow_up_method=stored["follow_up_method"],
        esf_funded=stored["esf_funded"],
    )


def _template(stored: dict[str, Any] | None) -> DocumentTemplate:
    if not stored:
        return DEFAULT_TEMPLATE
    return DocumentTemplate(
        **{
            kind: tuple(TemplateSection(s["key"], s["heading"], s.get("help", "")) for s in parts)
            for kind, parts in stored.items()
        }
    )


def _stored(template: DocumentTemplate) -> dict[str, Any] | None:
    if template == DEFAULT_TEMPLATE:
        return None
    return {
        "plan": [vars(s) for s in template.plan],
        "final_report": [vars(s) for s in template.final_report],
    }


def write_program(session: Session, program: Program, row: ProgramRow | None) -> ProgramRow:
    """Creates or overwrites the program's rows. Years keep a rate confirmed in the database
    when the file still marks it unconfirmed: the file is the starting point, not a reset."""
    session.info.pop(_IN_TRANSACTION, None)
    if row is None:
        row = ProgramRow()
        session.add(row)
    day_rule_changed = row.day_rule != program.day_rule or (row.start, row.end) != (
        program.start,
        program.end,
    )
    for name in PROGRAM_SCALARS:
        setattr(row, name, getattr(program, name))
    row.documentation = _stored(program.documentation)
    row.finsam = {**vars(program.finsam), "target_group": program.finsam.target_group.value}
    row.phases = [
        PhaseRow(key=p.key, name=p.name, start=p.start, end=p.end) for p in program.phases
    ]
    existing = {y.year: y for y in row.years}
    years = []
    for year in program.years:
        year_row = existing.get(year.year) or ProgramYearRow(year=year.year)
        keep_confirmed = year_row.rate_confirmed and not year.rate_confirmed
        if not keep_confirmed:
            year_row.daily_rate_ore = year.daily_rate.ore
            year_row.rate_confirmed = year.rate_confirmed
        year_row.budget_ore = year.budget.ore
        year_row.participants = year.participants
        year_row.other_costs = [
            {"label": c.label, "amount_ore": c.amount.ore} for c in year.other_costs
        ]
        years.append(year_row)
    row.years = years
    row.revision = secrets.token_hex(16)
    session.flush()
    if day_rule_changed or session.scalar(select(CompensableDayRow.day).limit(1)) is None:
        rebuild_day_index(session, program)
    return row


def rebuild_day_index(session: Session, program: Program) -> None:
    session.execute(delete(CompensableDayRow))
    rows = [
        {"day": r.day, "before": r.before, "through": r.through}
        for r in day_index(program.day_rule, program.start, program.end)
    ]
    session.execute(insert(CompensableDayRow), rows)
    # The running totals are counted over the index's days: recount them.
    figures.rebuild(session)
