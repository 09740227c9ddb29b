"""An approver returns a version in review to draft (the assurance queue's "return"): with a
comment saying what to fix, only the latest version, and only approvers; the author edits
the same version again."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.support.api import etag_of, ok
from tests.support.factories import get_component, move_component, patch_component

CODE = "CMP-VM-LNX"


def _in_review(client: TestClient, auth: Any) -> None:
    editor = auth("portfolio")
    etag = etag_of(client, editor, f"/v1/components/{CODE}")
    ok(patch_component(client, editor, CODE, {"summary": "Version two."}, etag))
    ok(move_component(client, editor, CODE, 2, "in_review"))


def test_an_approver_returns_a_version_to_draft_with_a_comment(
    client: TestClient, auth: Any
) -> None:
    _in_review(client, auth)
    approver = auth("approver")
    blank = move_component(client, approver, CODE, 2, "draft")
    assert blank.status_code == 422, blank.text
    assert blank.json()["errors"][0]["field"] == "comment"
    assert move_component(client, approver, CODE, 2, "draft", comment=" ").status_code == 422
    back = ok(move_component(client, approver, CODE, 2, "draft", comment="Name the OS versions."))
    assert back["status"] == "draft"
    # The author's draft again: edited in place, no new version.
    editor = auth("portfolio")
    etag = etag_of(client, editor, f"/v1/components/{CODE}?version=2")
    again = ok(patch_component(client, editor, CODE, {"summary": "Fixed."}, etag))
    assert again["version"] == 2 and get_component(client, editor, CODE)["version"] == 1


def test_only_approvers_return_and_only_the_latest_version(client: TestClient, auth: Any) -> None:
    _in_review(client, auth)
    refused = move_component(client, auth("portfolio"), CODE, 2, "draft", comment="Mine.")
    assert refused.status_code == 403
    editor = auth("portfolio")
    etag = etag_of(client, editor, f"/v1/components/{CODE}?version=2")
    ok(patch_component(client, editor, CODE, {"summary": "Version three."}, etag))  # v3 draft
    older = move_component(client, auth("approver"), CODE, 2, "draft", comment="Fix it.")
    assert older.status_code == 409 and "version 3 is newer" in older.json()["detail"]
    active = move_component(client, auth("approver"), CODE, 1, "draft", comment="No.")
    assert active.status_code == 409  # active -> draft is no move of the lifecycle
