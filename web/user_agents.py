"""A login's browser as people say it ("Chrome på Linux"), from the User-Agent header it
was made with. Only the names are read; the raw header stays in the database for the log
reviewer, and is never shown whole (it reads as noise and wraps a table off a phone)."""

from __future__ import annotations

import re

import locales

# Order matters: Edge and Opera also say Chrome, Chrome also says Safari.
BROWSERS = (
    ("Edge", re.compile(r"\bEdg(e|A|iOS)?/")),
    ("Opera", re.compile(r"\bOPR/|\bOpera\b")),
    ("Samsung Internet", re.compile(r"\bSamsungBrowser/")),
    ("Firefox", re.compile(r"\bFirefox/|\bFxiOS/")),
    ("Chrome", re.compile(r"\b(Headless)?Chrome/|\bCriOS/|\bChromium/")),
    ("Safari", re.compile(r"\bVersion/[\d.]+.*\bSafari/")),
)
SYSTEMS = (
    ("iOS", re.compile(r"\biPhone|\biPad|\biPod")),
    ("Android", re.compile(r"\bAndroid\b")),
    ("Windows", re.compile(r"\bWindows\b")),
    ("ChromeOS", re.compile(r"\bCrOS\b")),
    ("macOS", re.compile(r"\bMac OS X\b|\bMacintosh\b")),
    ("Linux", re.compile(r"\bLinux\b|\bX11\b")),
)
# The names this module may show: product names, the same in every language.
NAMES = frozenset(name for name, _pattern in BROWSERS + SYSTEMS)


def _first(found: tuple[tuple[str, re.Pattern[str]], ...], agent: str) -> str | None:
    return next((name for name, pattern in found if pattern.search(agent)), None)


def describe(agent: str | None) -> str:
    """ "Chrome på Linux", "Firefox", "Okänd webbläsare på Windows", or "Okänd webbläsare"."""
    agent = agent or ""
    browser, system = _first(BROWSERS, agent), _first(SYSTEMS, agent)
    if browser and system:
        return locales.gettext("%(browser)s on %(system)s", browser=browser, system=system)
    if system:
        return locales.gettext("An unknown browser on %(system)s", system=system)
    return browser or locales.gettext("An unknown browser")
