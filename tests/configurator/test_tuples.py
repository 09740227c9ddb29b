"""Variant tables as integer tuples for CP-SAT's table constraint: 0 for an empty column,
one number per distinct value a column's components write, wildcards expanded within a
bound, rows no component can match dropped."""

from __future__ import annotations

from typing import Any

from app.configurator import tuples
from app.configurator.tuples import table_tuples
from catalog.rules import TableRule

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
    assert result is not None
    assert result.values == (("linux", "windows"), ("A", "B"))
    assert result.tuples == ((0, 1), (1, 0), (2, 2))


def test_wildcards_expand_to_every_number_and_unmatchable_rows_are_dropped() -> None:
    rule = table(
        [{"name": "p", "components": ["A", "B"]}, {"name": "q", "components": ["C"]}],
        [["*", "C"], ["Z", "-"], ["A", "C"]],
    )  # fmt: skip
    result = table_tuples(rule, value_of)
    assert result is not None
    assert result.tuples == ((0, 1), (1, 1), (2, 1))  # "Z" is no value of column p


def test_a_wildcard_expansion_past_the_bound_keeps_the_clauses() -> None:
    rule = table(
        [{"name": "p", "components": ["A", "B"]}, {"name": "q", "components": ["C"]}],
        [["*", "*"]],
    )  # fmt: skip
    assert tuples.MAX_GROWTH * len(rule.rows) < 6  # 3 numbers x 2 numbers
    assert table_tuples(rule, value_of) is None
