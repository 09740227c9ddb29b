"""Folder defaults: a ``_defaults.yaml`` in ``components/`` or any folder below it holds the
fields its components share (price, service levels, competency, documents…); each component
file inherits them and may override any of them.

Inheritance is a deep merge: mappings merge key by key (the component's keys win, the
innermost folder's defaults win over an outer folder's), anything else (a list, a number, a
text) is replaced whole. The exporter factors a family's shared fields back out, so a
catalog written with defaults exports with defaults, and load -> export -> load is lossless.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from catalog.problems import PathPart

DEFAULTS_FILE = "_defaults.yaml"
# A component's identity is its own: defaults cannot give it.
OWN_FIELDS = frozenset({"code", "version"})
# Left in the component's file even when a family happens to share them: what a reader
# looks for first.
_KEPT_IN_COMPONENT = OWN_FIELDS | {"name", "summary"}

Path = tuple[PathPart, ...]
# (field path, where it was written: a defaults file, or None for the component's own file)
Inherited = tuple[tuple[Path, str | None], ...]


def inherit(layers: Sequence[tuple[str, dict[str, Any]]], own: dict[str, Any]) -> tuple[
    dict[str, Any], Inherited
]:  # fmt: skip
    """``own`` on top of the ``layers`` of defaults (outermost first, each with its file):
    the merged record, and where each of its fields was written (a mapping merged from
    several layers has no entry of its own: its fields have)."""
    merged: dict[str, Any] = {}
    origins: dict[Path, str | None] = {}
    for file, layer in [*layers, (None, own)]:
        _merge(merged, layer, file, (), origins)
    return merged, tuple(origins.items())


def _merge(
    target: dict[str, Any],
    layer: dict[str, Any],
    file: str | None,
    prefix: Path,
    origins: dict[Path, str | None],
) -> None:
    for key, value in layer.items():
        path = (*prefix, key)
        below = target.get(key)
        if isinstance(value, dict) and isinstance(below, dict):
            target[key] = dict(below)  # the layer's own dict stays as it was read
            _merge(target[key], value, file, path, origins)
            continue
        target[key] = value
        for known in [known for known in origins if known[: len(path)] == path]:
            del origins[known]
        origins[path] = file


def origin(inherited: Inherited, path: Path) -> str | None:
    """The defaults file a field at ``path`` (or the field holding it) came from; None when
    the component's own file wrote it, or when no layer wrote it whole."""
    found = [(len(known), file) for known, file in inherited if path[: len(known)] == known]
    return max(found, key=lambda entry: entry[0])[1] if found else None


def factor(records: Sequence[dict[str, Any]]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The fields every record shares (the defaults of their folder) and each record without
    them; records that share nothing, or a single record, are returned as they are."""
    if len(records) < 2:
        return {}, list(records)
    shared = _shared(records, top=True)
    return shared, [_without(record, shared) for record in records]


def _shared(records: Sequence[dict[str, Any]], *, top: bool = False) -> dict[str, Any]:
    shared: dict[str, Any] = {}
    for key in records[0]:
        if top and key in _KEPT_IN_COMPONENT:
            continue
        if any(key not in record for record in records):
            continue
        values = [record[key] for record in records]
        if all(value == values[0] for value in values):
            shared[key] = values[0]
        elif all(isinstance(value, dict) for value in values):
            inner = _shared(values)
            if inner:
                shared[key] = inner
    return shared


def _without(record: dict[str, Any], shared: dict[str, Any]) -> dict[str, Any]:
    kept: dict[str, Any] = {}
    for key, value in record.items():
        if key not in shared:
            kept[key] = value
        elif value != shared[key]:  # shared in part: a mapping some of whose keys are shared
            kept[key] = _without(value, shared[key])
    return kept
