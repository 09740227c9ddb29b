"""Benchmark: the web app (issue 20) against a real ``offerwright serve`` (SQLite, as
deployed), each figure against the issue's target:

- each page's server time: the wall time of its request from a signed-in client on the
  same machine (loopback: the server's work plus a little of the client's and the
  socket's), p50 and p95 over many requests after a warm-up;
- an options click in headless Chromium (Debian's, through Playwright): from the click on an
  "Include" or "Undo" control to the frame that paints the swapped region (measured in the
  page: a capturing click listener, a MutationObserver and the next animation frame),
  alternating include and undo so every click starts from a comparable state.

    .venv/bin/python -m benchmarks.web [--requests 30] [--clicks 30]
"""

from __future__ import annotations

import argparse
import os
import re
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
from playwright.sync_api import Page, sync_playwright
from sqlalchemy import update

from app.cli import DEMO_REQUEST
from app.kit.database import Database
from app.models import Proposal
from app.web.selling import views
from benchmarks.report import machine, today, write_section
from tests.support.browser import ARGS, CHROMIUM
from tests.support.served import PASSWORD, Served, served

DEMO = views.query(views.needs_of(DEMO_REQUEST))
OVER_THE_LIMIT = "15"  # sales may give 10 %: such a proposal waits for an approver
PAGE_TARGET, CLICK_TARGET = 0.050, 0.150
WARM_UP = 3
SIGN_IN_NOTE = (
    "The sign-in post is a password check with Argon2id at m=64 MiB, t=3, p=4 "
    "(app/auth/users.py): slow by design, about 0.45 s alone on this loaded machine, so "
    "it cannot meet a page's 50 ms; the sign-in page itself is the page figure."
)
HTMX = {"HX-Request": "true", "HX-Target": "components", "HX-Current-URL": "/configure/options"}
# In the page: when a click starts (capturing, before htmx sees it), when #components is
# another element (htmx swapped it, outerHTML), and the animation frame that paints it.
OBSERVE = """() => {
  window.__bench = {t0: null, swapped: null, painted: null};
  document.addEventListener('click', () => {
    window.__bench = {t0: performance.now(), swapped: null, painted: null,
                      old: document.getElementById('components')};
  }, true);
  new MutationObserver(() => {
    const b = window.__bench;
    if (b.t0 === null || b.swapped !== null) return;
    const now = document.getElementById('components');
    if (now === null || now === b.old) return;
    b.swapped = performance.now();
    requestAnimationFrame(() => { b.painted = performance.now(); });
  }).observe(document.body, {childList: true, subtree: true});
}"""


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def _row(what: str, values: list[float], target: float) -> str:
    p50, p95 = _percentile(values, 0.5), _percentile(values, 0.95)
    verdict = "met" if p50 <= target else "**missed**"
    return (f"| {what} | {p50 * 1000:,.1f} ms | {p95 * 1000:,.1f} ms | {len(values)} | "
            f"p50 ≤ {target * 1000:.0f} ms: {verdict} |")  # fmt: skip


def _csrf(html: str) -> str:
    found = re.search(r'name="csrftoken" value="([^"]+)"', html)
    assert found, "no CSRF field on the page"
    return found.group(1)


def _sign_in(client: httpx.Client, role: str) -> httpx.Response:
    token = _csrf(client.get("/sign-in").text)
    answer = client.post("/sign-in", data={
        "email": f"{role}@served.example", "password": PASSWORD, "next": "/",
        "csrftoken": token,
    })  # fmt: skip
    assert answer.status_code == 303, (answer.status_code, answer.text[:300])
    return answer


@contextmanager
def _person(server: Served, role: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=120, follow_redirects=False) as client:
        _sign_in(client, role)
        yield client


def _times(action: Callable[[], httpx.Response], requests: int, expect: str = "") -> list[float]:
    """Wall seconds of ``requests`` requests, after a warm-up; each must answer 200 (and hold
    ``expect``)."""
    measured = []
    for number in range(WARM_UP + requests):
        started = time.perf_counter()
        answer = action()
        elapsed = time.perf_counter() - started
        assert answer.status_code == 200, (answer.status_code, answer.text[:300])
        assert expect in answer.text, f"{expect!r} not in the answer"
        if number >= WARM_UP:
            measured.append(elapsed)
    return measured


class Proposals:
    """Proposals made through the API with the sales key, then handed to the web user
    ``sales@served.example`` (a proposal is its author's, and a key's name is no e-mail)."""

    def __init__(self, server: Served, database: Database) -> None:
        self.server, self.database = server, database
        self.api = httpx.Client(base_url=server.url, timeout=120, headers=server.headers("sales"))

    def create(self, *, waiting: bool = False, revised: bool = False) -> dict[str, Any]:
        body = {"customer": {"name": "Benchmark Logistics GmbH", "country": "DE"},
                "request": DEMO_REQUEST, "discount_percent": OVER_THE_LIMIT}  # fmt: skip
        created = self.api.post("/v1/proposals", json=body)
        assert created.status_code == 201, created.text
        proposal: dict[str, Any] = created.json()
        if waiting:
            moved = self.api.post(f"/v1/proposals/{proposal['id']}/transition",
                                  json={"to": "submitted"},
                                  headers={"If-Match": created.headers["etag"]})  # fmt: skip
            assert moved.status_code == 200 and moved.json()["status"] == "pending_approval", (
                moved.text
            )
        if revised:  # by its maker, before it is handed over
            self._revise(proposal)
        with self.database.transaction(write=True) as session:
            session.execute(update(Proposal).where(Proposal.id == proposal["id"])
                            .values(author="sales@served.example"))  # fmt: skip
        return proposal

    def _revise(self, proposal: dict[str, Any]) -> None:
        request = {**DEMO_REQUEST, "needs": [{**need, "quantity": need["quantity"] + 5}
                                             for need in DEMO_REQUEST["needs"]]}  # fmt: skip
        answer = self.api.post(f"/v1/proposals/{proposal['id']}/revisions",
                               json={"request": request})  # fmt: skip
        assert answer.status_code == 201, answer.text


def _click_href(html: str, label: str) -> str:
    """The first options control ``label`` ("Include", "Undo") in the page or fragment."""
    found = re.search(rf'<a class="button"[^>]* href="([^"]+)"[^>]*aria-label="{label} ', html)
    assert found, f"no {label} control"
    return found.group(1).replace("&amp;", "&")


def _pages(server: Served, database: Database, requests: int, held: int) -> list[str]:
    rows: list[str] = []

    def measure(what: str, client: httpx.Client, path: str, expect: str = "",
                headers: dict[str, str] | None = None) -> None:  # fmt: skip
        rows.append(_row(what, _times(lambda: client.get(path, headers=headers), requests,
                                      expect), PAGE_TARGET))  # fmt: skip

    with httpx.Client(base_url=server.url, timeout=120, follow_redirects=False) as anonymous:
        measure("sign-in page", anonymous, "/sign-in", "csrftoken")
        signing = [_timed_sign_in(server) for _ in range(WARM_UP + max(requests // 2, 5))]
        rows.append(_row("sign-in (form post, Argon2id check, new session)",
                         signing[WARM_UP:], PAGE_TARGET))  # fmt: skip
    made = Proposals(server, database)
    with _person(server, "sales") as sales:
        measure("start page", sales, "/")
        measure("needs form (/configure)", sales, "/configure", "needs-0-capability")
        options = f"/configure/options?{DEMO}"
        page = sales.get(options).text
        measure("options screen, demo request", sales, options, 'id="components"')
        include = _click_href(page, "Include")
        fragment = sales.get(include, headers=HTMX).text
        undo = _click_href(fragment, "Undo")
        clicks = [include, undo]
        turn = iter(range(10**6))
        rows.append(_row("options click (htmx fragment, include/undo)", _times(
            lambda: sales.get(clicks[next(turn) % 2], headers=HTMX), requests,
            '<section id="components"'), PAGE_TARGET))  # fmt: skip
        measure("compare (good/better/best)", sales, f"/configure/compare?{DEMO}")
        measure("proposal form", sales, f"/configure/proposal?{DEMO}&option=1", "csrftoken")
        proposals = [made.create(revised=n == held - 1) for n in range(held)]
        measure(f"my proposals ({held} held, first page)", sales, "/proposals",
                proposals[-1]["number"])  # fmt: skip
        one = proposals[-1]
        measure("a proposal's page", sales, f"/proposals/{one['id']}", one["number"])
        measure("diff of two revisions", sales, f"/proposals/{one['id']}/diff?from=1&to=2")
    with _person(server, "approver") as approver:
        for count in (5, 20):
            waiting = [made.create(waiting=True) for _ in range(count - (5 if count > 5 else 0))]
            measure(f"approval inbox, {count} waiting", approver, "/approvals",
                    waiting[-1]["number"])  # fmt: skip
    with _person(server, "admin") as admin:
        measure("accounts (/admin/users)", admin, "/admin/users", "sales@served.example")
    return rows


def _timed_sign_in(server: Served) -> float:
    """A new client (no session yet): the sign-in form's post alone is timed."""
    with httpx.Client(base_url=server.url, timeout=120, follow_redirects=False) as client:
        token = _csrf(client.get("/sign-in").text)
        started = time.perf_counter()
        answer = client.post("/sign-in", data={
            "email": "sales@served.example", "password": PASSWORD, "next": "/",
            "csrftoken": token,
        })  # fmt: skip
        elapsed = time.perf_counter() - started
    assert answer.status_code == 303, (answer.status_code, answer.text[:300])
    return elapsed


def _sign_in_page(page: Page, server: Served) -> None:
    page.goto(f"{server.url}/sign-in?next=/")
    page.get_by_label("E-mail address").fill("sales@served.example")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{server.url}/")


def _clicks(server: Served, clicks: int) -> list[float]:
    """Milliseconds from click to painted swap, alternating Include and Undo on one row."""
    measured = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
            errors: list[str] = []
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            _sign_in_page(page, server)
            page.goto(f"{server.url}/configure/options?{DEMO}")
            page.evaluate(OBSERVE)
            code = _click_href(page.content(), "Include").split("chosen=")[-1].split("&")[0]
            for number in range(WARM_UP + clicks):
                # Include, then Undo: the row's action keeps its id across the swap.
                page.locator(f"#act-{code}-Include").click()
                page.wait_for_function("() => window.__bench.painted !== null", timeout=30_000)
                bench = page.evaluate("({t0: __bench.t0, painted: __bench.painted})")
                if number >= WARM_UP:
                    measured.append((bench["painted"] - bench["t0"]) / 1000)
            assert not errors, errors
        finally:
            browser.close()
    return measured


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=30, help="requests per page figure")
    parser.add_argument("--clicks", type=int, default=30, help="options clicks in Chromium")
    parser.add_argument("--held", type=int, default=50, help="proposals in My proposals")
    arguments = parser.parse_args()
    load = os.getloadavg()
    described = machine()
    with tempfile.TemporaryDirectory() as directory, \
            served(Path(directory), people=("sales", "approver", "admin")) as server:  # fmt: skip
        database = Database(f"sqlite:///{Path(directory) / 'offerwright.db'}")
        try:
            rows = _pages(server, database, arguments.requests, arguments.held)
            clicks = _clicks(server, arguments.clicks)
        finally:
            database.engine.dispose()
    rows.append(_row("options click in Chromium, click to painted update", clicks, CLICK_TARGET))
    body = [
        "## The web app (`python -m benchmarks.web`)",
        "",
        f"Machine: {described}. Date: {today()}. Load average at the start: "
        f"{load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} (1/5/15 min). A real `offerwright "
        "serve` on SQLite with the default catalog; server time is each request's wall time "
        "from one signed-in client (httpx, session cookie) on the same machine over loopback, "
        f"after {WARM_UP} warm-up requests. Options: the README's demo request; a click "
        "alternates Include and Undo of one component, as htmx asks it (`HX-Request`, "
        "target `components`: the fragment). In Chromium (Debian's, headless, through "
        "Playwright): from the click (a capturing listener) to the animation frame after "
        f"htmx swapped `#components`. My proposals: {arguments.held} held by the user, the "
        "list's first page; the inbox: proposals over the discount limit waiting for an approver.",
        "",
        "| what | p50 | p95 | n | target |",
        "| --- | ---: | ---: | ---: | --- |",
        *rows,
        "",
        SIGN_IN_NOTE,
    ]
    for row in rows:
        print(row)
    write_section("web", body)


if __name__ == "__main__":
    main()
