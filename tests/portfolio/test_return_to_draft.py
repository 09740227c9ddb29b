"""A version in review goes back to draft (withdrawn by its author, returned by a reviewer)
only while it is the latest version: a component has one draft at a time, the one an edit
changes; the author then edits that same version again."""

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


def test_a_returned_version_is_the_draft_edited_again(client: TestClient, auth: Any) -> None:
    _in_review(client, auth)
    back = ok(move_component(client, auth("approver"), CODE, 2, "draft",
                             comment="Name the OS versions."))  # fmt: skip
    assert back["status"] == "draft"
    editor = auth("portfolio")
    etag = etag_of(client, editor, f"/v1/components/{CODE}?version=2")
    again = ok(patch_component(client, editor, CODE, {"summary": "Fixed."}, etag))
    assert again["version"] == 2 and get_component(client, editor, CODE)["version"] == 1


def test_only_the_latest_version_goes_back_to_draft(client: TestClient, auth: Any) -> None:
    _in_review(client, auth)
    editor = auth("portfolio")
    etag = etag_of(client, editor, f"/v1/components/{CODE}?version=2")
    ok(patch_component(client, editor, CODE, {"summary": "Version three."}, etag))  # v3 draft
    older = move_component(client, auth("approver"), CODE, 2, "draft", comment="Fix it.")
    assert older.status_code == 409 and "version 3 is newer" in older.json()["detail"]
    active = move_component(client, auth("approver"), CODE, 1, "draft", comment="No.")
    assert active.status_code == 409  # active -> draft is no move of the lifecycle
    assert move_component(client, auth("sales"), CODE, 2, "draft").status_code == 403
