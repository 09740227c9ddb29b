"""The approval inbox without JavaScript: what waits, what it breaks, approve or decline
with a comment (post, then 303 back with a notice), four eyes, a stale decision, roles."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient

from app.web.workspace.pages import etag_of
from tests.support.database import RolledBackDatabase
from tests.web.workspace_steps import WebUser, web_user


def _submitted(seller: WebUser, discount: str = "15") -> dict[str, Any]:
    proposal = seller.propose(discount_percent=discount)
    path = f"/proposals/{proposal['id']}"
    etag = etag_of(seller.read(proposal["id"]))
    assert seller.post(f"{path}/transition", {"to": "submitted", "etag": etag}).status_code == 303
    return seller.read(proposal["id"])


def _seen(approver: WebUser, proposal_id: int) -> str:
    """What the inbox's form for ``proposal_id`` sends back: the stamp of what it showed."""
    page = approver.client.get("/approvals").text
    found = re.search(rf'action="/approvals/{proposal_id}".*?name="seen" value="([^"]+)"',
                      page, re.DOTALL)  # fmt: skip
    assert found is not None
    return found.group(1)


def test_the_inbox_shows_what_waits_and_an_approval_with_a_comment_redirects_back(
    client: TestClient, database: RolledBackDatabase
) -> None:
    seller = web_user(client, database, "sales")
    approver = web_user(client, database, "approver")
    waiting = _submitted(seller)
    inbox = approver.client.get("/approvals")
    assert inbox.status_code == 200 and waiting["number"] in inbox.text
    assert "5 points" in inbox.text and "over the 10 %" in inbox.text  # what breaks, by how much
    assert inbox.text.count("over the 10 %") == 1  # said once, in the guardrails' table
    assert f"by {seller.email} · submitted" in inbox.text and " one-time · " in inbox.text
    path = f"/approvals/{waiting['id']}"
    seen = _seen(approver, waiting["id"])
    no_comment = approver.post(path, {"decision": "approved", "seen": seen})
    assert no_comment.status_code == 422 and f'id="e-{waiting["id"]}"' in no_comment.text
    done = approver.post(path, {"decision": "approved", "comment": "Strategic customer",
                                "seen": seen})  # fmt: skip
    assert done.status_code == 303 and done.headers["location"].startswith(
        "/approvals?done=approved"
    )
    after = approver.client.get(done.headers["location"])
    assert f"{waiting['number']}: approved." in after.text
    assert f'id="proposal-{waiting["id"]}"' not in after.text  # no longer waiting
    assert seller.read(waiting["id"])["status"] == "approved"


def test_four_eyes_an_approver_cannot_decide_their_own_and_a_decline_goes_back_to_draft(
    client: TestClient, database: RolledBackDatabase
) -> None:
    author = web_user(client, database, "approver")  # made as the service allows any principal
    other = web_user(client, database, "approver")
    own = _submitted(author, discount="30")  # over the approver's own 25 %
    assert "Your own proposal" in author.client.get("/approvals").text
    assert f'action="/approvals/{own["id"]}"' not in author.client.get("/approvals").text
    refused = author.post(f"/approvals/{own['id']}", {
        "decision": "approved", "comment": "mine", "seen": _seen(other, own["id"]),
    })  # fmt: skip
    assert refused.status_code == 403 and "four eyes" in refused.text
    declined = other.post(f"/approvals/{own['id']}", {
        "decision": "declined", "comment": "Too deep", "seen": _seen(other, own["id"]),
    })  # fmt: skip
    assert declined.status_code == 303
    assert author.read(own["id"])["status"] == "draft"


def test_a_decision_on_a_stale_inbox_is_told_so(
    client: TestClient, database: RolledBackDatabase
) -> None:
    seller = web_user(client, database, "sales")
    approver = web_user(client, database, "approver")
    seen = _submitted(seller)
    stale = _seen(approver, seen["id"])
    withdrawn = seller.post(f"/proposals/{seen['id']}/transition",
                            {"to": "withdrawn", "etag": etag_of(seen)})  # fmt: skip
    assert withdrawn.status_code == 303
    refused = approver.post(f"/approvals/{seen['id']}", {"decision": "approved", "comment": "ok",
                                                         "seen": stale})  # fmt: skip
    assert refused.status_code == 412 and "changed since you opened it" in refused.text
    assert seller.read(seen["id"])["status"] == "withdrawn"


def test_only_approvers_open_the_inbox(client: TestClient, database: RolledBackDatabase) -> None:
    seller = web_user(client, database, "sales")
    assert seller.client.get("/approvals").status_code == 403
    assert seller.post("/approvals/1", {"decision": "approved", "comment": "x"}).status_code == 403
