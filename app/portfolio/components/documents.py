"""A component's structured documents as Markdown a person edits in one text box, and back.
Pure. The statement of work and the delivery description are lists under fixed headings
(``## Deliverables`` then ``- ...`` items), their KPIs a table; the specification is
Markdown as it is. Reading back names every line it cannot place, so the form can say so."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

# The sections of the two structured documents and their titles, as the PDFs draw them
# (app/documents/templates/sections.html): the editor, the version diff and the catalog
# page all write and read them with these.
SOW_SECTIONS = (
    ("provider_responsibilities", "Provider responsibilities"),
    ("client_responsibilities", "Client responsibilities"),
    ("deliverables", "Deliverables"),
    ("assumptions", "Assumptions"),
    ("exclusions", "Exclusions"),
)
DELIVERY_SECTIONS = (
    ("provisioning_steps", "Provisioning"),
    ("operating_procedures", "Operating procedures"),
    ("tooling", "Tooling"),
    ("skills", "Skills"),
    ("handover", "Handover"),
    ("kpis", "Service KPIs"),
)
ORDERED = frozenset({"provisioning_steps"})
TEXT = frozenset({"handover"})  # a paragraph (Markdown), not a list
TABLE = frozenset({"kpis"})
KPI_HEADER = ("KPI", "Target", "Measurement")

_HEADING = re.compile(r"^#{1,6}\s+(.*?)\s*#*\s*$")
_ITEM = re.compile(r"^\s{0,3}(?:[-*+]|\d{1,9}[.)])\s+(.*)$")
_RULE = re.compile(r"^\|?\s*:?-{1,}:?\s*(\|\s*:?-{1,}:?\s*)*\|?\s*$")
_PIPE = re.compile(r"(?<!\\)\|")


@dataclass(frozen=True, slots=True)
class Parsed:
    value: dict[str, Any]
    problems: tuple[str, ...]


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def to_markdown(document: Mapping[str, Any], sections: Sequence[tuple[str, str]]) -> str:
    """The structured document as Markdown, in the order of ``sections``."""
    parts: list[str] = []
    for key, title in sections:
        value = document.get(key)
        lines = [f"## {title}", ""]
        if key in TEXT:
            lines.append(str(value or ""))
        elif key in TABLE:
            lines += ["| " + " | ".join(KPI_HEADER) + " |", "| --- | --- | --- |"]
            lines += [
                f"| {_cell(row['name'])} | {_cell(row['target'])} | {_cell(row['measurement'])} |"
                for row in value or ()
            ]
        else:
            for number, item in enumerate(value or (), start=1):
                marker = f"{number}." if key in ORDERED else "-"
                lines.append(f"{marker} {item}")
        parts.append("\n".join(lines))
    return "\n\n".join(parts) + "\n"


def from_markdown(text: str, sections: Sequence[tuple[str, str]]) -> Parsed:
    """The Markdown read back into the document's fields; each line that fits nowhere, each
    unknown or missing heading, as a problem (the line numbers are the text box's)."""
    titles = {title.casefold(): key for key, title in sections}
    titles.update({key.replace("_", " ").casefold(): key for key, _ in sections})
    found: dict[str, list[str]] = {}
    problems: list[str] = []
    current: str | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        heading = _HEADING.match(line)
        if heading:
            name = heading.group(1).strip().casefold()
            current = titles.get(name, "")  # "": an unknown heading, its lines skipped
            if not current:
                known = ", ".join(f"“{title}”" for _, title in sections)
                problems.append(f"line {number}: unknown heading “{heading.group(1)}”; use {known}")
            elif current in found:
                problems.append(f"line {number}: the heading “{heading.group(1)}” comes twice")
            else:
                found[current] = []
            continue
        if not line.strip():
            if current in TEXT and current in found:
                found[current].append("")
            continue
        if current is None:
            problems.append(f"line {number}: text before the first heading")
            continue
        if not current:
            continue
        if current in TEXT:
            found[current].append(line)
        elif current in TABLE:
            _table_line(line, number, found[current], problems)
        else:
            _list_line(line, number, found[current], problems)
    value: dict[str, Any] = {}
    for key, title in sections:
        if key not in found:
            problems.append(f"the heading “## {title}” is missing")
            continue
        if key in TEXT:
            value[key] = "\n".join(found[key]).strip()
        elif key in TABLE:
            columns = ("name", "target", "measurement")
            value[key] = [dict(zip(columns, row.split("\x00"), strict=True)) for row in found[key]]
        else:
            value[key] = found[key]
    return Parsed(value, tuple(problems))


def _list_line(line: str, number: int, items: list[str], problems: list[str]) -> None:
    item = _ITEM.match(line)
    if item:
        items.append(item.group(1).strip())
    elif items and line[:1].isspace():  # an item's text wrapped onto the next line
        items[-1] = f"{items[-1]} {line.strip()}"
    else:
        problems.append(f"line {number}: write each entry as a list item (“- …”)")


def _table_line(line: str, number: int, rows: list[str], problems: list[str]) -> None:
    if _RULE.match(line.strip()):
        return
    stripped = line.strip()
    if not stripped.startswith("|"):
        problems.append(
            f"line {number}: write each KPI as a table row (“| name | target | measurement |”)"
        )
        return
    cells = [cell.strip().replace("\\|", "|") for cell in _PIPE.split(stripped.strip("|"))]
    if tuple(cell.casefold() for cell in cells) == tuple(h.casefold() for h in KPI_HEADER):
        return
    if len(cells) != 3:
        problems.append(
            f"line {number}: a KPI row has 3 cells (name, target, measurement), not {len(cells)}"
        )
        return
    rows.append("\x00".join(cells))
