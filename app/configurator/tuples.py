"""A variant table as integer tuples, for CP-SAT's own table constraint: each column is a
number, 0 when none of its components is chosen and i when the chosen one writes the i-th
of the column's distinct values. Wildcards are expanded, so a table whose expansion would
grow past ``MAX_GROWTH`` times its rows has no tuples (it keeps the boolean encodings).

Pure: values are strings, as ``app.configurator.diagram.table_arcs`` reads them.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from dataclasses import dataclass

from app.configurator.diagram import written
from app.configurator.memo import per_snapshot
from catalog.rules import NONE, WILDCARD, TableRule
from catalog.snapshot import CatalogSnapshot

MAX_GROWTH = 2  # expanded tuples per row, at most, before the table keeps its clauses


@dataclass(frozen=True, slots=True)
class TableTuples:
    values: tuple[tuple[str, ...], ...]  # per column, the value each number 1.. stands for
    tuples: tuple[tuple[int, ...], ...]  # the allowed combinations of numbers, distinct


def table_tuples(rule: TableRule, value_of: Callable[[str | None, str], str]) -> TableTuples | None:
    """The rows of ``rule`` as numbers per column, or None when expanding the wildcards
    would make more than ``MAX_GROWTH`` tuples per row. A cell no component of its column
    writes can never match: its row is dropped."""
    values = tuple(
        tuple(sorted({value_of(column.attribute, code) for code in column.components}))
        for column in rule.columns
    )
    numbers = [{value: index for index, value in enumerate(domain, start=1)} | {NONE: 0}
               for domain in values]  # fmt: skip
    everything = [tuple(range(len(domain) + 1)) for domain in values]
    expanded = sum(
        math.prod(len(everything[i]) for i, cell in enumerate(row) if cell == WILDCARD)
        for row in rule.rows
    )
    if expanded > MAX_GROWTH * len(rule.rows):
        return None
    tuples: set[tuple[int, ...]] = set()
    for row in rule.rows:
        if any(cell != WILDCARD and cell not in numbers[i] for i, cell in enumerate(row)):
            continue
        cells = [everything[i] if cell == WILDCARD else (numbers[i][cell],)
                 for i, cell in enumerate(row)]  # fmt: skip
        tuples.update(itertools.product(*cells))
    return TableTuples(values, tuple(sorted(tuples)))


def snapshot_table_tuples(snapshot: CatalogSnapshot, rule: TableRule) -> TableTuples | None:
    """``table_tuples`` of a rule of ``snapshot``, built once for the snapshot's lifetime."""
    return per_snapshot(
        snapshot, ("tuples", rule.id),
        lambda: table_tuples(rule, lambda attribute, code: written(snapshot, attribute, code)),
    )  # fmt: skip
