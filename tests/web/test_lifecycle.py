"""A component version's lifecycle page without JavaScript: its where-used impact and price
changes, the buttons each role may press (four eyes), moves posted and 303 back, a
retirement that would strand open proposals asking first, and the gate's refusals in
words. On SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.auth import Principal
from app.portfolio import mentions
from app.portfolio.catalog.active import load_active_snapshot
from app.portfolio.components import service as components
from tests.support.api import Auth
from tests.support.assured import BACKUP, assured_dearer_backup_v2, with_combinations
from tests.support.database import RolledBackDatabase
from tests.web.workspace_steps import web_user

VM = "CMP-VM-LNX"


def page_of(code: str, version: int) -> str:
    return f"/catalog/components/{code}/versions/{version}/lifecycle"


def draft_v2(database: RolledBackDatabase, author: str, code: str = VM) -> None:
    """Version 2 of ``code``, its EUR one-time price 999.00, as a draft by ``author``."""
    with database.transaction(write=True) as session:
        seen = components.get_component(session, Principal(author, "portfolio"), code).body
        eur = {**seen["prices"]["EUR"], "one_time": "999.00"}
        components.patch_component(
            session, Principal(author, "portfolio"), code, {"prices": {"EUR": eur}}, "*"
        )


def move_v2(database: RolledBackDatabase, to: str, who: str, role: str) -> None:
    with database.transaction(write=True) as session:
        components.transition(session, Principal(who, role), VM, 2, to, None)  # type: ignore[arg-type]


def buttons_on(html: str) -> list[str]:
    return [to for to in ("in_review", "draft", "assured", "active", "retired")
            if f'name="to" value="{to}"' in html]  # fmt: skip


def _first_line(proposal: dict[str, Any]) -> tuple[str, int]:
    line = proposal["options"][0]["lines"][0]
    return line["component"], line["version"]


def test_the_author_sees_a_drafts_impact_and_may_only_submit_it(
    client: TestClient, database: RolledBackDatabase
) -> None:
    author = web_user(client, database, "portfolio")
    seller = web_user(client, database, "sales")
    proposal = seller.propose()
    code, version = _first_line(proposal)
    assert version == 1
    draft_v2(database, author.email, code)
    page = author.client.get(page_of(code, 2))
    assert page.status_code == 200, page.text
    assert "Draft" in page.text and "0 open proposal(s)" in page.text
    with database.transaction(write=False) as session:
        found = mentions(load_active_snapshot(session), code)
    assert found.offerings and found.rules
    for named in (*(o.offering.code for o in found.offerings), *(r.id for r in found.rules)):
        assert named in page.text
    # The re-pricing: EUR's one-time price against the active version, and the open
    # proposal that sells the active version 1.
    assert "one-time 999.00" in page.text
    assert "Against the active version 1" in page.text and proposal["number"] in page.text
    assert buttons_on(page.text) == ["in_review"]
    submitted = author.post(page_of(code, 2), {"to": "in_review"})
    assert submitted.status_code == 303
    assert submitted.headers["location"] == page_of(code, 2) + "?done=in_review"
    after = author.client.get(submitted.headers["location"])
    assert "Moved to in review." in after.text
    assert buttons_on(after.text) == ["draft"]  # its author may withdraw it; never assure


def test_an_approver_assures_another_persons_version_never_their_own(
    client: TestClient, database: RolledBackDatabase
) -> None:
    approver = web_user(client, database, "approver")
    draft_v2(database, "someone-else@example.com")
    move_v2(database, "in_review", "someone-else@example.com", "portfolio")
    page = approver.client.get(page_of(VM, 2))
    assert buttons_on(page.text) == ["draft", "assured"]
    assert "Your own version" not in page.text
    done = approver.post(page_of(VM, 2), {"to": "assured", "comment": "Reviewed."})
    assert done.status_code == 303

    own = web_user(client, database, "approver")
    with database.transaction(write=True) as session:  # their own draft (version 3)
        components.patch_component(session, Principal(own.email, "approver"), VM,
                                   {"summary": "Mine."}, "*")  # fmt: skip
    move_v2_3 = Principal("someone-else@example.com", "portfolio")
    with database.transaction(write=True) as session:
        components.transition(session, move_v2_3, VM, 3, "in_review", None)
    mine = own.client.get(page_of(VM, 3))
    assert "Your own version: another approver assures it" in mine.text
    assert buttons_on(mine.text) == ["draft"]
    refused = own.post(page_of(VM, 3), {"to": "assured"})  # forged: the service refuses
    assert refused.status_code == 403 and "four eyes" in refused.text


def test_sales_may_not_open_the_page_and_a_missing_version_is_a_404_page(
    client: TestClient, database: RolledBackDatabase
) -> None:
    seller = web_user(client, database, "sales")
    assert seller.client.get(page_of(VM, 1)).status_code == 403
    curator = web_user(client, database, "portfolio")
    missing = curator.client.get(page_of(VM, 9))
    assert missing.status_code == 404 and "has no version 9" in missing.text
    assert curator.post(page_of(VM, 9), {"to": "retired"}).status_code == 404
    bad = curator.post(page_of(VM, 1), {"to": "deleted"})
    assert bad.status_code == 422 and "Choose one of the lifecycle" in bad.text


@pytest.mark.usefixtures("without_assured_combinations")
def test_retiring_a_version_an_open_proposal_sells_says_which_and_asks(
    client: TestClient, database: RolledBackDatabase
) -> None:
    seller = web_user(client, database, "sales")
    curator = web_user(client, database, "portfolio")
    proposal = seller.propose()
    code, version = _first_line(proposal)
    page = curator.client.get(page_of(code, version))
    assert proposal["number"] in page.text and "Retire anyway" in page.text
    assert buttons_on(page.text) == ["retired"]

    asked = curator.post(page_of(code, version), {"to": "retired"})
    assert asked.status_code == 409
    assert 'role="alert"' in asked.text and proposal["number"] in asked.text
    assert "Acme Logistics GmbH" in asked.text and 'id="e-confirm"' in asked.text

    assert f'name="stranded" value="{proposal["id"]}"' in asked.text  # the ones shown
    # A confirmation of other proposals than those selling it now strands nothing unseen.
    unseen = curator.post(page_of(code, version), {"to": "retired", "confirm_stranding": "yes",
                                                   "stranded": "999999"})  # fmt: skip
    assert unseen.status_code == 409 and proposal["number"] in unseen.text
    confirmed = curator.post(page_of(code, version), {"to": "retired", "confirm_stranding": "yes",
                                                      "stranded": str(proposal["id"])})  # fmt: skip
    assert confirmed.status_code == 303
    after = curator.client.get(confirmed.headers["location"])
    assert "Moved to retired." in after.text and "Retired" in after.text
    assert buttons_on(after.text) == []


def test_an_activation_the_gate_refuses_is_told_in_words(
    client: TestClient, auth: Auth, database: RolledBackDatabase
) -> None:
    with_combinations(database, BACKUP)
    assured_dearer_backup_v2(client, auth)
    curator = web_user(client, database, "portfolio")
    page = curator.client.get(page_of("BKP-MANAGED", 2))
    assert "Check the assured combinations" in page.text
    preview = curator.client.get(page_of("BKP-MANAGED", 2) + "?assurance=1")
    assert "would break 1 assured combination" in preview.text and "backup-5tb" in preview.text
    refused = curator.post(page_of("BKP-MANAGED", 2), {"to": "active"})
    assert refused.status_code == 409
    assert "backup-5tb (Managed backup of 5 TB" in refused.text
    assert "An approver who is not you may override" in refused.text
