"""Tiny catalogs for configurator tests: a few components over two capabilities, one centre
(or a few with differing competencies), flat prices, so every bundle can be enumerated by
hand or by brute force."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from app.configurator.request import Need
from catalog.snapshot import CatalogSnapshot
from tests.pricing.factories import book, centre
from tests.pricing.factories import component as priced_component

CAPABILITIES = ("cap.a", "cap.b", "cap.c")
COMPETENCIES = ("unix-linux-ops", "windows-ops")


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
    defaults: dict[str, dict[str, str]] | None = None,
) -> CatalogSnapshot:
    """A snapshot of ``components``; ``defaults``: capability -> its general-purpose
    variant's attribute values."""
    return CatalogSnapshot.model_validate(
        {
            "capabilities": [
                {
                    "code": code,
                    "name": code,
                    "unit": "server",
                    "description": "A test capability.",
                    "default": (defaults or {}).get(code, {}),
                }
                for code in CAPABILITIES
            ],
            "competencies": [
                {"code": code, "name": code, "description": "A test competency."}
                for code in COMPETENCIES
            ],
            "components": components,
            "delivery_centres": centres or [centre()],
            "price_books": [book(term_discounts={})],
            "rules": list(rules),
        }
    )


def rule(kind: str, **fields: Any) -> dict[str, Any]:
    return {"id": f"R-{kind.upper()}", "kind": kind, "message": f"A {kind} rule.", **fields}


# -- tiny random catalogs, for brute force -------------------------------------------------

CODES = ("CMP-A", "CMP-B", "CMP-C", "CMP-D")
TEMPLATES = [
    lambda a, b: rule("requires", **{"if": a, "then": [b]}),
    lambda a, b: rule("requires_any", **{"if": a, "then": [b]}),
    lambda a, b: rule("excludes", **{"if": a, "then": [b]}),
    lambda a, b: rule("choose", group=[a, b], min=0, max=1),
    lambda a, b: rule("choose", group=[a, b], min=1, max=2),
    lambda a, b: rule("choose", group=[a], min=1, max=1, when=b),  # a group of one
    lambda a, b: rule("quantity", unit="server", left={a: 1}, op="<=", right={b: 1}),
    # Sizing: two of a per unit of b (the right side in a unit of its own).
    lambda a, b: rule("quantity", unit="server", per="server", left={a: 1}, op=">=",
                      right={b: 2}),
    lambda a, b: rule("expression", expression=f"{a} iff not {b}"),
    lambda a, b: rule("attribute", attribute="os", mode="agree", components=[a, b]),
    lambda a, b: rule("table", columns=[{"name": "p", "components": [a]},
                                        {"name": "q", "components": [b]}],
                      rows=[[a, "-"], ["-", b], ["-", "-"]]),
    # Wildcards, an attribute column, and a component in two columns of one table.
    lambda a, b: rule("table", columns=[{"name": "p", "components": [a, b]},
                                        {"name": "q", "components": [b], "attribute": "os"}],
                      rows=[[a, "*"], ["-", "linux"], [b, "windows"], ["*", "-"]]),
]  # fmt: skip


SAME_CENTRE = [
    lambda a, b: rule("same_centre", components=[a, b]),
    lambda a, b: rule("same_centre", families=["storage"]),
    lambda a, b: rule("same_centre", components=[a], families=["storage"]),
]
# Every other kind once, co-location three times over: most catalogs have one.
COLOCATION = [*TEMPLATES, *SAME_CENTRE * 3]


@st.composite
def tiny_parts(
    draw: Any, templates: list[Any] = TEMPLATES, *, located: bool = False, most: int = 4
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Two to ``most`` components over cap.a and cap.b and up to three rules from
    ``templates``; ``located``: each with a competency and a family drawn (see
    ``tiny_centres``)."""
    count = draw(st.integers(2, most))
    components = []
    for code in CODES[:count]:
        capability = draw(st.sampled_from(["cap.a", "cap.b"]))
        needs_b = capability == "cap.a" and draw(st.booleans())
        components.append(component(
            code, price=draw(st.integers(1, 30)),
            provides={capability: draw(st.integers(1, 2))},
            requires={"cap.b": 1} if needs_b else None,
            attributes={"os": draw(st.sampled_from(["linux", "windows"]))},
        ))  # fmt: skip
        if located:  # alternating competencies unless drawn otherwise: members differ
            turn = len(components) % 2
            competencies = COMPETENCIES[1 - turn :] + COMPETENCIES[: 1 - turn]
            components[-1]["competency"] = draw(st.sampled_from(competencies))
            components[-1]["family"] = draw(st.sampled_from(["compute", "storage"]))
    rules = []
    for index in range(draw(st.integers(0, 3))):
        a, b = draw(st.permutations(CODES[:count]))[:2]
        made = draw(st.sampled_from(templates))(a, b)
        rules.append({**made, "id": f"R-{index}"})
    return components, rules


@st.composite
def tiny_centres(draw: Any, *, least: int = 1, most: int = 3) -> list[dict[str, Any]]:
    """``least`` to ``most`` centres in the EU or the UK, each holding one competency or both,
    each cheaper than the one before: where a bundle's lines go, and whether members can
    share one. Unless drawn otherwise, the first (dearest) holds both and the others one
    each, so co-location is what keeps members together."""
    centres = []
    held_by = [COMPETENCIES, COMPETENCIES[:1], COMPETENCIES[1:]]
    for index in range(draw(st.integers(least, most))):
        held = draw(st.sampled_from(held_by[index:] + held_by[:index]))
        rate = 1500 - 500 * index
        data = centre(code=f"C-{index}", competencies=held, rates={"linux-admin": rate})
        centres.append({**data, "region": draw(st.sampled_from(["EU", "UK"]))})
    return centres


OS = ("linux", "windows")


@st.composite
def tiny_need(draw: Any, capability: str, most: int) -> Need:
    """A need of up to ``most``, perhaps for one variant (an ``os``)."""
    variant = (("os", draw(st.sampled_from(OS))),) if draw(st.booleans()) else ()
    return Need(capability, draw(st.integers(1, most)), variant)


@st.composite
def tiny_defaults(draw: Any) -> dict[str, dict[str, str]]:
    """Perhaps a general-purpose variant for cap.a or cap.b."""
    return {
        capability: {"os": draw(st.sampled_from(OS))}
        for capability in draw(st.lists(st.sampled_from(["cap.a", "cap.b"]), unique=True))
    }
