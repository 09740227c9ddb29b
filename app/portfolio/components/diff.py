"""What changed between two versions of a component, from their representations (the dicts
``get_component`` answers, already shaped for one caller: a field kept from them is absent
on both sides, so the diff never shows it).

Fields: every leaf as a readable path (``prices.EUR.tiers.bands[2].monthly``,
``service_levels[gold].price_factor``), its value before and after, only where they differ.
Documents: the three documents as Markdown (the statement of work and the delivery
description written out from their structure), compared line by line with difflib, in
hunks with three lines of context. Pure: no database, no HTTP."""

from __future__ import annotations

import difflib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from app.portfolio.components.documents import DELIVERY_SECTIONS, SOW_SECTIONS, to_markdown

# Not content: the version numbers, the head's pointers and the row's times; the documents
# get a diff of their own.
NOT_COMPARED = frozenset(
    {"code", "version", "documents", "active_version", "latest_version", "created_at",
     "updated_at"}
)  # fmt: skip
# The top-level fields in the order a reader wants them (the catalog model's order).
FIELD_ORDER = (
    "name", "summary", "status", "author", "family", "layer", "charges", "unit", "quantity",
    "provides", "requires", "attributes", "competency", "availability_chain", "prices",
    "service_levels", "effort", "non_labour_cost", "partner",
)  # fmt: skip
DOCUMENT_TITLES = {
    "specification": "Service specification",
    "statement_of_work": "Statement of work",
    "delivery_description": "Service-delivery description",
}
CONTEXT_LINES = 3

LineKind = Literal["same", "added", "removed"]


@dataclass(frozen=True, slots=True)
class FieldChange:
    """One leaf: ``None`` on a side where it is absent (or null)."""

    path: str
    before: str | None
    after: str | None


@dataclass(frozen=True, slots=True)
class DiffLine:
    kind: LineKind
    before: int | None  # the line's number in the earlier version's text (1-based)
    after: int | None
    text: str


@dataclass(frozen=True, slots=True)
class DocumentDiff:
    name: str
    title: str
    # Hidden: the caller may not read this document of one of the versions (a delivery
    # centre, a competency it does not hold): nothing of it is compared.
    hidden: bool
    hunks: tuple[tuple[DiffLine, ...], ...]

    @property
    def changed(self) -> bool:
        return bool(self.hunks)


@dataclass(frozen=True, slots=True)
class ComponentDiff:
    code: str
    before: int
    after: int
    fields: tuple[FieldChange, ...]
    documents: tuple[DocumentDiff, ...]

    @property
    def unchanged(self) -> bool:
        return not self.fields and not any(document.changed for document in self.documents)


def component_diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> ComponentDiff:
    """``before`` and ``after``: two versions of one component, as one caller sees them."""
    old, new = flatten(before), flatten(after)
    paths = sorted(old.keys() | new.keys(), key=_field_order)
    fields = tuple(
        FieldChange(path, old.get(path), new.get(path))
        for path in paths
        if old.get(path) != new.get(path)
    )
    old_documents = before.get("documents") or {}
    new_documents = after.get("documents") or {}
    documents = tuple(
        document_diff(name, old_documents.get(name), new_documents.get(name))
        for name in DOCUMENT_TITLES
    )
    return ComponentDiff(
        str(after.get("code", before.get("code", ""))),
        int(before["version"]),
        int(after["version"]),
        fields,
        documents,
    )


def _field_order(path: str) -> tuple[int, str]:
    top = path.split(".")[0].split("[")[0]
    return (FIELD_ORDER.index(top) if top in FIELD_ORDER else len(FIELD_ORDER), path)


def flatten(representation: Mapping[str, Any]) -> dict[str, str | None]:
    """Every compared leaf of a component's representation by its readable path."""
    leaves: dict[str, str | None] = {}
    for key, value in representation.items():
        if key not in NOT_COMPARED:
            leaves.update(_leaves(value, key))
    return leaves


def _leaves(value: Any, path: str) -> Iterator[tuple[str, str | None]]:
    if isinstance(value, Mapping):
        for key, inner in value.items():
            yield from _leaves(inner, f"{path}.{key}")
    elif isinstance(value, list | tuple):
        if value and all(isinstance(item, Mapping) for item in value):
            # Items with a name (service levels, KPIs) by that name: a level added in the
            # middle changes one path, not every later index.
            named = all("name" in item for item in value)
            for index, item in enumerate(value):
                step = f"[{item['name']}]" if named else f"[{index}]"
                rest = {k: v for k, v in item.items() if not (named and k == "name")}
                if not rest:
                    yield f"{path}{step}", "present"
                yield from _leaves(rest, f"{path}{step}")
        else:  # a list of words (charges): one value, in its order
            yield path, ", ".join(_text(item) or "" for item in value)
    else:
        yield path, _text(value)


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def document_markdown(name: str, content: Any) -> str:
    """A document as the Markdown it is written in: the specification as it is, the other
    two as their editor writes them out, section by section."""
    if name == "specification":
        return str(content)
    sections = SOW_SECTIONS if name == "statement_of_work" else DELIVERY_SECTIONS
    return to_markdown(content, sections)


def document_diff(name: str, before: Any, after: Any) -> DocumentDiff:
    title = DOCUMENT_TITLES[name]
    if before is None or after is None:
        return DocumentDiff(name, title, True, ())
    old = document_markdown(name, before).splitlines()
    new = document_markdown(name, after).splitlines()
    return DocumentDiff(name, title, False, line_diff(old, new))


def line_diff(old: list[str], new: list[str]) -> tuple[tuple[DiffLine, ...], ...]:
    """The changed stretches of ``old`` -> ``new``, each with its context lines."""
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    hunks: list[tuple[DiffLine, ...]] = []
    for group in matcher.get_grouped_opcodes(CONTEXT_LINES):
        lines: list[DiffLine] = []
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                lines += [
                    DiffLine("same", i + 1, j + 1, old[i])
                    for i, j in zip(range(i1, i2), range(j1, j2), strict=True)
                ]
                continue
            lines += [DiffLine("removed", i + 1, None, old[i]) for i in range(i1, i2)]
            lines += [DiffLine("added", None, j + 1, new[j]) for j in range(j1, j2)]
        hunks.append(tuple(lines))
    return tuple(hunks)
