"""Every user-visible sentence is a whole English msgid, translated in locales/sv/."""

from __future__ import annotations

import ast
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from domain.money import Money
from locales import format_date, format_money, format_number, format_percent, gettext, ngettext
from locales.catalogue import ROOT, SOURCES, problems

TRANSLATING_CALLS = {"_", "gettext", "ngettext", "N_", "Nn_", "_l", "lazy_gettext"}


def test_the_catalogue_is_complete_and_compiled():
    assert problems() == []


def _python_sources() -> list[Path]:
    return [p for source in SOURCES for p in (ROOT / source).rglob("*.py")]


def _built_at_run_time(node: ast.expr) -> bool:
    """An f-string, a concatenation or %-formatting, or a .format() call."""
    if isinstance(node, ast.JoinedStr | ast.BinOp):
        return True
    return isinstance(node, ast.Call) and getattr(node.func, "attr", None) == "format"


def _calls(names: set[str]):
    for path in _python_sources():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and node.args:
                name = getattr(node.func, "id", getattr(node.func, "attr", None))
                if name in names:
                    yield f"{path.relative_to(ROOT)}:{node.lineno}", name, node


def test_msgids_are_never_built_at_run_time():
    """No f-string inside _(), no glued fragments: whole sentences, named placeholders."""
    offenders = [
        where
        for where, name, node in _calls(TRANSLATING_CALLS)
        if any(_built_at_run_time(a) for a in node.args[: 2 if name in {"ngettext", "Nn_"} else 1])
    ]
    assert offenders == []


def test_markers_take_literal_strings_only():
    offenders = [
        where
        for where, name, node in _calls({"N_", "Nn_"})
        if not all(isinstance(a, ast.Constant) and isinstance(a.value, str) for a in node.args)
    ]
    assert offenders == []


def test_domain_errors_carry_marked_msgids():
    """`raise RuleViolation("...")` without N_ would never reach the catalogue."""
    offenders = [
        where
        for where, _name, node in _calls({"DomainError", "RuleViolation", "NotFound", "NotAllowed"})
        if isinstance(node.args[0], ast.Constant) or _built_at_run_time(node.args[0])
    ]
    assert offenders == []


def test_money_and_dates_are_written_the_swedish_way():
    assert format_money(Money.kronor(1_790_000)) == "1\xa0790\xa0000\xa0kr"
    assert format_money(Money.kronor("206.40")) == "206,40\xa0kr"
    assert format_date(date(2026, 11, 22)) == "22 nov. 2026"
    assert format_number(Decimal("34.96"), 1) == "35,0"
    assert format_percent(Decimal("0.4")) == "40\xa0%"
    # A typographic minus sign (U+2212), never a hyphen that reads as a dash.
    assert format_money(Money.kronor(-846_117)) == "\u2212846\xa0117\xa0kr"
    assert format_percent(Decimal("-0.686"), 1) == "\u221268,6\xa0%"
    assert format_number(Decimal("-2.5"), 1) == "\u22122,5"


@pytest.mark.parametrize(("free", "swedish"), [(1, "ledig plats"), (3, "lediga platser")])
def test_plurals_follow_swedish_rules(free, swedish):
    assert swedish in ngettext(
        "In total: %(num)d free place.", "In total: %(num)d free places.", free
    )


def test_placeholders_are_filled_after_translation():
    assert gettext("Budget: %(amount)s", amount=Money.kronor(1_345_000)) == (
        "Budgetram: 1\xa0345\xa0000\xa0kr"
    )


# Block Kit helpers whose text arguments a Slack user reads.
BLOCK_TEXT_CALLS = {"plain", "mrkdwn", "header", "section", "context", "button", "link", "say"}


def _english_literal(node: ast.expr) -> bool:
    """A string constant with words in it: a sentence that bypassed the catalogue."""
    return (
        isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and any(ch.isalpha() for ch in node.value)
    )


def test_chat_texts_come_from_the_catalogue():
    """A label, heading or modal text written as a literal would reach Slack in English."""
    offenders = []
    for path in (ROOT / "bot").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", getattr(node.func, "attr", None))
            if name not in BLOCK_TEXT_CALLS:
                continue
            # link(url, label), button(text, action_id, value): only the words count.
            texts = (
                node.args[1:2]
                if name == "link"
                else node.args[:1]
                if name == "button"
                else node.args
            )
            offenders += [
                f"{path.relative_to(ROOT)}:{node.lineno}" for a in texts if _english_literal(a)
            ]
    assert offenders == []


def test_a_nested_msgid_is_extracted_too():
    """Babel skips `_()` inside another `_()`'s arguments; the catalogue's own pass does not."""
    from locales.catalogue import messages_in

    code = 'say(_("Open it: %(link)s", link=link(url, _("Link my account"))))\n'
    code += 'ngettext("%(num)d place", "%(num)d places", n)\n'
    assert sorted(messages_in(code), key=str) == sorted(
        ["Open it: %(link)s", "Link my account", ("%(num)d place", "%(num)d places")], key=str
    )
