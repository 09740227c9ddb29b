"""Catalog-as-code export: a CatalogSnapshot -> the directory layout the loader reads.

Load -> export -> load gives an equal snapshot. Default values are left out so the files stay
as short as a person would write them: the fields a family's components share go to the
family folder's ``_defaults.yaml``; big variant tables go to CSV files next to the YAML; each
assured combination is a file of its own (``assurance/<id>.yaml``), reviewed and owned one
by one like a component.
"""

from __future__ import annotations

import csv
import io
import shutil
import tempfile
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from catalog.components import Component
from catalog.defaults import DEFAULTS_FILE, factor
from catalog.loader import TABLES_DIRECTORY
from catalog.rules import Rule, TableRule
from catalog.snapshot import CatalogSnapshot
from catalog.yaml_io import dump

# Tables longer than this are written as CSV: YAML lists of that size are slow to review.
INLINE_TABLE_ROWS = 20
ASSURANCE_DIRECTORY = "assurance"  # the loader's folder of assured combinations

_LIST_FILES = {
    "capabilities.yaml": "capabilities",
    "competencies.yaml": "competencies",
    "delivery-centres.yaml": "delivery_centres",
    "price-books.yaml": "price_books",
    "offerings.yaml": "offerings",
}


def _plain(model: BaseModel) -> dict[str, Any]:
    return model.model_dump(by_alias=True, exclude_defaults=True)


def _rule_record(rule: Rule, tables: dict[str, str]) -> dict[str, Any]:
    record = {"kind": rule.kind, **_plain(rule)}  # kind first reads best
    if isinstance(rule, TableRule) and len(rule.rows) > INLINE_TABLE_ROWS:
        name = f"{TABLES_DIRECTORY}/{rule.id}.csv"
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(column.name for column in rule.columns)
        writer.writerows(rule.rows)
        tables[name] = buffer.getvalue()
        del record["rows"]
        record["rows_file"] = name
    return record


def export_files(snapshot: CatalogSnapshot) -> dict[str, str]:
    """Relative path -> file content for the whole catalog."""
    files: dict[str, str] = {}
    for name, field in _LIST_FILES.items():
        items = getattr(snapshot, field)
        if items:
            files[name] = dump([_plain(item) for item in items])
    tables: dict[str, str] = {}
    if snapshot.rules:
        files["rules.yaml"] = dump([_rule_record(rule, tables) for rule in snapshot.rules])
    files.update(tables)
    families: dict[str, list[Component]] = {}
    for component in snapshot.components:
        families.setdefault(component.family, []).append(component)
    for family, members in families.items():
        shared, records = factor([_plain(component) for component in members])
        if shared:
            files[f"components/{family}/{DEFAULTS_FILE}"] = dump(shared)
        for component, record in zip(members, records, strict=True):
            files[f"components/{family}/{component.code}.yaml"] = dump(record)
    for combination in snapshot.assurances:
        files[f"{ASSURANCE_DIRECTORY}/{combination.id}.yaml"] = dump(_plain(combination))
    return files


def export_catalog(snapshot: CatalogSnapshot, target: Path) -> list[Path]:
    """Write the catalog under ``target`` (replacing what was there), all or nothing.

    The files are written to a sibling temporary directory first and swapped in at the end,
    so a failure half-way leaves the previous content untouched.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
    try:
        written = []
        for relative, content in export_files(snapshot).items():
            path = staging / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(content, encoding="utf-8")
            written.append(target / relative)
        if target.exists():
            backup = target.with_name(f".{target.name}.old")
            shutil.rmtree(backup, ignore_errors=True)
            target.rename(backup)
            staging.rename(target)
            shutil.rmtree(backup)
        else:
            staging.rename(target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return sorted(written)
