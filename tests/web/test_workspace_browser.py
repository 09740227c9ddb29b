"""One walk through the workspace in a real browser: a seller submits a proposal whose
discount needs approval, an approver approves it from the inbox, the seller shares it."""

from __future__ import annotations

from tests.support.browser import Watched
from tests.support.live_server import LiveServer
from tests.web.conftest import sign_in
from tests.web.workspace_steps import (
    approve_in_inbox,
    create_proposal_for,
    create_share_link,
    open_proposal_from_list,
    sign_out,
    submit_proposal,
)


def test_submit_approve_and_share(page: Watched, server: LiveServer) -> None:
    seller, approver = server.user("sales"), server.user("approver")
    proposal = create_proposal_for(server.url, server.database, server.key("sales"), seller.email)
    number = proposal["number"]
    sign_in(page.page, server, seller, next_path="/proposals")
    open_proposal_from_list(page.page, server.url, number)
    submit_proposal(page.page)
    sign_out(page.page)
    sign_in(page.page, server, approver, next_path="/approvals")
    approve_in_inbox(page.page, server.url, number, "Strategic customer, approved")
    sign_out(page.page)
    sign_in(page.page, server, seller, next_path="/proposals")
    url = create_share_link(page.page, server.url, proposal["id"])
    assert "/p/" in url
    assert page.errors == []
