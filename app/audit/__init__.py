"""The audit log: who changed what, when, from what to what.

Other domains use the names below, and only these; each is imported when first read
(app.kit.faces says why).
"""

from typing import TYPE_CHECKING

from app.kit.faces import lazy_face

if TYPE_CHECKING:
    from app.audit.service import entries, record
else:
    __getattr__ = lazy_face(__name__)

__all__ = [
    "entries",
    "record",
]
