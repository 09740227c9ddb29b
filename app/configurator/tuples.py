"""A variant table as integer tuples, for CP-SAT's own table constraint: each column is a
number, 0 when none of its components is chosen and i when the chosen one writes the i-th
of the column's distinct values. Wildcards are expanded (``expanded_size`` says to how
many tuples, before any is built).

Pure: values are strings, as ``app.configurator.diagram.table_arcs`` reads them.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from app.configurator.diagram import written
from app.configurator.memo import per_snapshot
from catalog.rules import NONE, WILDCARD, TableRule
from catalog.snapshot import CatalogSnapshot

ValueOf = Callable[[str | None, str], str]  # (attribute, code) -> what it writes


@dataclass(frozen=True, slots=True)
class TableTuples:
    values: tuple[tuple[str, ...], ...]  # per column, the value each number 1.. stands for
    tuples: tuple[tuple[int, ...], ...]  # the allowed combinations of numbers, distinct


def _values(rule: TableRule, value_of: ValueOf) -> tuple[tuple[str, ...], ...]:
    return tuple(
        tuple(sorted({value_of(column.attribute, code) for code in column.components}))
        for column in rule.columns
    )


def _expanded(rows: Sequence[tuple[str, ...]], numbers: Sequence[int]) -> int:
    # Counted in C first: most tables have no wildcard.
    if not any(WILDCARD in row for row in rows):
        return len(rows)
    return sum(
        math.prod(numbers[i] for i, cell in enumerate(row) if cell == WILDCARD) for row in rows
    )


def expanded_size(rule: TableRule, value_of: ValueOf) -> int:
    """How many tuples the rows of ``rule`` expand to, wildcards counted (duplicates too)."""
    return _expanded(rule.rows, [len(values) + 1 for values in _values(rule, value_of)])


def table_tuples(rule: TableRule, value_of: ValueOf) -> TableTuples:
    """The rows of ``rule`` as numbers per column. A cell no component of its column writes
    can never match: its row is dropped."""
    values = _values(rule, value_of)
    numbers = [{value: index for index, value in enumerate(domain, start=1)} | {NONE: 0}
               for domain in values]  # fmt: skip
    everything = [tuple(range(len(domain) + 1)) for domain in values]
    tuples: set[tuple[int, ...]] = set()
    for row in rule.rows:
        if any(cell != WILDCARD and cell not in numbers[i] for i, cell in enumerate(row)):
            continue
        cells = [everything[i] if cell == WILDCARD else (numbers[i][cell],)
                 for i, cell in enumerate(row)]  # fmt: skip
        tuples.update(itertools.product(*cells))
    return TableTuples(values, tuple(sorted(tuples)))


def _written_by(snapshot: CatalogSnapshot) -> ValueOf:
    return lambda attribute, code: written(snapshot, attribute, code)


def snapshot_expanded_size(snapshot: CatalogSnapshot, rule: TableRule) -> int:
    """``expanded_size`` of a rule of ``snapshot``, counted once for the snapshot's lifetime."""
    return per_snapshot(
        snapshot, ("expanded", rule.id), lambda: expanded_size(rule, _written_by(snapshot))
    )


def snapshot_table_tuples(snapshot: CatalogSnapshot, rule: TableRule) -> TableTuples:
    """``table_tuples`` of a rule of ``snapshot``, built once for the snapshot's lifetime."""
    return per_snapshot(
        snapshot, ("tuples", rule.id), lambda: table_tuples(rule, _written_by(snapshot))
    )
