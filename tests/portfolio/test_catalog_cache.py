"""Catalog reads built once per catalog revision: the same answer (and ETag) until the
catalog changes, 304 for a client that has it, and never a stale answer after a change."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.kit.representation import represent
from app.kit.revision_cache import RevisionCache
from tests.support.api import ok

LIST = "/v1/components?limit=200"


def _summary_of(client: TestClient, headers: dict[str, str], code: str) -> str:
    items = ok(client.get(LIST, headers=headers))["items"]
    summary: str = next(item["summary"] for item in items if item["code"] == code)
    return summary


def test_a_list_answers_304_to_a_client_that_has_it(client: TestClient, auth: Any) -> None:
    first = client.get(LIST, headers=auth("sales"))
    again = client.get(LIST, headers={**auth("sales"), "If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.content == b""
    assert again.headers["ETag"] == first.headers["ETag"]
    other = client.get(LIST, headers={**auth("sales"), "If-None-Match": '"another"'})
    assert other.status_code == 200 and other.content == first.content


@pytest.mark.parametrize(
    "path",
    ["/v1/components/CMP-VM-LNX", "/v1/components/CMP-VM-LNX?version=1",
     "/v1/delivery-centres", "/v1/delivery-centres/CZ-BRN", "/v1/catalog/summary"],
)  # fmt: skip
def test_every_catalog_read_answers_304_to_a_client_that_has_it(
    client: TestClient, auth: Any, path: str
) -> None:
    first = client.get(path, headers=auth("sales"))
    again = client.get(path, headers={**auth("sales"), "If-None-Match": first.headers["ETag"]})
    assert first.status_code == 200 and again.status_code == 304


def test_a_registry_change_is_seen_at_once(client: TestClient, auth: Any) -> None:
    path = "/v1/delivery-centres/CZ-BRN"
    before = client.get(path, headers=auth("portfolio"))
    changed = client.patch(
        path, json={"monthly_capacity_hours": 12345},
        headers={**auth("portfolio"), "If-Match": before.headers["ETag"]},
    )  # fmt: skip
    ok(changed)
    after = ok(client.get(path, headers=auth("portfolio")))
    assert after["monthly_capacity_hours"] == 12345


def test_a_catalog_change_is_seen_at_once(client: TestClient, auth: Any) -> None:
    before = client.get(LIST, headers=auth("portfolio"))
    etag = client.get("/v1/components/CMP-VM-LNX", headers=auth("portfolio")).headers["ETag"]
    edited = client.patch(
        "/v1/components/CMP-VM-LNX", json={"summary": "Edited a moment ago"},
        headers={**auth("portfolio"), "If-Match": etag},
    )  # fmt: skip
    ok(edited)
    # The curator lists the latest version (the new draft); sales still the active one.
    assert _summary_of(client, auth("portfolio"), "CMP-VM-LNX") == "Edited a moment ago"
    assert _summary_of(client, auth("sales"), "CMP-VM-LNX") != "Edited a moment ago"
    after = client.get(LIST, headers={**auth("portfolio"), "If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200 and after.headers["ETag"] != before.headers["ETag"]


def test_each_kind_of_caller_gets_its_own_answer(client: TestClient, auth: Any) -> None:
    curator = client.get(LIST, headers=auth("portfolio")).json()
    seller = client.get(LIST, headers=auth("sales")).json()
    # Same revision, other visibility: a cached answer of one role never reaches another.
    assert {item["status"] for item in seller["items"]} == {"active"}
    assert len(curator["items"]) >= len(seller["items"])


def test_the_cache_keeps_only_the_newest_revision() -> None:
    cache = RevisionCache(max_entries=2)
    one, two = represent({"n": 1}), represent({"n": 2})
    cache.put(5, "a", one)
    assert cache.get(5, "a") == one and cache.get(4, "a") is None and cache.get(6, "a") is None
    cache.put(4, "b", two)  # built from an older read: served, not kept
    assert cache.get(4, "b") is None and cache.get(5, "a") == one
    cache.put(6, "b", two)  # a newer revision drops the older one's answers
    assert cache.get(5, "a") is None and cache.get(6, "b") == two


def test_the_cache_drops_the_least_recently_used_past_its_size() -> None:
    cache = RevisionCache(max_entries=2)
    for key in ("a", "b"):
        cache.put(1, key, represent({"key": key}))
    assert cache.get(1, "a") is not None  # "b" is now the least recently used
    cache.put(1, "c", represent("c"))
    assert cache.get(1, "b") is None and cache.get(1, "a") is not None
