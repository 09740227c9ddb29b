"""Schemathesis against /openapi.json of a real `offerwright serve`, as every role, with
every check (server errors, status codes, content types, response schemas, Allow headers,
negative and positive data): the document is true of what the server answers.

Examples are bounded and the seed fixed, so a run is reproducible; schemathesis.toml lists,
per operation, the answers only the data can give to a schema-valid request."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.served import ROLES, ROOT, Served, served

# Per operation and phase (seeded: the same examples every run), beside the coverage
# phase's boundary values, which do not depend on it; the configuring operations solve for
# every example. Three: with 72 operations and five roles, ten took four minutes of the
# suite's twenty; with the 82 of the assurance routes on a machine of speed reference 57 ms,
# seven took five, five four; the web app's tests then took the suite past 28 minutes.
MAX_EXAMPLES = 3
SEED = 20261206


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    # Its authentication checks send wrong keys on purpose: at the default of 10 failures a
    # minute, this client's address would soon get nothing but 429s.
    with served(
        tmp_path_factory.mktemp("schemathesis"), auth_failures_per_minute="1000000"
    ) as running:
        yield running


def schemathesis(server: Served, role: str, report: Path) -> subprocess.CompletedProcess[str]:
    command = [
        sys.executable, "-c", "from schemathesis.cli import schemathesis; schemathesis()",
        "--config-file", str(ROOT / "schemathesis.toml"),
        "run", f"{server.url}/openapi.json",
        "--checks", "all",
        "--max-examples", str(MAX_EXAMPLES),
        "--seed", str(SEED),
        "--header", f"Authorization: Bearer {server.keys[role]}",
        "--report", "junit", "--report-junit-path", str(report),
        "--no-color",
    ]  # fmt: skip
    return subprocess.run(command, capture_output=True, text=True, timeout=600, cwd=ROOT)


@pytest.mark.slow
@pytest.mark.parametrize("role", ROLES)
def test_the_server_keeps_its_contract(server: Served, role: str, tmp_path: Path) -> None:
    done = schemathesis(server, role, tmp_path / "junit.xml")
    summary = done.stdout[done.stdout.find("SUMMARY") :] or done.stdout[-3000:]
    assert done.returncode == 0, f"{done.stdout[-12000:]}\n{done.stderr[-2000:]}\n{summary}"
    assert "Tested:" in done.stdout  # it ran operations, not just loaded the document
    assert server.exited() is None
