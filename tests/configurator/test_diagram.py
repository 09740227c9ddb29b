"""Variant tables as decision diagrams: a combination of column values is accepted exactly
when some row matches it (wildcards, values outside a column's domain, empty tables), and
shared row endings share nodes."""

from __future__ import annotations

import itertools
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from app.configurator.diagram import ACCEPT, Diagram, build_diagram
from catalog.rules import WILDCARD


def accepts(diagram: Diagram, values: tuple[str, ...]) -> bool:
    node = diagram.root
    while node is not None and node != ACCEPT:
        step = diagram.nodes[node - 1]
        node = step.edges.get(values[step.level])
    return node == ACCEPT


@st.composite
def tables(draw: Any) -> tuple[list[list[str]], list[tuple[str, ...]]]:
    width = draw(st.integers(1, 4))
    domains = [
        draw(st.lists(st.sampled_from("abcd-"), min_size=1, max_size=4, unique=True))
        for _ in range(width)
    ]
    cell = st.sampled_from(["a", "b", "c", "d", "e", "-", WILDCARD])  # "e" is in no domain
    rows = draw(st.lists(st.tuples(*[cell] * width), max_size=12))
    return domains, rows


@given(tables())
def test_a_diagram_accepts_exactly_the_combinations_some_row_matches(
    table: tuple[list[list[str]], list[tuple[str, ...]]],
) -> None:
    domains, rows = table
    diagram = build_diagram(domains, rows)
    for values in itertools.product(*domains):
        matched = any(
            all(cell in (WILDCARD, value) for cell, value in zip(row, values, strict=True))
            for row in rows
        )
        assert accepts(diagram, values) == matched, (values, rows)


def test_rows_sharing_their_endings_share_nodes() -> None:
    domains = [list("abcdef")] * 3
    rows = [(first, middle, "a") for first in "abcdef" for middle in "ab"]
    diagram = build_diagram(domains, rows)
    # Every first value leads to one node (middle a or b), which leads to one (last a).
    assert len(diagram.nodes) == 2


def test_no_row_that_can_match_means_no_root_and_wildcards_alone_accept_everything() -> None:
    assert build_diagram([["a"]], [("e",)]).root is None
    assert build_diagram([["a"]], []).root is None
    everything = build_diagram([["a", "b"], ["c"]], [(WILDCARD, WILDCARD)])
    assert everything.root == ACCEPT and not everything.nodes


def test_a_snapshots_tables_are_built_once_and_let_go_with_it() -> None:
    import gc

    from app.configurator import diagram, memo
    from benchmarks.synthetic import generate

    snapshot = generate(40, seed=3, table_rows=300)
    (rule,) = [rule for rule in snapshot.rules if rule.kind == "table"]
    first = diagram.snapshot_table_arcs(snapshot, rule)
    assert diagram.snapshot_table_arcs(snapshot, rule) is first  # every solve reads the same
    key = id(snapshot)
    del snapshot, rule
    gc.collect()
    assert key not in memo._BY_SNAPSHOT
