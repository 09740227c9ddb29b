"""What a caller may see: the one place that decides which fields a representation carries.

Two kinds of field are kept from some callers:

- **cost** (effort, labour rates, non-labour and partner cost, cost factors, margin floors;
  a priced bundle's cost and margin): only for ``cost.read``;
- **delivery descriptions**: for ``delivery.read_all``, and for a delivery key only of the
  components whose competency its centre holds.

Every representation is shaped here, so a route cannot show what its sibling hides: a
component read (any version), its list row and its document routes all go through
``visible("component", ...)`` (a document route serves a document only if the component's
visible representation carries it), registry records and audit entries through
``visible(kind, ...)``, and priced bundles (quotes, configurations, proposals) are built
with or without cost by ``sees_cost``. A work package is read only by its own centre's
keys and admins, and carries the description of the line that centre delivers.

A field kept from a caller is absent, never null."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from app.auth.principal import Principal
from app.models import CatalogRecord

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
DELIVERY_DESCRIPTION = ("documents", "delivery_description")
# The catalog's record collections (as stored and audited) and the kind of their records.
KIND_OF_COLLECTION: dict[str, str] = {
    "component": "component",
    "delivery_centres": "delivery_centre",
    "price_books": "price_book",
}


def sees_cost(principal: Principal) -> bool:
    return principal.can("cost.read")


@dataclass(frozen=True, slots=True)
class Audience:
    """What one caller may see, decided once per request."""

    cost: bool
    # The competencies whose delivery descriptions it may read; None: every one.
    competencies: frozenset[str] | None

    def sees_delivery_of(self, competency: object) -> bool:
        return self.competencies is None or competency in self.competencies


def audience(session: Session, principal: Principal) -> Audience:
    competencies = None
    if not principal.can("delivery.read_all"):
        # A delivery key reads the descriptions of what its centre is competent to deliver.
        centre = session.get(CatalogRecord, ("delivery_centres", principal.centre or ""))
        held = centre.content.get("competencies", ()) if centre is not None else ()
        competencies = frozenset(str(competency) for competency in held)
    return Audience(cost=sees_cost(principal), competencies=competencies)


def visible(kind: str, content: dict[str, Any], seen_by: Audience) -> dict[str, Any]:
    """A copy of ``content`` (a record of ``kind``) with what ``seen_by`` may not see
    absent. Kinds without confidential fields come back as they are."""
    result = content
    if not seen_by.cost:
        result = without_cost(kind, result)
    if kind == "component" and not seen_by.sees_delivery_of(content.get("competency")):
        result = _drop(result, DELIVERY_DESCRIPTION)
    return result


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
