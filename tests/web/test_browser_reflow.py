"""Reflow (WCAG 2.1 AA 1.4.10) in headless Chromium: every page of every role (the same walk
as the visible-text test) at 320 CSS px has no sideways scrolling; a data table that is wider
scrolls inside its own focusable, labelled region; a reference code never breaks inside; the
last button keeps its distance from the footer's rule; and
at 200 % text zoom no text is cut off by its box."""

from __future__ import annotations

from pprint import pformat

import pytest

from tests.web.browser import Person
from tests.web.walk import DEMO_ROLES, DOWNLOAD, demo_objects, start_paths, walk

pytestmark = pytest.mark.slow

ROLES = ["anonymous", "investigator", "osby", "coordinator", "association", "admin", "log_reviewer"]
PHONE = {"width": 320, "height": 720}

# What the page lets scroll sideways, and what a wider table sits in.
OVERFLOW = """() => {
  const width = document.documentElement.clientWidth;
  const wide = [];
  const over = el => el.getBoundingClientRect().right > width + 1
    || (el.scrollWidth > el.clientWidth + 1 && getComputedStyle(el).overflowX === "visible");
  for (const el of document.querySelectorAll("body *")) {
    const box = el.getBoundingClientRect();
    if (box.width === 0 || !over(el)) continue;
    if (el.parentElement.closest(".table-wrap")) continue;  // judged as a region below
    if ([...el.children].some(over)) continue;  // the innermost one is the cause
    const name = el.tagName.toLowerCase() + (el.className ? "." + el.className : "");
    const text = (el.textContent || "").trim().slice(0, 40);
    wide.push(name + " " + Math.round(box.right) + "px: " + text);
  }
  const regions = [...document.querySelectorAll(".table-wrap")]
    .filter(w => w.scrollWidth > w.clientWidth + 1)
    .filter(w => !(w.tabIndex === 0 && w.getAttribute("role") === "region"
                   && (w.getAttribute("aria-label") || w.getAttribute("aria-labelledby"))))
    .map(w => "unlabelled scrolling table: " + (w.textContent || "").trim().slice(0, 40));
  return {scroll: document.documentElement.scrollWidth, width, wide: wide.slice(0, 5), regions};
}"""

BROKEN_CODES = r"""() => {
  const broken = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    for (const m of node.data.matchAll(/[A-Z]+-\d{4}-\d{4,}/g)) {
      const range = document.createRange();
      range.setStart(node, m.index);
      range.setEnd(node, m.index + m[0].length);
      const tops = new Set([...range.getClientRects()].filter(r => r.width > 0)
        .map(r => Math.round(r.top)));
      if (tops.size > 1) broken.push(m[0]);
    }
  }
  return broken;
}"""

# The room between the last thing on the page and the footer's rule (a button touched it).
ROOM_ABOVE_FOOTER = """() => {
  const footer = document.querySelector("footer").getBoundingClientRect().top;
  const bottoms = [...document.querySelectorAll("main *")].map(e => e.getBoundingClientRect())
    .filter(box => box.width > 1 && box.height > 1).map(box => box.bottom);
  return Math.round(footer - Math.max(0, ...bottoms));
}"""

# Text cut by its box: an element that hides its overflow while its text does not fit.
CUT = """() => [...document.querySelectorAll("body *")].filter(el => {
  const style = getComputedStyle(el);
  if (el.closest(".visually-hidden, .table-wrap") || style.display === "none") return false;
  const hidden = value => ["hidden", "clip"].includes(value);
  const hides = hidden(style.overflowX) || hidden(style.overflowY);
  return hides && (el.scrollWidth > el.clientWidth + 1 || el.scrollHeight > el.clientHeight + 1);
}).map(el => el.tagName.toLowerCase() + ": " + (el.textContent || "").trim().slice(0, 40))
  .slice(0, 5)"""


@pytest.fixture(scope="module")
def objects(site):
    return site.read(demo_objects)


@pytest.mark.parametrize("role", ROLES)
def test_every_page_reflows_at_320_px(browser, site, objects, role):
    person = Person(browser, site, DEMO_ROLES.get(role))
    try:
        page = person.page
        page.set_viewport_size(PHONE)

        def get(path: str) -> tuple[int, str]:
            answer = person.context.request.get(site.url + path)
            return answer.status, answer.text()

        start = [p for p in start_paths(role, objects) if not DOWNLOAD.search(p)]
        paths = list(walk(get, start, per_shape=1))  # a layout is the same for every code
        faults: dict[str, object] = {}
        for path in paths:
            person.go(path)
            found = page.evaluate(OVERFLOW)
            broken = page.evaluate(BROKEN_CODES)
            room = page.evaluate(ROOM_ABOVE_FOOTER)
            if found["scroll"] > found["width"] or found["regions"] or broken or room < 24:
                faults[path] = {**found, "broken codes": broken, "room above the footer": room}
        assert len(paths) > 10
        assert faults == {}, pformat(faults, width=120)
    finally:
        person.close()


@pytest.mark.parametrize("role", ["osby", "coordinator"])
def test_text_at_200_percent_is_not_cut(browser, site, objects, role):
    """Text zoomed to 200 % (the root font size doubled, as a browser's text-only zoom does)
    at a desk's width: nothing is cut off by a box that hides what does not fit."""
    person = Person(browser, site, DEMO_ROLES[role])
    try:
        page = person.page
        page.set_viewport_size({"width": 1280, "height": 800})
        paths = [p for p in start_paths(role, objects) if not DOWNLOAD.search(p)][:12]
        cut: dict[str, list[str]] = {}
        for path in paths:
            person.go(path)
            # Through the CSSOM: the Content-Security-Policy refuses a style element.
            page.evaluate("() => { document.documentElement.style.fontSize = '200%'; }")
            found = page.evaluate(CUT)
            if found:
                cut[path] = found
        assert cut == {}, pformat(cut, width=120)
    finally:
        person.close()


def test_the_reflow_check_notices_a_page_too_wide_and_a_broken_code(browser, site):
    """It can fail: a fixed-width box and a code squeezed into a narrow cell are both found."""
    person = Person(browser, site, None)
    try:
        page = person.page
        page.set_viewport_size(PHONE)
        person.go("/logga-in")
        # Built through the CSSOM: the Content-Security-Policy refuses style attributes.
        page.evaluate(
            """() => {
              const main = document.querySelector("main");
              const wide = document.createElement("div");
              wide.textContent = "Vad";
              wide.style.width = "495px";
              const narrow = document.createElement("p");
              narrow.textContent = "MM-2026-0035";
              narrow.style.width = "4.5em";
              narrow.style.wordBreak = "break-all";
              main.append(wide, narrow);
            }"""
        )
        found = page.evaluate(OVERFLOW)
        assert found["scroll"] > found["width"] == 320
        assert page.evaluate(BROKEN_CODES) == ["MM-2026-0035"]
    finally:
        person.close()
