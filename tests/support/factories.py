"""Things tests make through the API, as small functions: the client and the keys first,
everything else by keyword. Each checks that what it made was made."""

from __future__ import annotations

import copy
import functools
from typing import Any

from fastapi.testclient import TestClient
from httpx import Response

from catalog.loader import load_default_catalog
from tests.support.api import MERGE_PATCH, Auth, Headers, etag_of, merge_patch, ok

# What the server sets on a component: never in a body a client writes.
SERVER_SET = (
    "status",
    "version",
    "author",
    "active_version",
    "latest_version",
    "created_at",
    "updated_at",
)
PROPOSALS = "/v1/proposals"
# A configuration request the default catalog answers with one bundle, and a proposal of it.
CONFIGURATION_REQUEST: dict[str, Any] = {
    "price_book": "EUR",
    "term_months": 36,
    "needs": [{"capability": "compute.linux", "quantity": 20},
              {"capability": "storage.block", "quantity": 30}],
    "residency": ["EU"],
}  # fmt: skip
PROPOSAL_BODY: dict[str, Any] = {
    "customer": {"name": "Acme Logistics GmbH", "country": "DE", "contact": "Jana Novak"},
    "request": CONFIGURATION_REQUEST,
}


@functools.cache
def _default_catalog_json() -> dict[str, Any]:
    return load_default_catalog().model_dump(mode="json", by_alias=True)


def default_catalog_json() -> dict[str, Any]:
    """The default catalog as one JSON object, the shape POST /v1/catalog/import takes (a
    copy: change it freely)."""
    return copy.deepcopy(_default_catalog_json())


# -- components -------------------------------------------------------------------------------


def copied_component(*, code: str = "CMP-VM-LNX", **changes: Any) -> dict[str, Any]:
    """A body for POST /v1/components without reading the API: a component of the default
    catalog under the code ``<code>-COPY``, with ``changes``."""
    body = next(c for c in default_catalog_json()["components"] if c["code"] == code)
    for server_set in ("status", "version", "author"):
        del body[server_set]
    body["code"] = f"{code}-COPY"
    body.update(changes)
    return body


def get_component(
    client: TestClient, headers: Headers, code: str, version: int | None = None
) -> dict[str, Any]:
    params = {} if version is None else {"version": version}
    return ok(client.get(f"/v1/components/{code}", headers=headers, params=params))  # type: ignore[no-any-return]


def latest_etag(client: TestClient, headers: Headers, code: str) -> str:
    """The ETag of the newest version of ``code`` (a draft, when there is one)."""
    latest = get_component(client, headers, code)["latest_version"]
    return etag_of(client, headers, f"/v1/components/{code}?version={latest}")


def patch_component(
    client: TestClient,
    headers: Headers,
    code: str,
    body: Any,
    if_match: str | None,
    content_type: str = MERGE_PATCH,
) -> Response:
    return merge_patch(client, headers, f"/v1/components/{code}", body, if_match, content_type)


def move_component(
    client: TestClient, headers: Headers, code: str, version: int, to: str, **extra: Any
) -> Response:
    """The transition of one version of ``code`` to ``to``."""
    return client.post(
        f"/v1/components/{code}/versions/{version}/transition",
        headers=headers,
        json={"to": to, **extra},
    )


def activate(client: TestClient, auth: Auth, *, code: str, version: int) -> None:
    """draft -> in_review -> assured -> active, each by a role allowed to."""
    for who, to in (("portfolio", "in_review"), ("approver", "assured"), ("portfolio", "active")):
        ok(move_component(client, auth(who), code, version, to))


def component_body(client: TestClient, auth: Auth, *, code: str = "CMP-VM-TEST") -> dict[str, Any]:
    """A full valid creation body: CMP-VM-LNX as portfolio reads it, minus server fields."""
    body = get_component(client, auth("portfolio"), "CMP-VM-LNX")
    for key in SERVER_SET:
        body.pop(key)
    body["code"] = code
    body["name"] = f"Test server {code}"
    return body


def create_draft(
    client: TestClient, auth: Auth, *, code: str = "CMP-VM-TEST", **changes: Any
) -> dict[str, Any]:
    """A new component, version 1 a draft written by portfolio."""
    body = {**component_body(client, auth, code=code), **changes}
    created = client.post("/v1/components", headers=auth("portfolio"), json=body)
    return ok(created, 201)  # type: ignore[no-any-return]


# -- proposals --------------------------------------------------------------------------------


def create_proposal(
    client: TestClient, auth: Auth, *, who: str = "sales", **extra: Any
) -> dict[str, Any]:
    """A new draft proposal of PROPOSAL_BODY (with ``extra`` over it), made by ``who``."""
    response = client.post(PROPOSALS, json={**PROPOSAL_BODY, **extra}, headers=auth(who))
    body: dict[str, Any] = ok(response, 201)
    assert response.headers["Location"] == f"{PROPOSALS}/{body['id']}"
    return body


def move_proposal(
    client: TestClient,
    auth: Auth,
    proposal: dict[str, Any],
    to: str,
    who: str = "sales",
    comment: str | None = None,
) -> Response:
    """The transition as a client makes it: read the proposal, then move it If-Match."""
    seen = client.get(f"{PROPOSALS}/{proposal['id']}", headers=auth(who))
    etag = seen.headers.get("ETag", '"unread"')  # a caller who cannot read it sends a guess
    body = {"to": to, **({"comment": comment} if comment else {})}
    return client.post(
        f"{PROPOSALS}/{proposal['id']}/transition",
        json=body,
        headers={**auth(who), "If-Match": etag},
    )


def accepted_proposal(client: TestClient, auth: Auth) -> dict[str, Any]:
    """A proposal of sales, submitted, sent and accepted: its work packages exist."""
    proposal = create_proposal(client, auth)
    for to in ("submitted", "sent", "accepted"):
        ok(move_proposal(client, auth, proposal, to))
    return proposal
