"""The catalog's domain, pure: the models, the loader and its checks, the snapshot, the
exporter, and the default catalog as data (``catalog/data``). Never imports ``app``.

Below, the names the shell uses: it imports them from here (``from catalog import
Component``), never from the modules; the core's own modules import each other by path.
"""

from catalog.assurance import AssuredCombination
from catalog.capabilities import Capability, Competency
from catalog.centres import DeliveryCentre
from catalog.checks import check, records_of
from catalog.components import Component, Layer, band_order_problem
from catalog.documents import DeliveryDescription
from catalog.exporter import export_catalog
from catalog.limits import MAX_QUANTITY
from catalog.loader import (
    COLLECTIONS,
    LoadResult,
    default_catalog_path,
    describe,
    load_default_catalog,
    validate_catalog,
    validate_mapping,
)
from catalog.offerings import Offering
from catalog.price_books import Guardrails, PriceBook
from catalog.problems import Problem, format_path
from catalog.rules import Rule
from catalog.snapshot import CatalogSnapshot
from catalog.summary import render, summarise
from catalog.text import NUL, NUL_MESSAGE, nul_paths

__all__ = [
    "COLLECTIONS",
    "MAX_QUANTITY",
    "NUL",
    "NUL_MESSAGE",
    "AssuredCombination",
    "Capability",
    "CatalogSnapshot",
    "Competency",
    "Component",
    "DeliveryCentre",
    "DeliveryDescription",
    "Guardrails",
    "Layer",
    "LoadResult",
    "Offering",
    "PriceBook",
    "Problem",
    "Rule",
    "band_order_problem",
    "check",
    "default_catalog_path",
    "describe",
    "export_catalog",
    "format_path",
    "load_default_catalog",
    "nul_paths",
    "records_of",
    "render",
    "summarise",
    "validate_catalog",
    "validate_mapping",
]
