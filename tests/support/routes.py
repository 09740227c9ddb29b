"""The role matrix's table: every route of the API, once per kind of call, with the roles
that may make it, what an allowed call returns, and what of it only some roles may see.
tests/auth/test_security.py calls each row as every role; tests/kit/test_headers.py reads
each row's caching headers."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import select

from app.models import ProposalRevision
from app.portfolio.prices.sheet import write_csv
from app.proposals.acceptance import service as decisions
from app.proposals.acceptance.choices import choices_of
from app.proposals.acceptance.forms import read_acceptance
from app.proposals.revision import read_revision
from tests.support.api import Auth
from tests.support.factories import copied_component, default_catalog_json, move_proposal
from tests.support.jobs import RecordingJobs
from tests.support.share import ACCEPTANCE, page_path

ROLES = ("sales", "portfolio", "approver", "delivery", "admin")
EVERYONE = frozenset(ROLES)
CURATORS = frozenset({"portfolio", "admin"})
APPROVERS = frozenset({"approver"})
ADMINS = frozenset({"admin"})
QUOTERS = frozenset({"sales", "portfolio", "approver", "admin"})
QUOTE = {
    "price_book": "EUR",
    "term_months": 12,
    "lines": [{"component": "CMP-VM-LNX", "quantity": 2, "service_level": "gold",
               "delivery_centre": "CZ-BRN"}],
}  # fmt: skip
CONFIGURATION = {
    "price_book": "EUR",
    "term_months": 12,
    # Managed backup: every line at CZ-BRN, the delivery key's own centre (its packages).
    "needs": [{"capability": "backup.protected-data", "quantity": 5}],
}
PROPOSAL = {"customer": {"name": "Matrix Test AG", "country": "CH"}, "request": CONFIGURATION}
PROPOSERS = frozenset({"sales", "admin"})
PROPOSAL_READERS = frozenset({"sales", "approver", "admin"})


# Filled by a case's setup: ids the concrete path of a case names ("{proposal}").
CREATED: dict[str, str] = {}


def write_headers(auth: Auth, name: str) -> dict[str, str]:
    """The key's headers with If-Match: * (a write whatever the version)."""
    return {**auth(name), "If-Match": "*"}


# -- setups that bring CMP-VM-LNX version 2 to the state a transition starts from ----------


def draft_v2(client: TestClient, auth: Auth) -> None:
    response = client.patch(
        "/v1/components/CMP-VM-LNX",
        json={"summary": "A second version, written by portfolio-2."},
        headers=write_headers(auth, "portfolio-2"),
    )
    assert response.status_code == 200, response.text
    assert response.json()["version"] == 2


def move_v2(client: TestClient, auth: Auth, to: str, by: str) -> None:
    response = client.post(
        "/v1/components/CMP-VM-LNX/versions/2/transition", json={"to": to}, headers=auth(by)
    )
    assert response.status_code == 200, response.text


def in_review_v2(client: TestClient, auth: Auth) -> None:
    draft_v2(client, auth)
    move_v2(client, auth, "in_review", "portfolio-2")


def assured_v2(client: TestClient, auth: Auth) -> None:
    in_review_v2(client, auth)
    move_v2(client, auth, "assured", "approver-2")


_GATED = tuple(
    f"/v1/{path}"
    for path in (
        "components/",
        "capabilities",
        "competencies",
        "delivery-centres",
        "price-books",
        "rules",
        "offerings",
        "catalog/import",
    )
)


@dataclass(frozen=True)
class Case:
    """One call of one route: who may make it, and what an allowed call returns."""

    method: str
    route: str  # the OpenAPI path template
    path: str  # the concrete path called
    allowed: frozenset[str]
    ok: int = 200  # the status of an allowed call
    body: Any = None  # JSON, or a function returning it
    if_match: bool = False
    # Read this path first (as the caller) and send its ETag: where If-Match: * won't do.
    etag_from: str | None = None
    setup: Callable[[TestClient, Auth], None] | None = None
    note: str = ""
    # What an allowed answer carries of what some roles may not see (see SENSITIVE), for a
    # caller who may see it all; None: anything, as long as the caller may see it.
    shows: frozenset[str] | None = frozenset()
    content: tuple[str, bytes] | None = None  # a body that is no JSON: (media type, bytes)

    def __str__(self) -> str:
        return f"{self.method} {self.path}" + (f" {self.note}" if self.note else "")

    @property
    def changes_the_catalog(self) -> bool:
        """A write the catalog gate may judge (a version moved, a record written, an import)."""
        return self.method != "GET" and self.path.startswith(_GATED)

    def call(self, client: TestClient, headers: dict[str, str]) -> Response:
        if self.if_match:
            headers = {**headers, "If-Match": "*"}
        if self.etag_from is not None:
            seen = client.get(self.etag_from.format(**CREATED), headers=headers)
            headers = {**headers, "If-Match": seen.headers.get("ETag", '"unread"')}
        body = self.body() if callable(self.body) else self.body
        path = self.path.format(**CREATED)
        if self.content is not None:
            media_type, raw = self.content
            headers = {**headers, "Content-Type": media_type}
            return client.request(self.method, path, content=raw, headers=headers)
        if body is None:
            return client.request(self.method, path, headers=headers)
        return client.request(self.method, path, json=body, headers=headers)


COMPONENT = "/v1/components/{code}"
TRANSITION = "/v1/components/{code}/versions/{version}/transition"

# What some roles may not see: cost (and margin), and delivery descriptions, which the
# delivery key of CZ-BRN sees only of the components its centre is competent for.
COST = frozenset({"cost"})
OWN_DELIVERY = frozenset({"delivery"})  # of a component CZ-BRN delivers (CMP-VM-LNX)
FOREIGN_DELIVERY = frozenset({"foreign-delivery"})  # of one it does not (SAP-BASIS-S4)
SENSITIVE = COST | OWN_DELIVERY | FOREIGN_DELIVERY

NOT_DELIVERY = EVERYONE - {"delivery"}

WHOLE = COST | OWN_DELIVERY  # all of CMP-VM-LNX

COMPONENT_CASES = [
    Case("GET", "/v1/components", "/v1/components?limit=200", EVERYONE),
    Case("POST", "/v1/components", "/v1/components", CURATORS, 201, copied_component, shows=WHOLE),
    Case("GET", COMPONENT, "/v1/components/CMP-VM-LNX", EVERYONE, shows=WHOLE),
    Case("GET", COMPONENT, "/v1/components/SAP-BASIS-S4", EVERYONE,
         shows=COST | FOREIGN_DELIVERY),
    Case("GET", COMPONENT, "/v1/components/SAP-BASIS-S4?version=1", EVERYONE,
         shows=COST | FOREIGN_DELIVERY),
    Case(
        "PATCH",
        COMPONENT,
        "/v1/components/CMP-VM-LNX",
        CURATORS,
        body={"summary": "Edited by the role matrix."},
        if_match=True,
        shows=WHOLE,
    ),
    Case(
        "POST",
        TRANSITION,
        "/v1/components/CMP-VM-LNX/versions/2/transition",
        CURATORS,
        body={"to": "in_review"},
        setup=draft_v2,
        note="to=in_review",
        shows=WHOLE,
    ),
    Case(
        "POST",
        TRANSITION,
        "/v1/components/CMP-VM-LNX/versions/2/transition",
        APPROVERS,
        body={"to": "assured"},
        setup=in_review_v2,
        note="to=assured",
        shows=WHOLE,
    ),
    Case(
        "POST",
        TRANSITION,
        "/v1/components/CMP-VM-LNX/versions/2/transition",
        CURATORS,
        body={"to": "active"},
        setup=assured_v2,
        note="to=active",
        shows=WHOLE,
    ),
    Case(
        "POST",
        TRANSITION,
        "/v1/components/CMP-VM-LNX/versions/1/transition",
        CURATORS,
        body={"to": "retired"},
        note="to=retired",
        shows=WHOLE,
    ),
    *(
        Case("GET", f"{COMPONENT}/{document}", f"/v1/components/CMP-VM-LNX/{document}", EVERYONE)
        for document in ("specification", "statement-of-work")
    ),
    Case("GET", f"{COMPONENT}/delivery-description",
         "/v1/components/CMP-VM-LNX/delivery-description", EVERYONE, shows=OWN_DELIVERY),
    Case("GET", f"{COMPONENT}/delivery-description",
         "/v1/components/SAP-BASIS-S4/delivery-description", NOT_DELIVERY,
         shows=FOREIGN_DELIVERY),
    Case("GET", f"{COMPONENT}/versions", "/v1/components/CMP-VM-LNX/versions", EVERYONE),
    Case("GET", f"{COMPONENT}/diff", "/v1/components/CMP-VM-LNX/diff?from=1&to=1", EVERYONE),
]  # fmt: skip


@dataclass(frozen=True)
class Registry:
    """The calls of one registry's five routes."""

    key: str  # an existing record
    new: dict[str, Any]  # a record to create
    patch: dict[str, Any]
    deletable: str  # the record to delete (``new`` when created first)
    created: int = 201
    deleted: int = 204
    create_first: bool = False
    costed: bool = False  # its records carry cost (labour rates, margin floors)
    # The record ``key`` names, written first where the default catalog has none.
    seed: dict[str, Any] | None = None

    def setup_delete(self, path: str) -> Callable[[TestClient, Auth], None] | None:
        if not self.create_first:
            return self.setup_seed(path)
        return _created(path, self.new)

    def setup_seed(self, path: str) -> Callable[[TestClient, Auth], None] | None:
        return None if self.seed is None else _created(path, self.seed)


def _created(path: str, body: dict[str, Any]) -> Callable[[TestClient, Auth], None]:
    def setup(client: TestClient, auth: Auth) -> None:
        response = client.post(path, json=body, headers=auth("admin"))
        assert response.status_code == 201, response.text

    return setup


CENTRE = {
    "code": "XX-TST",
    "name": "Test centre",
    "country": "DE",
    "region": "EU",
    "cost_currency": "EUR",
    "competencies": ["virtualisation"],
    "labour_rates": {"vmware-engineer": 90},
    "monthly_capacity_hours": 100,
}
FX = {"CHF": 1, "EUR": 1, "CZK": "0.04", "PLN": "0.2", "INR": "0.01", "GBP": "1.1", "USD": "0.9"}

ASSURED = {
    "id": "matrix.linux-vm",
    "name": "Managed Linux VMs",
    "owner": "Role matrix",
    "request": {"price_book": "EUR", "term_months": 12,
                "needs": [{"capability": "compute.linux", "quantity": 2}]},
    "expect": {"includes": ["CMP-VM-LNX"], "service_levels": {"CMP-VM-LNX": "gold"}},
}  # fmt: skip

REGISTRIES = {
    # A capability nobody provides is an error, so neither a new one nor one in use can be
    # written alone: an allowed create or delete is refused as inconsistent (422), not 403.
    "capabilities": Registry(
        "compute.linux",
        {"code": "test.capability", "name": "Test", "unit": "server", "description": "d"},
        {"name": "Managed Linux servers"},
        "compute.linux",
        created=422,
        deleted=422,
    ),
    "competencies": Registry(
        "virtualisation",
        {"code": "test-competency", "name": "Test", "description": "d"},
        {"name": "Virtualisation"},
        "test-competency",
        create_first=True,
    ),
    # CZ-BRN: the delivery key's own centre, the one it may read.
    "delivery-centres": Registry("CZ-BRN", CENTRE, {"name": "Brno"}, "DE-FRA", costed=True),
    "price-books": Registry(
        "EUR",
        {"code": "CHF", "name": "Swiss franc list prices", "currency": "CHF", "fx_rates": FX},
        {"name": "Euro list prices"},
        "CHF",
        create_first=True,
        costed=True,
    ),
    "rules": Registry(
        "R-SAP-001",
        {
            "id": "R-TST-001",
            "kind": "requires",
            "if": "SAP-BASIS-S4",
            "then": ["DB-HANA"],
            "message": "A test rule.",
        },
        {"message": "S/4HANA needs HANA."},
        "R-SAP-001",
    ),
    "offerings": Registry(
        "OFF-SAP-S4-LNX",
        {
            "code": "OFF-TST",
            "name": "Test offering",
            "description": "d",
            "capabilities": ["compute.linux"],
            "default_components": ["CMP-VM-LNX"],
        },
        {"name": "Managed S/4HANA"},
        "OFF-SAP-S4-LNX",
    ),
    # The default catalog may hold none: each call writes the one it reads, edits or deletes.
    "assurance/combinations": Registry(
        "matrix.linux-vm",
        {**ASSURED, "id": "matrix.linux-vm-2"},
        {"owner": "Compute portfolio"},
        "matrix.linux-vm",
        seed=ASSURED,
    ),
}

REGISTRY_CASES = [
    case
    for path, registry in REGISTRIES.items()
    for shown in [COST if registry.costed else frozenset()]
    for case in (
        Case("GET", f"/v1/{path}", f"/v1/{path}", EVERYONE, shows=shown),
        Case(
            "POST",
            f"/v1/{path}",
            f"/v1/{path}",
            CURATORS,
            registry.created,
            registry.new,
            shows=shown,
        ),
        Case(
            "GET",
            f"/v1/{path}/{{key}}",
            f"/v1/{path}/{registry.key}",
            EVERYONE,
            setup=registry.setup_seed(f"/v1/{path}"),
            shows=shown,
        ),
        Case(
            "PATCH",
            f"/v1/{path}/{{key}}",
            f"/v1/{path}/{registry.key}",
            CURATORS,
            body=registry.patch,
            if_match=True,
            setup=registry.setup_seed(f"/v1/{path}"),
            shows=shown,
        ),
        Case(
            "DELETE",
            f"/v1/{path}/{{key}}",
            f"/v1/{path}/{registry.deletable}",
            CURATORS,
            registry.deleted,
            if_match=True,
            setup=registry.setup_delete(f"/v1/{path}"),
        ),
    )
]

CATALOG_CASES = [
    Case("GET", "/v1/catalog/summary", "/v1/catalog/summary", EVERYONE),
    Case("POST", "/v1/catalog/import", "/v1/catalog/import", CURATORS, body=default_catalog_json),
    Case("GET", "/v1/audit", "/v1/audit", ADMINS, shows=None),
    Case("GET", "/v1/jobs", "/v1/jobs", ADMINS, shows=None),
    Case("POST", "/v1/quotes/price", "/v1/quotes/price", QUOTERS, body=QUOTE, shows=COST),
    Case(
        "POST", "/v1/configurations", "/v1/configurations", QUOTERS, body=CONFIGURATION, shows=COST
    ),
    Case(
        "POST",
        "/v1/configurations/options",
        "/v1/configurations/options",
        QUOTERS,
        body=CONFIGURATION,
    ),
]


def a_proposal_of_sales(client: TestClient, auth: Auth) -> None:
    response = client.post("/v1/proposals", json=PROPOSAL, headers=auth("sales"))
    assert response.status_code == 201, response.text
    CREATED["proposal"] = str(response.json()["id"])


def a_package_of_cz_brn(client: TestClient, auth: Auth) -> None:
    a_proposal_of_sales(client, auth)
    for to in ("submitted", "sent", "accepted"):
        response = move_proposal(client, auth, {"id": CREATED["proposal"]}, to)
        assert response.status_code == 200, response.text
    listed = client.get("/v1/delivery-centres/CZ-BRN/work-packages", headers=auth("admin"))
    CREATED["package"] = str(listed.json()["items"][0]["id"])


def an_issued_proposal_of_sales(client: TestClient, auth: Auth) -> None:
    a_proposal_of_sales(client, auth)
    response = move_proposal(client, auth, {"id": CREATED["proposal"]}, "submitted")
    assert response.status_code == 200, response.text


def a_shared_proposal_of_sales(client: TestClient, auth: Auth) -> None:
    an_issued_proposal_of_sales(client, auth)
    shared = client.post(f"/v1/proposals/{CREATED['proposal']}/share-link", headers=auth("sales"))
    assert shared.status_code == 201, shared.text


def a_proposal_accepted_by_its_customer(client: TestClient, auth: Auth) -> None:
    """Shared and accepted through the page's service (its contract job recorded, not run:
    the contract is still rendering)."""
    an_issued_proposal_of_sales(client, auth)
    shared = client.post(f"/v1/proposals/{CREATED['proposal']}/share-link", headers=auth("sales"))
    assert shared.status_code == 201, shared.text
    with auth.database.transaction(write=False) as session:
        (stored,) = session.scalars(
            select(ProposalRevision).where(ProposalRevision.proposal_id == int(CREATED["proposal"]))
        )
        offered = choices_of(read_revision(stored.content))
    form = read_acceptance(list(ACCEPTANCE.items()), offered)
    token = page_path(shared.json()["url"]).removeprefix("/p/")
    outcome = decisions.accept(auth.database, RecordingJobs(), token, form,
                               decisions.Evidence.of("203.0.113.7", "matrix"))  # fmt: skip
    assert outcome == "accepted", outcome


DELIVERERS = frozenset({"delivery", "admin"})
ONE_PROPOSAL = "/v1/proposals/{proposal_id}"
PROPOSAL_CASES = [
    Case("POST", "/v1/proposals", "/v1/proposals", PROPOSERS, 201, PROPOSAL, shows=COST),
    Case("GET", "/v1/proposals", "/v1/proposals", PROPOSAL_READERS,
         setup=a_proposal_of_sales),
    Case("GET", ONE_PROPOSAL, "/v1/proposals/{proposal}", PROPOSAL_READERS,
         setup=a_proposal_of_sales, shows=COST),
    # Approvers read every proposal but run none: the author (or an admin) submits it.
    Case("POST", f"{ONE_PROPOSAL}/transition", "/v1/proposals/{proposal}/transition",
         PROPOSERS, body={"to": "submitted"}, etag_from="/v1/proposals/{proposal}",
         setup=a_proposal_of_sales, shows=COST),
    Case("POST", f"{ONE_PROPOSAL}/revisions", "/v1/proposals/{proposal}/revisions",
         PROPOSERS, 201, body={}, setup=a_proposal_of_sales, shows=COST),
    Case("GET", f"{ONE_PROPOSAL}/pdf", "/v1/proposals/{proposal}/pdf", PROPOSAL_READERS,
         setup=a_proposal_of_sales),
    Case("GET", f"{ONE_PROPOSAL}/preview", "/v1/proposals/{proposal}/preview",
         PROPOSAL_READERS, setup=a_proposal_of_sales),
    # The author (or an admin) shares; whoever reads the proposal reads its link.
    Case("POST", f"{ONE_PROPOSAL}/share-link", "/v1/proposals/{proposal}/share-link",
         PROPOSERS, 201, setup=an_issued_proposal_of_sales),
    Case("GET", f"{ONE_PROPOSAL}/share-link", "/v1/proposals/{proposal}/share-link",
         PROPOSAL_READERS, setup=a_shared_proposal_of_sales),
    Case("DELETE", f"{ONE_PROPOSAL}/share-link", "/v1/proposals/{proposal}/share-link",
         PROPOSERS, setup=a_shared_proposal_of_sales),
    Case("GET", f"{ONE_PROPOSAL}/acceptance", "/v1/proposals/{proposal}/acceptance",
         PROPOSAL_READERS, setup=a_proposal_accepted_by_its_customer),
    Case("GET", f"{ONE_PROPOSAL}/contract.pdf", "/v1/proposals/{proposal}/contract.pdf",
         PROPOSAL_READERS, 202, setup=a_proposal_accepted_by_its_customer,
         note="(while it renders)"),
    # A work package carries the delivery description of what its centre delivers.
    Case("GET", "/v1/delivery-centres/{code}/work-packages",
         "/v1/delivery-centres/CZ-BRN/work-packages", DELIVERERS,
         setup=a_package_of_cz_brn, shows=OWN_DELIVERY),
    Case("GET", "/v1/work-packages/{package_id}", "/v1/work-packages/{package}", DELIVERERS,
         setup=a_package_of_cz_brn, shows=OWN_DELIVERY),
    Case("GET", "/v1/work-packages/{package_id}/pdf", "/v1/work-packages/{package}/pdf",
         DELIVERERS, setup=a_package_of_cz_brn),
    Case("GET", "/v1/delivery-centres/{code}/load", "/v1/delivery-centres/CZ-BRN/load",
         DELIVERERS, setup=a_package_of_cz_brn),
]  # fmt: skip


def a_webhook_with_a_delivery(client: TestClient, auth: Auth) -> None:
    body = {"url": "https://93.184.216.34/hooks", "events": ["proposal.accepted"]}
    created = client.post("/v1/webhooks", json=body, headers=auth("admin"))
    assert created.status_code == 201, created.text
    CREATED["webhook"] = str(created.json()["id"])
    pinged = client.post(f"/v1/webhooks/{CREATED['webhook']}/ping", headers=auth("admin"))
    assert pinged.status_code == 202, pinged.text
    CREATED["delivery"] = str(pinged.json()["id"])


ONE_WEBHOOK = "/v1/webhooks/{endpoint_id}"
DELIVERY = ONE_WEBHOOK + "/deliveries/{delivery_id}"
WEBHOOK_CASES = [
    Case("GET", "/v1/webhooks/event-types", "/v1/webhooks/event-types", ADMINS),
    Case("POST", "/v1/webhooks", "/v1/webhooks", ADMINS, 201,
         {"url": "https://93.184.216.34/hooks", "events": ["proposal.issued"]}),
    Case("GET", "/v1/webhooks", "/v1/webhooks", ADMINS, setup=a_webhook_with_a_delivery),
    Case("GET", ONE_WEBHOOK, "/v1/webhooks/{webhook}", ADMINS, setup=a_webhook_with_a_delivery),
    Case("PATCH", ONE_WEBHOOK, "/v1/webhooks/{webhook}", ADMINS, body={"enabled": False},
         if_match=True, setup=a_webhook_with_a_delivery),
    Case("DELETE", ONE_WEBHOOK, "/v1/webhooks/{webhook}", ADMINS, 204,
         setup=a_webhook_with_a_delivery),
    Case("POST", ONE_WEBHOOK + "/rotate-secret", "/v1/webhooks/{webhook}/rotate-secret",
         ADMINS, setup=a_webhook_with_a_delivery),
    Case("POST", ONE_WEBHOOK + "/ping", "/v1/webhooks/{webhook}/ping", ADMINS, 202,
         setup=a_webhook_with_a_delivery),
    Case("GET", ONE_WEBHOOK + "/deliveries", "/v1/webhooks/{webhook}/deliveries", ADMINS,
         setup=a_webhook_with_a_delivery),
    Case("GET", DELIVERY, "/v1/webhooks/{webhook}/deliveries/{delivery}", ADMINS,
         setup=a_webhook_with_a_delivery),
    Case("POST", DELIVERY + "/redeliver", "/v1/webhooks/{webhook}/deliveries/{delivery}/redeliver",
         ADMINS, 202, setup=a_webhook_with_a_delivery),
]  # fmt: skip


# -- assurance runs (helper C) --------------------------------------------------------------

ASSURANCE_READERS = frozenset({"portfolio", "approver", "admin"})
OVERRIDERS = frozenset({"approver", "admin"})


def a_manual_run(client: TestClient, auth: Auth) -> None:
    response = client.post("/v1/assurance/runs", headers=auth("admin"))
    assert response.status_code == 201, response.text
    CREATED["run"] = str(response.json()["id"])


def a_refused_change_of_portfolio_2(client: TestClient, auth: Auth) -> None:
    """A refused run as the gate stores it (a harmless rule edit, asked by portfolio-2 on
    today's revision), so approver and admin may each override it."""
    from app.assurance import repository
    from app.portfolio import CatalogChange, catalog_revision

    change = CatalogChange.update("rules", "R-SAP-001", {"message": "Overridden."}, "*")
    with auth.database.transaction(write=True) as session:
        run = repository.add_run(
            session, revision=catalog_revision(session), trigger="change",
            requested_by="portfolio-2", status="refused", verdicts=(), seconds=0.0,
            subject=change.subject,
            change={"change": change.as_dict(),
                    "by": {"name": "portfolio-2", "role": "portfolio", "centre": None}},
        )  # fmt: skip
        CREATED["refused"] = str(run.id)


ONE_RUN = "/v1/assurance/runs/{run_id}"
ASSURANCE_CASES = [
    Case("GET", "/v1/assurance/runs", "/v1/assurance/runs", ASSURANCE_READERS),
    Case("POST", "/v1/assurance/runs", "/v1/assurance/runs", ASSURANCE_READERS, 201),
    Case("GET", ONE_RUN, "/v1/assurance/runs/{run}", ASSURANCE_READERS, setup=a_manual_run),
    Case("POST", ONE_RUN + "/override", "/v1/assurance/runs/{refused}/override", OVERRIDERS,
         body={"comment": "Intended."}, setup=a_refused_change_of_portfolio_2),
    Case("GET", "/v1/components/{code}/versions/{version}/impact",
         "/v1/components/CMP-VM-LNX/versions/1/impact", ASSURANCE_READERS),
    Case("GET", "/v1/components/{code}/versions/{version}/where-used",
         "/v1/components/CMP-VM-LNX/versions/1/where-used", ASSURANCE_READERS),
]  # fmt: skip

# The insights: contract values and margins, for the roles that see cost (shows=None: the
# margins only when there are accepted proposals in the period).
INSIGHT_READERS = frozenset({"portfolio", "approver", "admin"})
INSIGHT_CASES = [
    Case("GET", path, path, INSIGHT_READERS, shows=None)
    for name in ("go-to-market", "portfolio", "delivery")
    for path in (f"/v1/insights/{name}", f"/v1/insights/{name}.csv")
]

# Price sheets: the export for curators and approvers; an import (a sheet of no rows: only
# the header of an export) for those who write the catalog.
PRICE_SHEET = ("text/csv", write_csv([]))
PRICE_SHEET_CASES = [
    Case("GET", "/v1/price-books/{code}/export", "/v1/price-books/EUR/export?format=csv",
         ASSURANCE_READERS),
    Case("POST", "/v1/price-books/{code}/import/preview", "/v1/price-books/EUR/import/preview",
         CURATORS, content=PRICE_SHEET),
    Case("POST", "/v1/price-books/{code}/import", "/v1/price-books/EUR/import", CURATORS, 201,
         content=PRICE_SHEET),
]  # fmt: skip

CASES = [
    *COMPONENT_CASES, *REGISTRY_CASES, *CATALOG_CASES, *PROPOSAL_CASES, *WEBHOOK_CASES,
    *ASSURANCE_CASES, *INSIGHT_CASES, *PRICE_SHEET_CASES,
]  # fmt: skip
