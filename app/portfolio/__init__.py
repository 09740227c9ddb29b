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
    from app.portfolio.components.diff import ComponentDiff, DiffLine, FieldChange, component_diff
    from app.portfolio.components.documents import (
        DELIVERY_SECTIONS,
        SOW_SECTIONS,
        from_markdown,
        to_markdown,
    )
    from app.portfolio.components.history import compare_versions, component_versions
    from app.portfolio.components.mentions import Mentions, mentions
    from app.portfolio.components.service import (
        create_component,
        get_component,
        in_review,
        list_components,
        may_move,
        new_draft,
        next_statuses,
        patch_component,
        version_component,
    )
    from app.portfolio.components.service import summary as component_summary
    from app.portfolio.components.where_used import OPEN_STATUSES, WhereUsed, where_used
    from app.portfolio.prices.service import FORMATS as PRICE_SHEET_FORMATS
    from app.portfolio.prices.service import apply_changes as apply_price_changes
    from app.portfolio.prices.service import book_of as price_book
    from app.portfolio.prices.service import export_book as export_price_book
    from app.portfolio.prices.service import preview as preview_prices
    from app.portfolio.prices.service import price_books
    from app.portfolio.prices.service import read as read_price_sheet
    from app.portfolio.prices.sheet import CellProblem as PriceProblem
    from app.portfolio.prices.sheet import Change as PriceChange
    from app.portfolio.prices.sheet import Plan as PricePlan
    from app.portfolio.schemas import BrokenCombination
else:
    __getattr__ = lazy_face(__name__)

__all__ = [
    "DELIVERY_SECTIONS",
    "OPEN_STATUSES",
    "PRICE_SHEET_FORMATS",
    "SOW_SECTIONS",
    "ActiveCatalog",
    "BrokenCombination",
    "CatalogChange",
    "CatalogGate",
    "ComponentDiff",
    "DiffLine",
    "FieldChange",
    "Mentions",
    "PriceChange",
    "PricePlan",
    "PriceProblem",
    "Upload",
    "WhereUsed",
    "apply_change",
    "apply_price_changes",
    "catalog_revision",
    "compare_versions",
    "component_diff",
    "component_summary",
    "component_versions",
    "create_component",
    "export_price_book",
    "from_markdown",
    "get_component",
    "import_snapshot",
    "import_upload",
    "in_review",
    "list_components",
    "load_active_snapshot",
    "may_move",
    "mentions",
    "new_draft",
    "next_statuses",
    "patch_component",
    "preview_prices",
    "price_book",
    "price_books",
    "read_price_sheet",
    "to_markdown",
    "validate_model",
    "version_component",
    "where_used",
]
