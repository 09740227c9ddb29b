"""Derived data of a catalog snapshot, built once and dropped with the snapshot: a
100,000-row table's diagram takes a second and a half, and every configuration and
options engine of one snapshot reads the same. Keyed by identity (hashing a snapshot
would hash the whole catalog)."""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from catalog.snapshot import CatalogSnapshot

T = TypeVar("T")

_BY_SNAPSHOT: dict[int, tuple[weakref.ref[CatalogSnapshot], dict[Hashable, Any]]] = {}
# Re-entrant: a snapshot freed by a collection inside the locked block calls ``forget``.
_LOCK = threading.RLock()


def per_snapshot(snapshot: CatalogSnapshot, key: Hashable, build: Callable[[], T]) -> T:
    """``build()`` for ``snapshot`` and ``key``, computed once while the snapshot lives
    (two threads may both build it the first time: the same value, harmlessly)."""
    number = id(snapshot)
    with _LOCK:
        entry = _BY_SNAPSHOT.get(number)
        if entry is None or entry[0]() is not snapshot:

            def forget(dead: weakref.ref[CatalogSnapshot], number: int = number) -> None:
                with _LOCK:
                    if number in _BY_SNAPSHOT and _BY_SNAPSHOT[number][0] is dead:
                        del _BY_SNAPSHOT[number]

            entry = _BY_SNAPSHOT[number] = (weakref.ref(snapshot, forget), {})
    values = entry[1]
    if key not in values:
        values[key] = build()
    value: T = values[key]
    return value
