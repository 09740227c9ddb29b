"""Catalog import (one transaction, all or nothing) and export of the working catalog.

Import makes the registries (capabilities, competencies, centres, price books, rules,
offerings) exactly those of the imported catalog, and brings components up to date: a new
code becomes its first version, a changed component a new version, an unchanged one is left
alone. Components absent from the import are kept as they are; the result is checked as a
whole before anything is written. A trusted import (the CLI, an admin) keeps the statuses
of the files; anyone else's imported versions land as drafts, authored by them, and go
through review and four-eyes assurance like any other edit."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from app import audit
from app.auth import Principal
from app.models import (
    AuditEntry,
    CatalogRecord,
    ComponentCapability,
    ComponentHead,
    ComponentVersion,
    utcnow,
)
from app.portfolio.catalog.store import (
    REGISTRIES,
    bump_revision,
    component_document,
    component_of,
    dump,
    ensure_consistent,
    latest_versions,
    same_content,
    search_text,
)
from catalog import CatalogSnapshot, Component


@dataclass
class ImportReport:
    components_created: list[str] = field(default_factory=list)
    components_versioned: list[str] = field(default_factory=list)
    components_unchanged: int = 0
    records_created: int = 0
    records_updated: int = 0
    records_deleted: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "components_created": len(self.components_created),
            "components_versioned": len(self.components_versioned),
            "components_unchanged": self.components_unchanged,
            "records_created": self.records_created,
            "records_updated": self.records_updated,
            "records_deleted": self.records_deleted,
        }


def import_snapshot(
    session: Session, principal: Principal, snapshot: CatalogSnapshot, *, trusted: bool
) -> ImportReport:
    report = ImportReport()
    latest = {row.code: row for row in latest_versions(session)}
    _check_with_kept_components(snapshot, latest)
    _import_registries(session, principal, snapshot, report)
    _import_components(session, principal, snapshot, latest, trusted, report)
    bump_revision(session)
    return report


def _check_with_kept_components(
    snapshot: CatalogSnapshot, latest: dict[str, ComponentVersion]
) -> None:
    """The imported catalog was checked alone; check it again with the components the
    database keeps that the import does not mention."""
    imported = {component.code for component in snapshot.components}
    kept = [component_of(row) for code, row in latest.items() if code not in imported]
    if not kept:
        return
    collections: dict[str, dict[str, BaseModel]] = {
        registry.field: {
            getattr(item, registry.key): item for item in getattr(snapshot, registry.field)
        }
        for registry in REGISTRIES.values()
    }
    collections["components"] = {
        component.code: component for component in (*snapshot.components, *kept)
    }
    ensure_consistent(collections)


def _import_registries(
    session: Session, principal: Principal, snapshot: CatalogSnapshot, report: ImportReport
) -> None:
    existing = {(row.kind, row.key): row for row in session.scalars(select(CatalogRecord))}
    for registry in REGISTRIES.values():
        for model in getattr(snapshot, registry.field):
            key = getattr(model, registry.key)
            content = dump(model)
            row = existing.pop((registry.field, key), None)
            if row is None:
                session.add(
                    CatalogRecord(
                        kind=registry.field, key=key, content=content, updated_by=principal.name
                    )
                )
                audit.record(
                    session, principal, "record.import", registry.field, key, None, content
                )
                report.records_created += 1
            elif row.content != content:
                audit.record(
                    session, principal, "record.import", registry.field, key, row.content, content
                )
                row.content, row.updated_by = content, principal.name
                report.records_updated += 1
    for row in existing.values():
        audit.record(session, principal, "record.import", row.kind, row.key, row.content, None)
        session.delete(row)
        report.records_deleted += 1
    session.flush()


def _import_components(
    session: Session,
    principal: Principal,
    snapshot: CatalogSnapshot,
    latest: dict[str, ComponentVersion],
    trusted: bool,
    report: ImportReport,
) -> None:
    heads = {head.code: head for head in session.scalars(select(ComponentHead))}
    new_heads: list[dict[str, Any]] = []
    versions: list[Component] = []
    for component in snapshot.components:
        if not trusted:
            component = component.model_copy(update={"status": "draft", "author": principal.name})
        row = latest.get(component.code)
        if row is None:
            new_heads.append({"code": component.code, "latest_version": component.version})
            report.components_created.append(component.code)
        elif same_content(component_document(component), row.content) and (
            component.status == row.status or not trusted
        ):
            report.components_unchanged += 1
            continue
        else:
            version = max(row.version + 1, component.version)
            component = component.model_copy(update={"version": version})
            heads[component.code].latest_version = version
            report.components_versioned.append(component.code)
        versions.append(component)
    if new_heads:
        session.execute(insert(ComponentHead), new_heads)
        session.flush()
        heads.update(
            (head.code, head)
            for head in session.scalars(
                select(ComponentHead).where(
                    ComponentHead.code.in_([entry["code"] for entry in new_heads])
                )
            )
        )
    _insert_versions(session, principal, versions, heads, latest)


def _insert_versions(
    session: Session,
    principal: Principal,
    versions: list[Component],
    heads: dict[str, ComponentHead],
    latest: dict[str, ComponentVersion],
) -> None:
    """Bulk insert (a 10,000-component import is one statement per table, not 40,000
    ORM objects), then the heads and the audit trail."""
    if not versions:
        return
    now = utcnow()
    ids = session.scalars(
        insert(ComponentVersion).returning(ComponentVersion.id, sort_by_parameter_order=True),
        [
            {
                "code": component.code,
                "version": component.version,
                "status": component.status,
                "name": component.name,
                "family": component.family,
                "layer": component.layer,
                "author": component.author,
                "search_text": search_text(component),
                "content": component_document(component),
                "revision": 1,
                "created_at": now,
                "updated_at": now,
            }
            for component in versions
        ],
    ).all()
    capabilities = [
        {"version_id": version_id, "capability": capability}
        for version_id, component in zip(ids, versions, strict=True)
        for capability in component.provides
    ]
    if capabilities:
        session.execute(insert(ComponentCapability), capabilities)
    entries = []
    for component in versions:
        head = heads[component.code]
        previous = latest.get(component.code)
        if component.status == "active":
            if head.active_version is not None:
                _retire(session, component.code, head.active_version)
            head.active_version = component.version
        entries.append(
            {
                "actor": principal.name,
                "role": principal.role,
                "action": "component.import",
                "entity_kind": "component",
                "entity_key": component.code,
                # Versions never change, so naming them records the before and after fully.
                "before": None
                if previous is None
                else {"version": previous.version, "status": previous.status},
                "after": {"version": component.version, "status": component.status},
                "at": now,
            }
        )
    session.execute(insert(AuditEntry), entries)
    session.flush()


def _retire(session: Session, code: str, version: int) -> None:
    row = session.scalar(
        select(ComponentVersion).where(
            (ComponentVersion.code == code) & (ComponentVersion.version == version)
        )
    )
    if row is not None:
        row.status = "retired"
