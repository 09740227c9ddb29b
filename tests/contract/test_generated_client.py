"""A client generated from /openapi.json by a standard generator (openapi-python-client), and
nothing hand-written, does what sales do against a real `offerwright serve`: configures a
bundle, creates a proposal from it, submits it and reads it back."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest

from tests.support.served import Served, served

PACKAGE = "offerwright_client"
# The generator takes PDFs, zipped catalogs and price sheets as bytes when told they are.
CONFIG = {
    "content_type_overrides": {
        "application/pdf": "application/octet-stream",
        "application/zip": "application/octet-stream",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": (
            "application/octet-stream"
        ),
        "text/csv": "application/octet-stream",
    }
}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    with served(tmp_path_factory.mktemp("client-server")) as running:
        yield running


@pytest.fixture(scope="module")
def generated(server: Served, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The generated package's name, importable for the module's tests."""
    where = tmp_path_factory.mktemp("client")
    (where / "openapi.json").write_text(httpx.get(f"{server.url}/openapi.json").text)
    (where / "config.json").write_text(json.dumps(CONFIG))
    generator = Path(sys.executable).parent / "openapi-python-client"
    done = subprocess.run(
        [str(generator), "generate", "--path", "openapi.json", "--config", "config.json",
         "--output-path", PACKAGE, "--meta", "none"],
        cwd=where, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    # Every operation generated: a warning means part of the document could not be used.
    assert "WARNING" not in done.stdout, done.stdout
    sys.path.insert(0, str(where))
    try:
        yield PACKAGE
    finally:
        sys.path.remove(str(where))
        for name in [name for name in sys.modules if name.split(".")[0] == PACKAGE]:
            del sys.modules[name]


def module(name: str) -> ModuleType:
    return importlib.import_module(f"{PACKAGE}.{name}")


def test_a_generated_client_configures_proposes_submits_and_reads_back(
    server: Served, generated: str
) -> None:
    models: Any = module("models")
    configure: Any = module("api.configurations.configure")
    create_proposal: Any = module("api.proposals.create_proposal")
    transition_proposal: Any = module("api.proposals.transition_proposal")
    read_proposal: Any = module("api.proposals.read_proposal")
    client = module("client").AuthenticatedClient(base_url=server.url, token=server.keys["sales"])

    request = models.ConfigurationRequest(
        price_book="EUR",
        term_months=36,
        needs=[
            models.Need(capability="compute.linux", quantity=20),
            models.Need(capability="storage.block", quantity=30),
        ],
        residency=["EU"],
    )
    solution = configure.sync(client=client, body=request)
    assert isinstance(solution, models.ConfigurationResult), solution
    bundle = solution.bundles[0]
    assert bundle.lines and bundle.totals.monthly

    created = create_proposal.sync_detailed(
        client=client,
        body=models.ProposalCreate(
            customer=models.Customer(name="Acme Logistics GmbH", country="DE"),
            request=request,
        ),
    )
    assert created.status_code == 201, created.content
    proposal = created.parsed
    assert isinstance(proposal, models.Proposal), proposal
    assert proposal.status == "draft"
    # The bundle proposed is the one configured: same lines, same monthly total.
    assert proposal.totals.monthly == bundle.totals.monthly
    assert [line.component for line in proposal.lines] == [line.component for line in bundle.lines]

    submitted = transition_proposal.sync_detailed(
        proposal.id,
        client=client,
        body=models.ProposalTransition(to=models.ProposalTransitionTo.SUBMITTED),
        if_match=created.headers["etag"],
    )
    assert submitted.status_code == 200, submitted.content
    assert submitted.parsed.status in ("approved", "pending_approval")

    read = read_proposal.sync(proposal.id, client=client)
    assert isinstance(read, models.Proposal)
    assert read.number == proposal.number
    assert read.status == submitted.parsed.status
    assert read.history[-1].to == read.status
