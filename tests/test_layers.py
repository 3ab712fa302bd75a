"""The folders say what the code is: every import runs down the layers, and none runs in a
circle. Read from the source (AST), like the translation checks, so nothing is imported.

    adapters   web, bot, cli          may import everything below
    digest     the daily digest       domain, storage, notices, services, locales, transports
    transports Slack, Matrix, e-mail, domain, storage, notices, services, locales
               webhooks, the outbox's
               delivering half
    services   use cases              domain, storage, notices
    notices    what events notify     domain, storage, locales (whole Swedish sentences)
    storage    models, queries        domain
    locales    Swedish text           domain
    domain     pure rules             only itself (and no database or framework library)
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = (
    "domain",
    "storage",
    "notices",
    "services",
    "locales",
    "reports",
    "programs",
    "transports",
    "digest",
    "web",
    "bot",
    "cli",
)
MAY_IMPORT = {
    "programs": set(),
    "domain": {"domain"},
    "storage": {"domain", "storage"},
    # A notice is written in whole Swedish sentences (locales imports only domain).
    "notices": {"domain", "storage", "locales", "notices"},
    "locales": {"domain", "locales"},
    "reports": {"domain", "locales", "reports"},
    "services": {"domain", "storage", "notices", "services"},
    # The transports send what the notices and the bot queue: never the chat bot, a page, or
    # a command (the web site sends notices without installing the chat bot).
    "transports": {"domain", "storage", "notices", "services", "locales", "transports"},
    # The daily digest plans and writes the day's messages and queues them for the transports.
    "digest": {"domain", "storage", "notices", "services", "locales", "transports", "digest"},
    "web": set(PACKAGES),
    "bot": set(PACKAGES),
    "cli": set(PACKAGES),
}
# Libraries that make code impure: the domain may not use them.
FRAMEWORKS = {"sqlalchemy", "alembic", "flask", "flask_login", "flask_wtf", "flask_babel"}
FRAMEWORKS |= {"wtforms", "slack_bolt", "slack_sdk", "click", "apscheduler", "psycopg"}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path) -> Iterator[tuple[str, int, bool]]:
    """(imported module, line, at module level) for every import in the file."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    top_level = {id(node) for node in tree.body}
    package = _module_name(path).rsplit(".", 1)[0] if path.name != "__init__.py" else None
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno, id(node) in top_level
        elif isinstance(node, ast.ImportFrom):
            if node.level and package:  # relative import
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1])
                name = f"{base}.{node.module}" if node.module else base
            else:
                name = node.module or ""
            yield name, node.lineno, id(node) in top_level
            for alias in node.names:  # `from services import referrals` imports a module
                yield f"{name}.{alias.name}", node.lineno, id(node) in top_level


def _sources() -> list[Path]:
    return sorted(p for package in PACKAGES for p in (ROOT / package).rglob("*.py"))


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in _sources()}


def _upwards(layer: str, imported: str) -> bool:
    target = imported.split(".")[0]
    return target in PACKAGES and target not in MAY_IMPORT[layer]


def test_imports_run_down_the_layers():
    wrong = [
        f"{path.relative_to(ROOT)}:{line} imports {name}"
        for path in _sources()
        for name, line, _top in _imports(path)
        if _upwards(path.relative_to(ROOT).parts[0], name)
    ]
    assert wrong == []


@pytest.mark.parametrize(
    ("layer", "imported", "upwards"),
    [
        ("domain", "storage.models", True),
        ("domain", "services.referrals", True),
        ("storage", "services.reports", True),
        ("services", "web.runtime", True),
        ("locales", "storage.db", True),
        ("services", "storage.models", False),
        ("web", "services.referrals", False),
        ("transports", "bot.home", True),
        ("transports", "web.runtime", True),
        ("transports", "cli.runtime", True),
        ("transports", "notices.message", False),
        ("digest", "bot.runtime", True),
        ("bot", "transports.delivery", False),
        ("domain", "dateutil.relativedelta", False),
    ],
)
def test_an_arrow_upwards_is_recognised(layer, imported, upwards):
    assert _upwards(layer, imported) is upwards


def test_the_domain_uses_no_database_web_or_chat_library():
    wrong = [
        f"{path.relative_to(ROOT)}:{line} imports {name}"
        for path in (ROOT / "domain").rglob("*.py")
        for name, line, _top in _imports(path)
        if name.split(".")[0] in FRAMEWORKS
    ]
    assert wrong == []


# Spreadsheets are written in reports/ (reports.sheets): locales/ keeps the catalogue and
# Swedish formatting, never a spreadsheet layout or writer.
SPREADSHEET_LIBRARIES = {"openpyxl", "csv"}


def test_no_spreadsheet_is_written_under_locales():
    wrong = [
        f"{path.relative_to(ROOT)}:{line} imports {name}"
        for path in (ROOT / "locales").rglob("*.py")
        for name, line, _top in _imports(path)
        if name.split(".")[0] in SPREADSHEET_LIBRARIES
    ]
    assert wrong == []


def _graph() -> dict[str, set[str]]:
    """Module -> the project modules it imports at module level (a late import inside a
    function runs when called, not when loaded, so it cannot make a circle on import)."""
    modules = _modules()
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        for imported, _line, top in _imports(path):
            if top and imported in modules and imported != name:
                graph[name].add(imported)
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_two_modules_import_each_other_in_a_circle():
    assert _cycles(_graph()) == []


@pytest.mark.parametrize(
    ("graph", "expected"),
    [
        ({"a": {"b"}, "b": {"a"}}, [["a", "b"]]),
        ({"a": {"b"}, "b": {"c"}, "c": set()}, []),
        ({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}, [["a", "b", "c"]]),
    ],
)
def test_the_circle_finder_finds_circles(graph, expected):
    assert _cycles(graph) == expected


# What sends a message over the wire: only the transports (transports/, and the chat bot's
# own listeners in bot/) may use it.
TRANSPORT_LIBRARIES = {"slack_sdk", "slack_bolt", "nio", "smtplib", "requests", "urllib"}
TRANSPORT_LIBRARIES |= {"standardwebhooks", "http", "email"}
# Each transport renders the neutral message (notices.message) itself: none through another.
TRANSPORTS = {"transports.slack", "transports.matrix", "transports.mail"}


def test_the_notices_queue_and_render_nothing_for_a_transport():
    wrong = [
        f"{path.relative_to(ROOT)}:{line} imports {name}"
        for path in (ROOT / "notices").rglob("*.py")
        for name, line, _top in _imports(path)
        if name.split(".")[0] in TRANSPORT_LIBRARIES
    ]
    assert wrong == []


def test_no_transport_renders_through_another():
    wrong = [
        f"{name} imports {imported}"
        for name, path in _modules().items()
        for transport in TRANSPORTS
        if name == transport or name.startswith(f"{transport}.")
        for imported, _line, _top in _imports(path)
        for other in TRANSPORTS - {transport}
        if imported == other or imported.startswith(f"{other}.")
    ]
    assert wrong == []
