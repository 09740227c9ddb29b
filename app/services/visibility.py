"""Cost and margin are confidential: which fields carry cost, stripping them from what a
caller without ``cost.read`` sees, and spotting them in what such a caller sends."""

from __future__ import annotations

from typing import Any

# Paths of cost fields per record kind; "*" walks every item of a list.
COST_FIELDS: dict[str, tuple[tuple[str, ...], ...]] = {
    "component": (
        ("effort",),
        ("non_labour_cost",),
        ("partner", "cost"),
        ("service_levels", "*", "cost_factor"),
    ),
    "delivery_centre": (("labour_rates",),),
    # Margin floors say how thin a margin may get: as confidential as the margin itself.
    "price_book": (
        ("guardrails", "margin_floor_percent"),
        ("guardrails", "family_margin_floors"),
    ),
}


def without_cost(kind: str, content: dict[str, Any]) -> dict[str, Any]:
    """A copy of ``content`` with every cost field of ``kind`` absent (not null)."""
    result = dict(content)
    for path in COST_FIELDS.get(kind, ()):
        result = _drop(result, path)
    return result


def cost_fields_in(kind: str, content: dict[str, Any]) -> list[str]:
    """Dotted paths of the cost fields present in ``content``."""
    found: list[str] = []
    for path in COST_FIELDS.get(kind, ()):
        found.extend(_present(content, path, ""))
    return found


def _drop(value: Any, path: tuple[str, ...]) -> Any:
    head, rest = path[0], path[1:]
    if head == "*":
        if not isinstance(value, list):
            return value
        return [_drop(item, rest) for item in value]
    if not isinstance(value, dict) or head not in value:
        return value
    copy = dict(value)
    if rest:
        copy[head] = _drop(copy[head], rest)
    else:
        del copy[head]
    return copy


def _present(value: Any, path: tuple[str, ...], prefix: str) -> list[str]:
    head, rest = path[0], path[1:]
    if head == "*":
        if not isinstance(value, list):
            return []
        return [
            hit
            for index, item in enumerate(value)
            for hit in _present(item, rest, f"{prefix}[{index}]")
        ]
    if not isinstance(value, dict) or head not in value:
        return []
    here = f"{prefix}.{head}" if prefix else head
    return _present(value[head], rest, here) if rest else [here]
