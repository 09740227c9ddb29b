"""The portfolio: components, registries, catalog import and export, and the active catalog
snapshot every quote and configuration is answered from.

Other domains use the names below, and only these; each is imported when first read
(app.kit.faces says why).
"""

from typing import TYPE_CHECKING

from app.kit.faces import lazy_face

if TYPE_CHECKING:
    from app.portfolio.catalog.active import ActiveCatalog
    from app.portfolio.catalog.service import import_snapshot
    from app.portfolio.catalog.store import validate_model
else:
    __getattr__ = lazy_face(__name__)

__all__ = [
    "ActiveCatalog",
    "import_snapshot",
    "validate_model",
]
