"""The one character text never carries: NUL. PostgreSQL cannot store it in text or JSONB,
and no name, code or document needs it, so the catalog and the API refuse it on the way in,
naming the field, instead of failing when it reaches the database."""

from __future__ import annotations

from typing import Any

from catalog.problems import PathPart

NUL = "\x00"
NUL_MESSAGE = "must not contain the NUL character (\\u0000)"


def nul_paths(data: Any) -> list[tuple[PathPart, ...]]:
    """The path of every string (mapping keys included) in JSON-like ``data`` that holds a
    NUL, in document order. Iterative: a document nested as deep as its parser allowed
    must not exhaust the stack here."""
    found: list[tuple[PathPart, ...]] = []
    stack: list[tuple[tuple[PathPart, ...], Any]] = [((), data)]
    while stack:
        path, value = stack.pop()
        if isinstance(value, str):
            if NUL in value:
                found.append(path)
        elif isinstance(value, dict):
            children: list[tuple[tuple[PathPart, ...], Any]] = []
            for key, item in value.items():
                where = (*path, str(key))
                if isinstance(key, str) and NUL in key:
                    found.append(where)
                children.append((where, item))
            stack.extend(reversed(children))
        elif isinstance(value, list | tuple):
            stack.extend(reversed([((*path, index), item) for index, item in enumerate(value)]))
    return found
