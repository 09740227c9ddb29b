"""Benchmark: the customer's proposal, against a real ``offerwright serve`` (SQLite, its
background jobs in its own threads, as deployed), each figure against issue 18's target:

- issue to stored PDF of a 25-line proposal: from the answer of the transition that issues
  it to the first 200 of its PDF (rendered by the job, polled every 50 ms);
- a stored PDF's download; the customer's page; an acceptance (its contract copy rendered
  in the background): p50 and p95 over many requests;
- the demo proposal's and the 25-line proposal's page counts.

    .venv/bin/python -m benchmarks.customer [--runs 5] [--requests 60]
"""

from __future__ import annotations

import argparse
import re
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from app.documents.pdf import render_pdf
from benchmarks.report import machine, today, write_section
from tests.support.proposal_documents import LARGE_REQUEST, proposal_document
from tests.support.served import PROPOSAL, Served, served

ACCEPTANCE = {
    "full_name": "Jana Novak", "job_title": "Head of IT Operations",
    "email": "jana.novak@acme.example", "signature": "Jana Novak", "consent": "yes",
    "option": "1",
}  # fmt: skip


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def _timed(action: Callable[[], httpx.Response], expected: int) -> float:
    started = time.perf_counter()
    answer = action()
    elapsed = time.perf_counter() - started
    assert answer.status_code == expected, (answer.status_code, answer.text[:300])
    return elapsed


def _create(server: Served, client: httpx.Client, body: dict[str, Any]) -> dict[str, Any]:
    created = client.post("/v1/proposals", json=body, headers=server.headers("sales"))
    assert created.status_code == 201, created.text
    proposal: dict[str, Any] = created.json()
    return proposal


def _move(server: Served, client: httpx.Client, pid: int, to: str, who: str) -> dict[str, Any]:
    etag = client.get(f"/v1/proposals/{pid}", headers=server.headers(who)).headers["etag"]
    body = {"to": to, **({"comment": "benchmark"} if to == "approved" else {})}
    moved = client.post(f"/v1/proposals/{pid}/transition", json=body,
                        headers={**server.headers(who), "If-Match": etag})  # fmt: skip
    assert moved.status_code == 200, moved.text
    answer: dict[str, Any] = moved.json()
    return answer


def _issue(server: Served, client: httpx.Client, pid: int) -> float:
    """Issue the proposal; seconds from the issuing answer to its stored PDF."""
    submitted = _move(server, client, pid, "submitted", "sales")
    if submitted["status"] == "pending_approval":
        _move(server, client, pid, "approved", "approver")
    issued = time.perf_counter()
    while True:
        answer = client.get(f"/v1/proposals/{pid}/pdf", headers=server.headers("sales"))
        if answer.status_code == 200:
            return time.perf_counter() - issued
        assert answer.status_code == 202, answer.text
        time.sleep(0.05)


def _shared(server: Served, client: httpx.Client) -> tuple[int, str]:
    proposal = _create(server, client, PROPOSAL)
    _move(server, client, proposal["id"], "submitted", "sales")
    link = client.post(f"/v1/proposals/{proposal['id']}/share-link",
                       headers=server.headers("sales"))  # fmt: skip
    assert link.status_code == 201, link.text
    return proposal["id"], "/p/" + link.json()["url"].rsplit("/p/", 1)[1]


def _accept(client: httpx.Client, path: str) -> float:
    page = client.get(path)
    token = re.search(r'id="accept-form".*?name="form_token" value="([^"]+)"', page.text, re.S)
    assert token is not None
    body = {**ACCEPTANCE, "form_token": token[1]}
    return _timed(lambda: client.post(f"{path}/accept", data=body, follow_redirects=False,
                                      headers={"Origin": str(client.base_url).rstrip("/")}),
                  303)  # fmt: skip


def _row(what: str, values: list[float], target: str, unit: str = "ms") -> str:
    scale = 1000 if unit == "ms" else 1
    p50, p95 = _percentile(values, 0.5) * scale, _percentile(values, 0.95) * scale
    return f"| {what} | {p50:,.1f} {unit} | {p95:,.1f} {unit} | {len(values)} | {target} |"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5, help="25-line proposals issued")
    parser.add_argument("--requests", type=int, default=60, help="requests per figure")
    arguments = parser.parse_args()
    rows: list[str] = []
    with tempfile.TemporaryDirectory() as directory, served(Path(directory)) as server, \
            httpx.Client(base_url=server.url, timeout=120) as client:  # fmt: skip
        large = {"customer": {"name": "Benchmark Industries AG", "country": "CH"},
                 "request": LARGE_REQUEST}  # fmt: skip
        issued = []
        for _ in range(arguments.runs):
            proposal = _create(server, client, large)
            assert len(proposal["lines"]) >= 25, len(proposal["lines"])
            issued.append(_issue(server, client, proposal["id"]))
        rows.append(_row(f"issue to stored PDF, {len(proposal['lines'])} lines", issued,
                         "≤ 5 s", "s"))  # fmt: skip
        pid = proposal["id"]
        where = f"/v1/proposals/{pid}/pdf"
        downloads = [_timed(lambda: client.get(where, headers=server.headers("sales")), 200)
                     for _ in range(arguments.requests)]  # fmt: skip
        rows.append(_row("stored PDF download (25 lines)", downloads, "p50 ≤ 50 ms"))
        _, path = _shared(server, client)
        pages = [_timed(lambda: client.get(path), 200) for _ in range(arguments.requests)]
        rows.append(_row("customer page", pages, "p50 ≤ 100 ms"))
        accepted = [_accept(client, _shared(server, client)[1])
                    for _ in range(max(arguments.requests // 4, 5))]  # fmt: skip
        rows.append(_row("acceptance (contract rendered after)", accepted, "p50 ≤ 300 ms"))
    counts = {which: render_pdf(proposal_document(which), max_pages=500).pages
              for which in ("demo", "large")}  # fmt: skip
    body = [
        "## The customer's proposal (`python -m benchmarks.customer`)",
        "",
        f"Machine: {machine()}. Date: {today()}. A real `offerwright serve` on SQLite, its "
        "background jobs in its own threads; requests from one client on the same machine, "
        "after the server's start (percentiles over the requests listed).",
        "",
        "| what | p50 | p95 | requests | target |",
        "| --- | ---: | ---: | ---: | --- |",
        *rows,
        "",
        f"Pages: the demo proposal {counts['demo']} (24 before issue 18's document, "
        f"{1 - counts['demo'] / 24:.0%} fewer), the 25-line proposal {counts['large']} "
        f"(60 before, {1 - counts['large'] / 60:.0%} fewer); target: at least 30 % fewer for "
        "the same content.",
    ]
    for row in rows:
        print(row)
    write_section("customer", body)
    print(f"median issue to PDF {statistics.median(issued):.2f} s")


if __name__ == "__main__":
    main()
