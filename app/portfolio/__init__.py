"""The portfolio: components, registries, catalog import and export, and the active catalog
snapshot every quote and configuration is answered from.

Other domains use the names below, and only these; each is imported when first read
(app.kit.faces says why).
"""

from typing import TYPE_CHECKING

from app.kit.faces import lazy_face

if TYPE_CHECKING:
    from app.portfolio.catalog.active import ActiveCatalog, load_active_snapshot
    from app.portfolio.catalog.service import import_snapshot
    from app.portfolio.catalog.store import catalog_revision, validate_model
    from app.portfolio.catalog.upload import Upload, import_upload
    from app.portfolio.changes import CatalogChange, CatalogGate, apply_change
    from app.portfolio.components.service import (
        create_component,
        get_component,
        in_review,
        new_draft,
        patch_component,
        version_component,
    )
    from app.portfolio.schemas import BrokenCombination
else:
    __getattr__ = lazy_face(__name__)

__all__ = [
    "ActiveCatalog",
    "BrokenCombination",
    "CatalogChange",
    "CatalogGate",
    "Upload",
    "apply_change",
    "catalog_revision",
    "create_component",
    "get_component",
    "import_snapshot",
    "import_upload",
    "in_review",
    "load_active_snapshot",
    "new_draft",
    "patch_component",
    "validate_model",
    "version_component",
]
