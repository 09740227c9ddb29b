"""A variant table as a decision diagram: one level per column, one node per distinct set of
row endings (so rows sharing their last columns share nodes), an edge per value that some
row allows there. A table of 100,000 rows over a handful of small columns becomes a few
thousand nodes, and its clauses shrink with it (one literal per node, not one per row).

Pure: values are strings, a column's domain is given; ``WILDCARD`` in a row matches every
value of its column, values outside a domain never match.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from app.configurator.memo import per_snapshot
from catalog.rules import NONE, WILDCARD, TableRule
from catalog.snapshot import CatalogSnapshot

ACCEPT = 0  # the terminal every complete match reaches
Suffixes = frozenset[tuple[str, ...]]


@dataclass(frozen=True, slots=True)
class Node:
    level: int  # the column this node reads
    edges: dict[str, int]  # value -> the next node (ACCEPT, or an index into nodes plus one)


@dataclass(frozen=True, slots=True)
class Diagram:
    root: int | None  # None: no row can ever match; ACCEPT: every combination matches
    nodes: tuple[Node, ...]  # node n is nodes[n - 1]


def build_diagram(domains: Sequence[Sequence[str]], rows: Iterable[tuple[str, ...]]) -> Diagram:
    """The reduced diagram of ``rows`` over columns with the values in ``domains``. A node
    whose every value leads to the same next node is skipped (a run of wildcards costs no
    node)."""
    width = len(domains)
    nodes: list[Node] = []
    known: dict[tuple[int, Suffixes], int | None] = {}

    def node(level: int, suffixes: Suffixes) -> int | None:
        if level == width:
            return ACCEPT
        key = (level, suffixes)
        if key in known:
            return known[key]
        by_value: defaultdict[str, set[tuple[str, ...]]] = defaultdict(set)
        for suffix in suffixes:
            by_value[suffix[0]].add(suffix[1:])
        anything = by_value.pop(WILDCARD, set())
        edges: dict[str, int] = {}
        for value in domains[level]:
            following = by_value.get(value, set()) | anything
            if following:
                child = node(level + 1, frozenset(following))
                if child is not None:
                    edges[value] = child
        result: int | None
        if not edges:
            result = None
        elif len(edges) == len(domains[level]) and len(set(edges.values())) == 1:
            result = next(iter(edges.values()))
        else:
            nodes.append(Node(level, edges))
            result = len(nodes)
        known[key] = result
        return result

    root = node(0, frozenset(tuple(row) for row in rows)) if width else ACCEPT
    return Diagram(root, tuple(nodes))


@dataclass(frozen=True, slots=True)
class Arc:
    """Where a true node leads when its column holds ``component`` (None: no component of
    the column is chosen): to ``child`` (a node, or ACCEPT), or nowhere (None: excluded)."""

    node: int
    column: int  # the column of the rule the node reads
    component: str | None
    child: int | None


@dataclass(frozen=True, slots=True)
class TableArcs:
    root: int | None  # None: no row can ever match
    nodes: int  # nodes are numbered 1..nodes
    arcs: tuple[Arc, ...]
    row_cells: int  # cells that are not wildcards: the size of a row-by-row encoding


def table_arcs(rule: TableRule, value_of: Callable[[str | None, str], str]) -> TableArcs:
    """The decision diagram of a variant table as arcs per component, for an encoder: a
    true node and a chosen component imply the arc's child (or nothing, when it has none).
    ``value_of(attribute, code)`` is what a chosen component writes into a column."""
    domains = [
        sorted({NONE, *(value_of(column.attribute, code) for code in column.components)})
        for column in rule.columns
    ]
    diagram = build_diagram(domains, rule.rows)
    arcs: list[Arc] = []
    for number, node in enumerate(diagram.nodes, start=1):
        column = rule.columns[node.level]
        arcs.extend(
            Arc(number, node.level, code, node.edges.get(value_of(column.attribute, code)))
            for code in column.components
        )
        arcs.append(Arc(number, node.level, None, node.edges.get(NONE)))
    cells = sum(cell != WILDCARD for row in rule.rows for cell in row)
    return TableArcs(diagram.root, len(diagram.nodes), tuple(arcs), cells)


def written(snapshot: CatalogSnapshot, attribute: str | None, code: str) -> str:
    """What a chosen component writes into a table's column: its code, or its attribute."""
    if attribute is None:
        return code
    if not snapshot.has_component(code):
        return ""
    return snapshot.component(code).attributes.get(attribute, "")


def snapshot_table_arcs(snapshot: CatalogSnapshot, rule: TableRule) -> TableArcs:
    """``table_arcs`` of a rule of ``snapshot``, built once for the snapshot's lifetime."""
    return per_snapshot(
        snapshot, ("table", rule.id),
        lambda: table_arcs(rule, lambda attribute, code: written(snapshot, attribute, code)),
    )  # fmt: skip
