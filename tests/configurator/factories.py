"""Tiny catalogs for configurator tests: a few components over two capabilities, one centre,
flat prices, so every bundle can be enumerated by hand or by brute force."""

from __future__ import annotations

from typing import Any

from catalog.snapshot import CatalogSnapshot
from tests.pricing.factories import book, centre
from tests.pricing.factories import component as priced_component

CAPABILITIES = ("cap.a", "cap.b", "cap.c")


def component(
    code: str,
    *,
    price: int,
    provides: dict[str, Any] | None = None,
    requires: dict[str, Any] | None = None,
    attributes: dict[str, str] | None = None,
    max_quantity: int = 3,
) -> dict[str, Any]:
    data = priced_component(
        code=code,
        prices={"EUR": {"monthly": price, "one_time": 0}},
        effort={"monthly": {"linux-admin": 1}, "one_time": {}},
        non_labour_cost={"currency": "EUR", "monthly": 0, "one_time": 0},
        quantity={"min": 1, "max": max_quantity, "step": 1},
    )
    data["provides"] = provides if provides is not None else {"cap.a": 1}
    data["requires"] = requires or {}
    data["attributes"] = attributes or {}
    data["service_levels"] = data["service_levels"][:1]  # one level: "standard"
    data["unit"] = "server"
    return data


def catalog(
    components: list[dict[str, Any]],
    rules: list[dict[str, Any]] = (),  # type: ignore[assignment]
    centres: list[dict[str, Any]] | None = None,
) -> CatalogSnapshot:
    return CatalogSnapshot.model_validate(
        {
            "capabilities": [
                {"code": code, "name": code, "unit": "server", "description": "A test capability."}
                for code in CAPABILITIES
            ],
            "competencies": [{"code": "unix-linux-ops", "name": "Linux", "description": "Linux."}],
            "components": components,
            "delivery_centres": centres or [centre()],
            "price_books": [book(term_discounts={})],
            "rules": list(rules),
        }
    )
