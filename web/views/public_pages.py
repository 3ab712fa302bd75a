"""/tillganglighet and /personuppgifter: the accessibility statement and how personal data is
processed, readable without logging in; their texts come from the program settings file."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template

from services.program_setup import current_program
from web import runtime

blueprint = Blueprint("public_pages", __name__)


def _blocks(text: str) -> list[tuple[str, list[str]]]:
    """Plain text as paragraphs and lists: a blank line between blocks, "- " for items.
    A one-line block followed by more text is a heading."""
    blocks: list[tuple[str, list[str]]] = []
    for chunk in (text or "").strip().split("\n\n"):
        lines = [line.strip() for line in chunk.strip().splitlines() if line.strip()]
        if not lines:
            continue
        if all(line.startswith("- ") for line in lines):
            blocks.append(("list", [line[2:] for line in lines]))
            continue
        if len(lines) > 1 and len(lines[0]) < 80 and not lines[0].endswith("."):
            blocks.append(("heading", [lines[0]]))
            lines = lines[1:]
        items = [line[2:] for line in lines if line.startswith("- ")]
        prose = [line for line in lines if not line.startswith("- ")]
        if prose:
            blocks.append(("paragraph", [" ".join(prose)]))
        if items:
            blocks.append(("list", items))
    return blocks


def _page(template: str, field: str) -> Any:
    with runtime.transaction(read_only=True) as session:
        program = current_program(session)
        text = getattr(program, field)
    return render_template(template, blocks=_blocks(text), plain_text=text)


@blueprint.get("/tillganglighet")
def accessibility() -> Any:
    return _page("public/accessibility.html", "accessibility_statement")


@blueprint.get("/personuppgifter")
def privacy() -> Any:
    return _page("public/privacy.html", "privacy_notice")
