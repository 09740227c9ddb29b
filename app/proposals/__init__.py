"""Proposals: their lifecycle, frozen revisions, idempotent creation, and their PDFs.

Other domains use the names below, and only these; each is imported when first read
(app.kit.faces says why).
"""

from typing import TYPE_CHECKING

from app.kit.faces import lazy_face

if TYPE_CHECKING:
    from app.proposals.packages import PackageContent
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
else:
    __getattr__ = lazy_face(__name__)

__all__ = [
    "Customer",
    "CustomerSchema",
    "DeliveryDescription",
    "Frozen",
    "FrozenRevision",
    "LevelTerms",
    "Line",
    "PackageContent",
    "read_revision",
]
