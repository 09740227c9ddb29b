"""Variant tables as integer tuples for CP-SAT's table constraint: 0 for an empty column,
one number per distinct value a column's components write, wildcards expanded within a
bound, rows no component can match dropped."""

from __future__ import annotations

import random
from typing import Any

from app.configurator.constraints import add_all, by_tuples
from app.configurator.diagram import table_arcs
from app.configurator.model import build_variables
from app.configurator.request import ConfigurationRequest, Need
from app.configurator.tuples import expanded_size, table_tuples
from catalog.rules import TableRule
from tests.configurator.factories import catalog, component, rule

OS = {"A": "linux", "B": "windows", "C": "linux"}


def table(columns: list[dict[str, Any]], rows: list[list[str]]) -> TableRule:
    return TableRule.model_validate(
        {"kind": "table", "id": "T", "message": "m", "columns": columns, "rows": rows}
    )


def value_of(attribute: str | None, code: str) -> str:
    return code if attribute is None else OS[code]


def test_components_sharing_an_attribute_value_share_its_number_and_none_is_zero() -> None:
    rule = table(
        [{"name": "os", "components": ["A", "B", "C"], "attribute": "os"},
         {"name": "p", "components": ["A", "B"]}],
        [["linux", "-"], ["windows", "B"], ["-", "A"]],
    )  # fmt: skip
    result = table_tuples(rule, value_of)
    assert result.values == (("linux", "windows"), ("A", "B"))
    assert result.tuples == ((0, 1), (1, 0), (2, 2))


def test_wildcards_expand_to_every_number_and_unmatchable_rows_are_dropped() -> None:
    rule = table(
        [{"name": "p", "components": ["A", "B"]}, {"name": "q", "components": ["C"]}],
        [["*", "C"], ["Z", "-"], ["A", "C"]],
    )  # fmt: skip
    assert expanded_size(rule, value_of) == 5  # 3 + 1 + 1, the duplicate and "Z" counted
    assert table_tuples(rule, value_of).tuples == ((0, 1), (1, 1), (2, 1))  # "Z": no value


def chooses_tuples(columns: list[list[str]], rows: list[list[str]]) -> bool:
    rule = table([{"name": f"c{i}", "components": c} for i, c in enumerate(columns)], rows)
    return by_tuples(table_arcs(rule, value_of), expanded_size(rule, value_of))


def test_only_a_large_table_with_many_bans_takes_the_table_constraint() -> None:
    engines, gears = [f"E{i}" for i in range(12)], [f"G{i}" for i in range(12)]
    pairs = [[e, g] for e in engines for g in gears]
    draw = random.Random(7)
    dense = [row for row in pairs if draw.random() > 0.3]  # scattered bans: a wide diagram
    assert chooses_tuples([engines, gears], [*dense, ["-", "-"], *(["-", g] for g in gears)])
    assert not chooses_tuples([engines, gears], dense[:50])  # small: clauses
    trims, paints = [f"T{i}" for i in range(30)], [f"P{i}" for i in range(30)]
    all_but_one = [[t, p] for t in trims for p in paints][1:]
    assert not chooses_tuples([trims, paints], all_but_one)  # one ban: a tiny diagram
    wild = [*dense, *([e, "*"] for e in engines)]  # 248 tuples; the diagram: 14 arcs and nodes
    assert not chooses_tuples([engines, gears], wild)


def test_a_configuration_model_holds_a_large_dense_table_as_one_table_constraint() -> None:
    engines, gears = [f"CMP-E{i:02d}" for i in range(12)], [f"CMP-G{i:02d}" for i in range(12)]
    draw = random.Random(7)
    rows = [[e, g] for e in engines for g in gears if draw.random() > 0.2]  # 100 or more
    snapshot = catalog(
        [component(code, price=1 + index) for index, code in enumerate(engines + gears)],
        [rule("table", columns=[{"name": "e", "components": engines},
                                {"name": "g", "components": gears}], rows=rows)],
    )  # fmt: skip
    config = build_variables(snapshot, ConfigurationRequest("EUR", 1, (Need("cap.a", 1),)))
    add_all(config)
    assert sum(constraint.has_table() for constraint in config.model.proto.constraints) == 1
