"""Uppföljning Finsam's sheet and the words of its fields, in the national screens' order
(domain.finsam): the association, the insats, its participants by gender; and how a field's
stored value reads (on the page, in the sheet and in the diff against the last report)."""

from __future__ import annotations

from collections.abc import Sequence

from domain.finsam import (
    ASSOCIATION_FIELDS,
    GENDER_LABELS,
    INSATS_FIELDS,
    MONEY_FIELDS,
    TARGET_GROUP_LABELS,
    FieldValue,
    FinsamFigures,
    Gender,
    TargetGroup,
    national_fields,
)
from domain.money import Money
from locales import gettext as _
from reports.sheets import Cell, Sheet, Table


def field_cell(key: str, value: FieldValue) -> Cell:
    """A stored value as the screens show it: kronor, yes/no, the target group's words."""
    if value is None:
        return _("Not entered")
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if key in MONEY_FIELDS and isinstance(value, int):
        return Money(value)
    if key == "target_group":
        return _(TARGET_GROUP_LABELS[TargetGroup(str(value))])
    return value


def field_rows(figures: FinsamFigures, labels: dict[str, str]) -> list[Sequence[Cell]]:
    return [
        [_(labels[key]), field_cell(key, value)]
        for key, value in national_fields(figures)
        if key in labels
    ]


def finsam_sheet(figures: FinsamFigures) -> Sheet:
    genders = [Gender.WOMEN, Gender.MEN, Gender.UNKNOWN]
    people = Table(
        headers=[_("Participants"), *[_(GENDER_LABELS[g]) for g in genders], _("Total")],
        rows=[
            [label, *[group.count(g) for g in genders], group.total]
            for label, group in (
                (_("Active in the period"), figures.active),
                (_("New in the period"), figures.new),
                (_("Ended in the period"), figures.ended),
            )
        ],
    )
    field = [_("Field"), _("Value")]
    return Sheet(
        title=_("Uppföljning Finsam"),
        heading=_(
            "Underlag for Uppföljning Finsam, %(first)s – %(last)s",
            first=figures.first,
            last=figures.last,
        ),
        tables=[
            (_("The association"), Table(field, field_rows(figures, ASSOCIATION_FIELDS))),
            (_("The insats"), Table(field, field_rows(figures, INSATS_FIELDS))),
            (_("Participants by gender"), people),
        ],
        notes=[
            _(
                "Reported on %(date)s; the figures are stored as they were then.",
                date=figures.reported_at,
            )
            if figures.reported_at
            else _("Computed now, not yet reported.")
        ],
    )
