"""Accessibility checks for browser tests: axe-core (the copy axe-playwright-python ships,
injected into the page: nothing is fetched) run on a Playwright page, failing on any serious
or critical violation with each listed readably; and the keyboard's walk through a page
(what Tab reaches, in which order, and whether its focus can be seen).

    problems = axe_problems(page, "sales: /")      # [] when the page passes
    assert_accessible(page, "sales: /")             # fails listing the problems
    stops = tab_walk(page)                          # every Tab stop, from the top
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page

BLOCKING = ("serious", "critical")
# WCAG 2.0/2.1/2.2 A and AA and axe's best practices; only serious and critical ones fail.
OPTIONS = {
    "resultTypes": ["violations"],
    "runOnly": {"type": "tag", "values": [
        "wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice",
    ]},
}  # fmt: skip
_AXE = Axe()


def axe_problems(page: Page, where: str) -> list[str]:
    """The serious and critical violations on ``page`` as it is now, one line per element:
    ``where: [impact] rule-id: help (selector) — what to fix``."""
    results: dict[str, Any] = _AXE.run(page, options=OPTIONS).response
    lines = []
    for violation in results["violations"]:
        if violation.get("impact") not in BLOCKING:
            continue
        for node in violation["nodes"]:
            target = " ".join(str(part) for part in node.get("target", []))
            summary = (node.get("failureSummary") or "").replace("\n", " ")
            lines.append(
                f"{where}: [{violation['impact']}] {violation['id']}: {violation['help']} "
                f"({target}) — {summary} <{violation['helpUrl']}>"
            )
    return lines


def assert_accessible(page: Page, where: str) -> None:
    problems = axe_problems(page, where)
    assert not problems, "accessibility violations:\n" + "\n".join(problems)


@dataclass(frozen=True)
class Stop:
    """Where one press of Tab landed."""

    tag: str
    name: str  # its accessible name, roughly: label, text, aria-label or value
    focus_visible: bool  # an outline or a shadow drawn around it
    index: int  # its place among the page's focusable elements in document order (-1: none)


_FOCUSABLE = (
    "a[href], button:not([disabled]), input:not([type=hidden]):not([disabled]), "
    "select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex='-1'])"
)
_DESCRIBE = """(selector) => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const all = [...document.querySelectorAll(selector)].filter(
    e => e.getClientRects().length > 0 || e === el);
  const style = getComputedStyle(el);
  const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
  const shadow = style.boxShadow && style.boxShadow !== 'none';
  const label = el.labels && el.labels.length ? el.labels[0].innerText : '';
  const name = (el.getAttribute('aria-label') || label || el.innerText || el.value || '').trim();
  return {tag: el.tagName.toLowerCase(), name: name.replace(/\\s+/g, ' '),
          focus_visible: Boolean(outline || shadow), index: all.indexOf(el)};
}"""


def focusable_count(page: Page) -> int:
    """How many elements a keyboard user should reach (visible, enabled, not tabindex=-1)."""
    count: int = page.evaluate(
        "(s) => [...document.querySelectorAll(s)].filter(e => e.getClientRects().length > 0)"
        ".length",
        _FOCUSABLE,
    )
    return count


def focused(page: Page) -> Stop | None:
    found = page.evaluate(_DESCRIBE, _FOCUSABLE)
    return Stop(**found) if found else None


def tab_walk(page: Page, limit: int = 200) -> list[Stop]:
    """Press Tab from the top of the page until focus leaves it (or comes round again):
    every stop, in order."""
    # Focus a mark put before everything (out of the Tab order itself), then Tab from it.
    page.evaluate("""() => { const mark = document.createElement('span');
      mark.id = 'tab-walk-start'; mark.tabIndex = -1; document.body.prepend(mark);
      mark.focus(); }""")
    page.keyboard.press("Tab")
    page.evaluate("() => document.getElementById('tab-walk-start').remove()")
    stops: list[Stop] = []
    for _ in range(limit):
        stop = focused(page)
        if stop is None or (stops and stop == stops[0]):
            break
        stops.append(stop)
        page.keyboard.press("Tab")
    return stops
