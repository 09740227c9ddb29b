"""The contract copy: the proposal document as accepted, with an acceptance page, rendered
as PDF/A-3b. Built from plain values (no database), so a render worker can draw it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

from app.documents import content_key
from app.proposals.pdf import ProposalDocument, render_html

_PAGES = Environment(
    loader=PackageLoader("app.proposals", "templates"),
    autoescape=select_autoescape(default=True),
    trim_blocks=True,
    lstrip_blocks=True,
)
TEMPLATE = "contract/acceptance.html"


@dataclass(frozen=True, slots=True)
class ContractDocument:
    """A proposal document and the facts of its acceptance (texts, as they are shown)."""

    proposal: ProposalDocument
    acceptance: dict[str, str]

    @property
    def archival(self) -> bool:
        return True  # the contract copy is archived: always PDF/A-3b

    def data(self) -> dict[str, Any]:
        template = _PAGES.loader.get_source(_PAGES, TEMPLATE)[0]  # type: ignore[union-attr]
        return {"proposal": self.proposal.data(), "acceptance": self.acceptance,
                "acceptance_template": template}  # fmt: skip

    def key(self) -> str:
        return content_key(self.data(), "proposal.html")

    def html(self) -> str:
        document = render_html(self.proposal)
        page = _PAGES.get_template(TEMPLATE).render(**self.acceptance)
        head, tail = document.rsplit("</body>", 1)
        return f"{head}{page}\n</body>{tail}"
