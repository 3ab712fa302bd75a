"""Keeping the Swedish catalogue in step with the code: extract, update, compile, check.

    python -m locales.catalogue update    # new msgids from the code into messages.po
    python -m locales.catalogue compile   # messages.po -> messages.mo
    python -m locales.catalogue check     # what is untranslated, fuzzy or not compiled

(`make messages` and `make translations` run the first two.) The test suite runs `check`.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "locales" / "sv" / "LC_MESSAGES" / "messages.po"
MO = PO.with_suffix(".mo")
SOURCES = (
    "domain",
    "storage",
    "services",
    "notices",
    "transports",
    "digest",
    "web",
    "bot",
    "cli",
    "locales",
    "reports",
    "programs",
)
# N_ marks a msgid without translating it; Nn_ marks a singular/plural pair.
KEYWORDS = {**DEFAULT_KEYWORDS, "N_": None, "Nn_": (1, 2), "_l": None}


def extract() -> Catalog:
    with open(ROOT / "babel.cfg", encoding="utf-8") as config:
        method_map, options_map = parse_mapping_cfg(config)
    template = Catalog(locale=None)
    for source in SOURCES:
        for _file, _line, message, comments, context in extract_from_dir(
            ROOT / source, method_map, options_map, keywords=KEYWORDS
        ):
            template.add(message, None, auto_comments=comments, context=context)
    for message in nested_messages():
        if message not in template:
            template.add(message, None)
    return template


def nested_messages() -> list[str | tuple[str, str]]:
    """Msgids in every translating call of the Python code, read from the syntax tree.

    Babel's extractor skips a call nested in the arguments of another one, such as a link
    label inside a sentence: `_("… %(link)s", link=link(url, _("Link my account")))`."""
    found: list[str | tuple[str, str]] = []
    for source in SOURCES:
        for path in sorted((ROOT / source).rglob("*.py")):
            found += messages_in(path.read_text(encoding="utf-8"))
    return found


def messages_in(code: str) -> list[str | tuple[str, str]]:
    """The msgids (singular, or singular and plural) of every translating call in `code`."""
    found: list[str | tuple[str, str]] = []
    for node in ast.walk(ast.parse(code)):
        if not isinstance(node, ast.Call):
            continue
        name = getattr(node.func, "id", getattr(node.func, "attr", None))
        spec = KEYWORDS.get(name or "", False)
        if spec not in (None, (1, 2)):  # not a call whose first argument is a msgid
            continue
        count = 1 if spec is None else 2
        values = [
            a.value
            for a in node.args[:count]
            if isinstance(a, ast.Constant) and isinstance(a.value, str)
        ]
        if len(values) == count:
            found.append(values[0] if count == 1 else (values[0], values[1]))
    return found


def read_catalogue() -> Catalog:
    with open(PO, "rb") as po:
        return read_po(po, locale="sv")


def update() -> list[str]:
    """Adds new msgids, drops those no longer in the code; returns what needs translating."""
    catalogue = read_catalogue()
    catalogue.update(extract(), no_fuzzy_matching=True)
    catalogue.obsolete.clear()
    write_catalogue(catalogue)
    return untranslated(catalogue)


def write_catalogue(catalogue: Catalog) -> None:
    catalogue.project, catalogue.version = "Möjlighetsmodellen", "1"
    with open(PO, "wb") as po:
        write_po(po, catalogue, width=100, no_location=True, sort_output=True)


def compile_catalogue() -> None:
    with open(MO, "wb") as mo:
        write_mo(mo, read_catalogue(), use_fuzzy=False)


def _key(message_id: str | tuple[str, ...] | list[str]) -> str:
    return message_id if isinstance(message_id, str) else message_id[0]


def _strings(string: str | tuple[str, ...] | list[str] | None) -> tuple[str, ...]:
    if string is None:
        return ("",)
    return (string,) if isinstance(string, str) else tuple(string)


def untranslated(catalogue: Catalog) -> list[str]:
    found = []
    for message in catalogue:
        if not message.id:
            continue
        if message.fuzzy or not all(_strings(message.string)):
            found.append(_key(message.id))
    return found


def problems() -> list[str]:
    """Every way in which the catalogue is behind the code, as lines to print."""
    catalogue = read_catalogue()
    lines = [f"untranslated or fuzzy: {m!r}" for m in untranslated(catalogue)]
    known = {_key(m.id) for m in catalogue if m.id}
    lines += [
        f"not in messages.po: {_key(m.id)!r}" for m in extract() if m.id and _key(m.id) not in known
    ]
    with open(MO, "rb") as mo:
        compiled = {_key(m.id): _strings(m.string) for m in read_mo(mo) if m.id}
    current = {_key(m.id): _strings(m.string) for m in catalogue if m.id}
    if compiled != current:
        lines.append("messages.mo is older than messages.po: run make translations")
    return lines


def main(argv: list[str]) -> int:
    action = argv[1] if len(argv) > 1 else "check"
    if action == "update":
        for message in update():
            print(f"translate: {message!r}")
        return 0
    if action == "compile":
        compile_catalogue()
        return 0
    found = problems()
    print("\n".join(found) or "The Swedish catalogue is complete and compiled.")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
