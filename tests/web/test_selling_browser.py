"""Guided selling in a real browser: needs, the options' forced and impossible states with
their reasons (an htmx swap that pushes the URL), good/better/best, and the proposal."""

from __future__ import annotations

from sqlalchemy import select

from app.models import Proposal
from tests.support.browser import Watched
from tests.support.live_server import LiveServer
from tests.web.conftest import sign_in
from tests.web.selling_steps import configure_and_create


def test_sales_configure_the_demo_request_and_create_the_better_bundle(
    page: Watched, server: LiveServer
) -> None:
    seller = server.user("sales", name="Sam Seller")
    sign_in(page.page, server, seller, next_path="/configure")
    proposal_id = configure_and_create(page.page, server.url)
    with server.database.transaction(write=False) as session:
        proposal = session.scalars(select(Proposal).where(Proposal.id == proposal_id)).one()
        assert proposal.author
        assert proposal.customer["name"] == "Acme GmbH"
