"""Share links through the API: made for an issued revision only (sharing an approved
proposal sends it), the token shown once and stored only as its hash, one live link per
revision, revocable, expiring with the proposal's validity (or sooner by the settings),
and the same visibility as proposals."""

from __future__ import annotations

import hashlib
import logging
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
import uvicorn.logging
from fastapi.testclient import TestClient
from sqlalchemy import select

from app.kit.settings import Settings
from app.models import ShareLink
from app.proposals.links.addresses import anonymised, truncated
from app.proposals.links.state import link_state
from tests.support.api import ok
from tests.support.factories import PROPOSALS, create_proposal, move_proposal
from tests.support.problems import assert_problem
from tests.support.share import issued_proposal, page_path, share


def link_of(proposal: dict[str, Any]) -> str:
    return f"{PROPOSALS}/{proposal['id']}/share-link"


def test_sharing_an_approved_proposal_sends_it_and_shows_the_url_once(
    client: TestClient, auth: Any, database: Any
) -> None:
    proposal = issued_proposal(client, auth)
    created = share(client, auth, proposal)
    token = page_path(created["url"]).removeprefix("/p/")
    assert created["url"].startswith("http://testserver/p/")
    assert len(token) >= 43  # 256 bits, URL-safe base64
    assert created["state"] == "open" and created["revision"] == 1
    assert created["created_by"] == "sales" and created["revoked_at"] is None
    assert created["views"] == {"count": 0, "last": None, "items": []}
    after = ok(client.get(f"{PROPOSALS}/{proposal['id']}", headers=auth("sales")))
    assert after["status"] == "sent"
    assert after["history"][-1]["from"] == "approved" and after["history"][-1]["to"] == "sent"
    read = ok(client.get(link_of(proposal), headers=auth("sales")))
    assert "url" not in read and token not in str(read)
    with database.transaction(write=False) as session:
        stored = session.scalars(select(ShareLink)).all()
    assert [row.token_hash for row in stored] == [hashlib.sha256(token.encode()).hexdigest()]
    assert all(token not in str(vars(row)) for row in stored)


def test_two_links_never_share_a_token(client: TestClient, auth: Any) -> None:
    proposal = issued_proposal(client, auth)
    first, second = share(client, auth, proposal), share(client, auth, proposal)
    assert first["url"] != second["url"]


def test_only_an_issued_revision_is_shared(client: TestClient, auth: Any) -> None:
    draft = create_proposal(client, auth)
    assert_problem(client.post(link_of(draft), headers=auth("sales")), 409, "illegal-transition")
    withdrawn = issued_proposal(client, auth)
    ok(move_proposal(client, auth, withdrawn, "withdrawn"))
    assert_problem(client.post(link_of(withdrawn), headers=auth("sales")), 409)


def test_a_sent_proposal_is_shared_again_and_stays_sent(client: TestClient, auth: Any) -> None:
    proposal = issued_proposal(client, auth)
    ok(move_proposal(client, auth, proposal, "sent"))
    assert share(client, auth, proposal)["state"] == "open"
    history = ok(client.get(f"{PROPOSALS}/{proposal['id']}", headers=auth("sales")))["history"]
    assert [event["to"] for event in history].count("sent") == 1


def test_sharing_again_revokes_the_revisions_previous_link(
    client: TestClient, auth: Any, database: Any
) -> None:
    proposal = issued_proposal(client, auth)
    first = share(client, auth, proposal)
    second = share(client, auth, proposal)
    assert second["id"] != first["id"]
    with database.transaction(write=False) as session:
        rows = {row.id: row for row in session.scalars(select(ShareLink))}
    assert rows[first["id"]].revoked_at is not None and rows[first["id"]].revoked_by == "sales"
    assert rows[second["id"]].revoked_at is None
    assert client.get(page_path(first["url"])).status_code == 410
    assert client.get(page_path(second["url"])).status_code == 200


def test_revoking_closes_the_page_and_is_idempotent(client: TestClient, auth: Any) -> None:
    proposal = issued_proposal(client, auth)
    created = share(client, auth, proposal)
    revoked = ok(client.delete(link_of(proposal), headers=auth("sales")))
    assert revoked["state"] == "revoked" and revoked["revoked_by"] == "sales"
    again = ok(client.delete(link_of(proposal), headers=auth("admin")))
    assert again["revoked_at"] == revoked["revoked_at"] and again["revoked_by"] == "sales"
    assert client.get(page_path(created["url"])).status_code == 410
    assert ok(client.get(link_of(proposal), headers=auth("sales")))["state"] == "revoked"


def test_a_proposal_never_shared_has_no_link(client: TestClient, auth: Any) -> None:
    proposal = issued_proposal(client, auth)
    assert_problem(client.get(link_of(proposal), headers=auth("sales")), 404)
    assert_problem(client.delete(link_of(proposal), headers=auth("sales")), 404)


def test_the_link_expires_with_the_proposals_validity(client: TestClient, auth: Any) -> None:
    proposal = issued_proposal(client, auth)
    created = share(client, auth, proposal)
    valid_until = date.fromisoformat(proposal["valid_until"])
    end = datetime.combine(valid_until + timedelta(days=1), time.min, UTC)
    assert datetime.fromisoformat(created["expires_at"]) == end


class TestShorterByTheSettings:
    @pytest.fixture
    def settings(self) -> Settings:
        return Settings(auth_failures_per_minute=10_000, share_link_days=3)

    def test_a_setting_shortens_the_expiry(self, client: TestClient, auth: Any) -> None:
        before = datetime.now(UTC)
        created = share(client, auth, issued_proposal(client, auth))
        expires = datetime.fromisoformat(created["expires_at"])
        assert before + timedelta(days=3) <= expires <= datetime.now(UTC) + timedelta(days=3)


def test_a_public_base_url_setting_builds_the_link(
    client: TestClient, auth: Any, settings: Settings
) -> None:
    settings.public_base_url = "https://offers.example.com/"
    created = share(client, auth, issued_proposal(client, auth))
    assert created["url"].startswith("https://offers.example.com/p/")


def test_who_may_share_read_and_revoke(client: TestClient, auth: Any) -> None:
    auth.add("sales-2", "sales")
    proposal = issued_proposal(client, auth)
    for role in ("approver", "portfolio", "delivery"):
        assert_problem(client.post(link_of(proposal), headers=auth(role)), 403)
    assert_problem(client.post(link_of(proposal), headers=auth("sales-2")), 404)
    share(client, auth, proposal, who="admin")
    for reader in ("sales", "approver", "admin"):
        assert ok(client.get(link_of(proposal), headers=auth(reader)))["created_by"] == "admin"
    assert_problem(client.get(link_of(proposal), headers=auth("sales-2")), 404)
    for role in ("portfolio", "delivery"):
        assert_problem(client.get(link_of(proposal), headers=auth(role)), 403)
    for role in ("approver", "portfolio"):
        assert_problem(client.delete(link_of(proposal), headers=auth(role)), 403)
    assert_problem(client.delete(link_of(proposal), headers=auth("sales-2")), 404)


@pytest.mark.parametrize(
    ("address", "kept"),
    [
        ("203.0.113.77", "203.0.113.0/24"),
        ("2001:db8:abcd:12:3456::1", "2001:db8:abcd::/48"),
        ("::ffff:198.51.100.9", "198.51.100.0/24"),
        ("testclient", "unknown"),
        (None, "unknown"),
    ],
)
def test_addresses_are_kept_as_their_network(address: str | None, kept: str) -> None:
    assert anonymised(address) == kept


def test_user_agents_are_truncated_and_printable() -> None:
    assert truncated("A" * 500) == "A" * 200
    assert truncated("Mozilla\x00/5.0\n") == "Mozilla/5.0"


def test_tokens_never_reach_the_logs(client: TestClient, caplog: pytest.LogCaptureFixture) -> None:
    token = "fD3vDIJfWRIeQOlSM5s4lKxnbhVwGvcnxHkbj1-VqRg"
    access = logging.getLogger("uvicorn.access")
    with caplog.at_level(logging.INFO, logger="uvicorn.access"):
        access.info('%s - "%s %s HTTP/%s" %d', "203.0.113.7", "GET", f"/p/{token}/pdf", "1.1", 200)
        logging.getLogger("offerwright.api").warning("unhandled error on GET /p/%s", token)
    assert token not in caplog.text
    assert "/p/[token]/pdf" in caplog.text
    # Uvicorn's access formatter reads the five arguments: they stay five.
    formatter = uvicorn.logging.AccessFormatter("%(request_line)s %(status_code)s")
    line = formatter.format(caplog.records[0])
    assert line == "GET /p/[token]/pdf HTTP/1.1 200 OK"


NOW = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("changes", "state"),
    [
        ({}, "open"),
        ({"revoked": True}, "revoked"),
        ({"revoked": True, "status": "accepted"}, "revoked"),
        ({"proposal_revision": 2}, "superseded"),
        ({"proposal_revision": 2, "status": "draft"}, "superseded"),
        ({"status": "accepted"}, "accepted"),
        ({"status": "accepted", "expires_at": NOW - timedelta(days=1)}, "accepted"),
        ({"status": "withdrawn"}, "withdrawn"),
        ({"status": "rejected"}, "declined"),
        ({"status": "expired"}, "expired"),
        ({"valid_until": date(2026, 12, 5)}, "expired"),
        ({"expires_at": NOW}, "expired"),
        ({"status": "approved"}, "closed"),
    ],
)
def test_what_a_link_leads_to(changes: dict[str, Any], state: str) -> None:
    facts: dict[str, Any] = {
        "revoked": False, "link_revision": 1, "expires_at": NOW + timedelta(days=3),
        "proposal_revision": 1, "status": "sent", "valid_until": date(2026, 12, 9), "now": NOW,
    }  # fmt: skip
    assert link_state(**{**facts, **changes}) == state
