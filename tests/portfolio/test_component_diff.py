"""The diff of two component versions: fields by readable path (nested maps flattened),
documents line by line; the pure function, then the API that serves it."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.portfolio import DELIVERY_SECTIONS, component_diff, from_markdown
from app.portfolio.catalog.store import component_document
from app.portfolio.components.diff import document_markdown, flatten, line_diff
from catalog import load_default_catalog
from tests.support.api import ok
from tests.support.components import new_draft
from tests.support.database import RolledBackDatabase
from tests.support.problems import assert_problem


@pytest.fixture(scope="module")
def linux() -> dict[str, Any]:
    component = load_default_catalog().component("CMP-VM-LNX")
    return {**component_document(component), "status": "active"}


def _changed(before: dict[str, Any], **changes: Any) -> dict[str, Any]:
    after = copy.deepcopy(before)
    after.update(changes)
    after["version"] = before["version"] + 1
    return after


def test_the_same_content_is_unchanged(linux: dict[str, Any]) -> None:
    found = component_diff(linux, _changed(linux))
    assert found.unchanged and found.fields == ()
    assert [d.name for d in found.documents] == [
        "specification", "statement_of_work", "delivery_description",
    ]  # fmt: skip
    assert not any(document.changed or document.hidden for document in found.documents)
    assert (found.code, found.before, found.after) == ("CMP-VM-LNX", 1, 2)


def test_nested_prices_and_service_levels_have_readable_paths(linux: dict[str, Any]) -> None:
    after = _changed(linux, status="draft")
    after["prices"]["EUR"]["one_time"] = "300.0"
    after["prices"]["EUR"]["tiers"]["bands"][1]["monthly"] = "145.0"
    after["service_levels"] = [
        level for level in after["service_levels"] if level["name"] != "silver"
    ]
    after["service_levels"][-1]["price_factor"] = "1.4"
    after["attributes"]["tier"] = "3"
    after["charges"] = ["monthly"]
    found = component_diff(linux, after)
    rows = {change.path: (change.before, change.after) for change in found.fields}
    assert rows == {
        "status": ("active", "draft"),
        "charges": ("monthly, one_time", "monthly"),
        "attributes.tier": (None, "3"),
        "prices.EUR.one_time": ("290.0", "300.0"),
        "prices.EUR.tiers.bands[1].monthly": ("149.0", "145.0"),
        # a level taken out: its own paths only, the others keep theirs (named, not indexed)
        "service_levels[silver].availability": ("99.9", None),
        "service_levels[silver].cost_factor": ("1.1", None),
        "service_levels[silver].price_factor": ("1.15", None),
        "service_levels[silver].response_minutes": ("60", None),
        "service_levels[silver].restore_hours": ("8", None),
        "service_levels[gold].price_factor": ("1.35", "1.4"),
    }
    # in the model's order: status before charges before attributes before prices
    assert [change.path for change in found.fields][:3] == ["status", "charges", "attributes.tier"]
    assert not found.unchanged


def test_versions_and_times_are_not_compared(linux: dict[str, Any]) -> None:
    after = _changed(linux, created_at="2026-01-01T00:00:00", latest_version=2)
    assert component_diff(linux, after).fields == ()
    assert "version" not in flatten(linux) and "documents.specification" not in flatten(linux)


def test_a_booleans_and_nulls_read_as_text(linux: dict[str, Any]) -> None:
    after = _changed(linux, availability_chain=False, partner={"name": "Acme", "status": "go"})
    rows = {c.path: (c.before, c.after) for c in component_diff(linux, after).fields}
    assert rows == {
        "availability_chain": ("true", "false"),
        "partner.name": (None, "Acme"),
        "partner.status": (None, "go"),
    }


def test_documents_differ_line_by_line_with_context(linux: dict[str, Any]) -> None:
    after = _changed(linux)
    specification = after["documents"]["specification"].splitlines()
    specification[6] = "**Included, as standard**"
    after["documents"]["specification"] = "\n".join(specification) + "\nA new last line.\n"
    after["documents"]["statement_of_work"]["deliverables"] = [
        *linux["documents"]["statement_of_work"]["deliverables"],
        "A *quarterly* review.",
    ]
    found = component_diff(linux, after)
    assert found.fields == () and not found.unchanged
    spec, sow, delivery = found.documents
    assert not delivery.changed
    assert len(spec.hunks) == 2  # the changed line and the added one, far apart
    first = spec.hunks[0]
    kinds = [line.kind for line in first]
    assert kinds.count("removed") == 1 and kinds.count("added") == 1
    removed = next(line for line in first if line.kind == "removed")
    added = next(line for line in first if line.kind == "added")
    assert (removed.before, removed.after, removed.text) == (7, None, "**Included**")
    assert (added.before, added.after, added.text) == (None, 7, "**Included, as standard**")
    assert [line.kind for line in first[:3]] == ["same"] * 3  # three lines of context
    assert spec.hunks[1][-1].text == "A new last line." and spec.hunks[1][-1].kind == "added"
    assert [(line.kind, line.text) for line in sow.hunks[0] if line.kind != "same"] == [
        ("added", "- A *quarterly* review.")
    ]


def test_a_document_hidden_on_either_side_is_not_compared(linux: dict[str, Any]) -> None:
    after = _changed(linux)
    del after["documents"]["delivery_description"]
    delivery = component_diff(linux, after).documents[2]
    assert delivery.hidden and delivery.hunks == () and not delivery.changed


def test_structured_documents_are_written_out_as_markdown(linux: dict[str, Any]) -> None:
    description = linux["documents"]["delivery_description"]
    text = document_markdown("delivery_description", description)
    assert text.startswith("## Provisioning\n\n1. ")  # the steps in order
    assert "## Handover" in text and "## Service KPIs" in text
    # What the diff compares is what the editor shows and reads back.
    assert from_markdown(text, DELIVERY_SECTIONS).value == description
    assert line_diff([], []) == () and line_diff(["a"], ["a"]) == ()


# -- the API -------------------------------------------------------------------------------


def _linux_draft(database: RolledBackDatabase) -> dict[str, Any]:
    return new_draft(database, "CMP-VM-LNX", {
        "prices": {"EUR": {"one_time": "300"}},
        "effort": {"monthly": {"unix-admin": "2.5"}},
        "documents": {"specification": "## Managed Linux virtual server\n\nNew text.\n"},
    })  # fmt: skip


def test_the_api_diffs_two_versions_as_the_page_does(
    client: TestClient, auth: Any, database: RolledBackDatabase
) -> None:
    draft = _linux_draft(database)
    params = {"from": 1, "to": draft["version"]}
    body = ok(client.get("/v1/components/CMP-VM-LNX/diff", headers=auth("portfolio"),
                         params=params))  # fmt: skip
    assert (body["code"], body["before"], body["after"]) == ("CMP-VM-LNX", 1, draft["version"])
    paths = {row["path"]: row for row in body["fields"]}
    assert paths["prices.EUR.one_time"] == {
        "path": "prices.EUR.one_time", "before": "290.0", "after": "300",
    }  # fmt: skip
    assert "effort.monthly.unix-admin" in paths and paths["status"]["after"] == "draft"
    specification = body["documents"][0]
    assert specification["changed"] and not specification["hidden"]
    assert {"kind": "added", "before": None, "after": 3, "text": "New text."} in (
        specification["hunks"][0]
    )
    assert body["unchanged"] is False


def test_the_api_keeps_drafts_and_cost_from_sales(
    client: TestClient, auth: Any, database: RolledBackDatabase
) -> None:
    draft = _linux_draft(database)
    hidden = client.get("/v1/components/CMP-VM-LNX/diff", headers=auth("sales"),
                        params={"from": 1, "to": draft["version"]})  # fmt: skip
    assert_problem(hidden, 404, "not-found")
    same = ok(client.get("/v1/components/CMP-VM-LNX/diff", headers=auth("sales"),
                         params={"from": 1, "to": 1}))  # fmt: skip
    assert same["unchanged"] is True and same["fields"] == []
    versions = ok(client.get("/v1/components/CMP-VM-LNX/versions", headers=auth("sales")))
    assert [row["version"] for row in versions["versions"]] == [1]
    curated = ok(client.get("/v1/components/CMP-VM-LNX/versions", headers=auth("portfolio")))
    assert [(r["version"], r["status"]) for r in curated["versions"]] == [
        (1, "active"), (draft["version"], "draft"),
    ]  # fmt: skip
    assert curated["versions"][1]["author"] == "curator@example.com"


def test_the_api_diff_refuses_unknown_components_and_bad_versions(
    client: TestClient, auth: Any
) -> None:
    path = "/v1/components/CMP-VM-LNX/diff"
    assert_problem(client.get("/v1/components/NOPE/diff", headers=auth("portfolio"),
                              params={"from": 1, "to": 1}), 404, "not-found")  # fmt: skip
    assert_problem(client.get(path, headers=auth("portfolio"), params={"from": 1, "to": 9}),
                   404, "not-found")  # fmt: skip
    assert (
        client.get(path, headers=auth("portfolio"), params={"from": 0, "to": 1}).status_code == 422
    )
    assert client.get(path, headers=auth("portfolio"), params={"to": 1}).status_code == 422
    assert_problem(client.get("/v1/components/NOPE/versions", headers=auth("sales")), 404,
                   "not-found")  # fmt: skip
