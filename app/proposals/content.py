"""What a proposal revision freezes: the solved bundle priced with its derivation (as every
role may see it, and with cost for those who may see cost), the exact component versions
with their three documents, and the request it answers. Later catalog edits never reach it:
views, PDFs and work packages read only this."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from app.configurator import Bundle
from app.quoting import bundle_body
from catalog import CatalogSnapshot, Component
from pricing import Breach


def freeze(
    snapshot: CatalogSnapshot,
    catalog_revision: int,
    bundle: Bundle,
    breaches: tuple[Breach, ...],
    offering: str | None,
) -> dict[str, Any]:
    components = {line.component.code: _component(line.component) for line in bundle.quote.lines}
    return {
        "catalog_revision": catalog_revision,
        "public": bundle_body(bundle, breaches, show_cost=False),
        "internal": bundle_body(bundle, breaches, show_cost=True),
        "approval_required": bool(breaches),
        "offering": None
        if offering is None
        else {"code": offering, "name": snapshot.offering(offering).name},
        "components": components,
    }


def _component(component: Component) -> dict[str, Any]:
    documents = component.documents
    return {
        "version": component.version,
        "name": component.name,
        "summary": component.summary,
        "family": component.family,
        "layer": component.layer,
        "unit": component.unit,
        "availability_chain": component.availability_chain,
        "service_levels": {
            level.name: {
                "availability": None if level.availability is None else str(level.availability),
                "response_minutes": level.response_minutes,
                "restore_hours": level.restore_hours,
            }
            for level in component.service_levels
        },
        "specification": documents.specification,
        "statement_of_work": documents.statement_of_work.model_dump(mode="json"),
        "delivery_description": documents.delivery_description.model_dump(mode="json"),
    }


def content_hash(content: dict[str, Any]) -> str:
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()
