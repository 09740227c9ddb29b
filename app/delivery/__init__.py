"""Delivery: the work packages of accepted proposals, per delivery centre, and their
delivery packs.

Other domains use the names below, and only these; each is imported when first read
(app.kit.faces says why).
"""

from typing import TYPE_CHECKING

from app.kit.faces import lazy_face

if TYPE_CHECKING:
    from app.delivery.service import create_for
else:
    __getattr__ = lazy_face(__name__)

__all__ = [
    "create_for",
]
