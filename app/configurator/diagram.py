"""A variant table as a decision diagram: one level per column, one node per distinct set of
row endings (so rows sharing their last columns share nodes), an edge per value that some
row allows there. A table of 100,000 rows over a handful of small columns becomes a few
thousand nodes, and its clauses shrink with it (one literal per node, not one per row).

Pure: values are strings, a column's domain is given; ``WILDCARD`` in a row matches every
value of its column, values outside a domain never match.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from catalog.rules import WILDCARD

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
