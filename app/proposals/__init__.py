"""Proposals: their lifecycle, frozen revisions, idempotent creation, their PDFs, the
customer's share links and the customer's acceptance.

Other domains use the names below, and only these; each is imported when first read
(app.kit.faces says why).
"""

from typing import TYPE_CHECKING

from app.kit.faces import lazy_face

if TYPE_CHECKING:
    from app.proposals.acceptance.choices import choices_of
    from app.proposals.acceptance.service import RENDER_CONTRACT, render_contract
    from app.proposals.choices import Choice
    from app.proposals.documents import Pending as PdfPending
    from app.proposals.documents import requested as requested_pdf
    from app.proposals.inbox import Awaiting, decide_waiting, waiting_for
    from app.proposals.links.service import current as current_link
    from app.proposals.links.service import revoke as revoke_link
    from app.proposals.links.service import share as share_link
    from app.proposals.packages import (
        PackageContent,
        PackageLoad,
        month_start,
        package_load,
        versions_sold,
    )
    from app.proposals.preview import preview_html
    from app.proposals.revision import (
        Customer,
        DeliveryDescription,
        Frozen,
        FrozenRevision,
        LevelTerms,
        Line,
        read_revision,
    )
    from app.proposals.schemas import Customer as CustomerSchema
    from app.proposals.schemas import ProposalCreate
    from app.proposals.service import (
        Ladder,
        ListFilters,
        ladder,
        listing,
        option_names,
        revise,
        transition,
    )
    from app.proposals.service import Services as ProposalServices
    from app.proposals.service import create as create_proposal
    from app.proposals.service import read as read_proposal
    from app.proposals.states import Status as ProposalStatus
else:
    __getattr__ = lazy_face(__name__)

__all__ = [
    "RENDER_CONTRACT",
    "Awaiting",
    "Choice",
    "Customer",
    "CustomerSchema",
    "DeliveryDescription",
    "Frozen",
    "FrozenRevision",
    "Ladder",
    "LevelTerms",
    "Line",
    "ListFilters",
    "PackageContent",
    "PackageLoad",
    "PdfPending",
    "ProposalCreate",
    "ProposalServices",
    "ProposalStatus",
    "choices_of",
    "create_proposal",
    "current_link",
    "decide_waiting",
    "ladder",
    "listing",
    "month_start",
    "option_names",
    "package_load",
    "preview_html",
    "read_proposal",
    "read_revision",
    "render_contract",
    "requested_pdf",
    "revise",
    "revoke_link",
    "share_link",
    "transition",
    "versions_sold",
    "waiting_for",
]
