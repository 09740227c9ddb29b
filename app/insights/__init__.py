"""Insights: the measures the business runs by (go to market, portfolio, delivery), each
computed in SQL over a read model written with the proposals' revisions and the quoting's
conflicts; served as JSON and CSV under /v1/insights and drawn by the web app's pages.

Other domains use the names below, and only these; each is imported when first read
(app.kit.faces says why).
"""

from typing import TYPE_CHECKING

from app.kit.faces import lazy_face

if TYPE_CHECKING:
    from app.insights.export import as_csv
    from app.insights.facts import Conflict, LineFacts, MissFacts, RevisionFacts
    from app.insights.filters import Filters
    from app.insights.schemas import Delivery, GoToMarket, Portfolio
    from app.insights.service import (
        delivery,
        go_to_market,
        portfolio,
        record_miss,
        record_revision,
    )
else:
    __getattr__ = lazy_face(__name__)

__all__ = [
    "Conflict",
    "Delivery",
    "Filters",
    "GoToMarket",
    "LineFacts",
    "MissFacts",
    "Portfolio",
    "RevisionFacts",
    "as_csv",
    "delivery",
    "go_to_market",
    "portfolio",
    "record_miss",
    "record_revision",
]
