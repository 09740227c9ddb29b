"""Capabilities, competencies, delivery centres, price books, rules and offerings: one row
per record, tagged by the hash of the representation each caller is sent, every write
checked against the whole catalog and audited."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app import audit
from app.auth import (
    KIND_OF_COLLECTION,
    Audience,
    Principal,
    audience,
    cost_fields_in,
    sees_cost,
    visible,
)
from app.kit.errors import Conflict, FieldProblem, NotFound, ReadOnlyFields
from app.kit.merge_patch import apply_merge_patch
from app.kit.pagination import Page, after_key, page_of
from app.kit.preconditions import check_precondition
from app.kit.representation import Representation, represent
from app.models import CatalogRecord
from app.portfolio.catalog.store import (
    Registry,
    bump_revision,
    dump,
    ensure_consistent,
    validate_model,
    working_catalog,
)


def _kind(registry: Registry) -> str:
    return KIND_OF_COLLECTION.get(registry.field, registry.field)


def _visible(registry: Registry, seen_by: Audience, content: dict[str, Any]) -> dict[str, Any]:
    return visible(_kind(registry), content, seen_by)


def _view(registry: Registry, seen_by: Audience, content: dict[str, Any]) -> Representation:
    return represent(_visible(registry, seen_by, content))


def _etag(session: Session, principal: Principal, registry: Registry, row: CatalogRecord) -> str:
    """The tag of the representation of ``row`` this caller is sent (for If-Match)."""
    return _view(registry, audience(session, principal), row.content).etag


def _own_centre_only(registry: Registry, principal: Principal) -> str | None:
    """A delivery key sees its own centre and nothing of the others."""
    if registry.field == "delivery_centres" and principal.role == "delivery":
        return principal.centre or ""
    return None


def list_records(
    session: Session, principal: Principal, registry: Registry, *, limit: int, cursor: str | None
) -> Page[dict[str, Any]]:
    query = (
        select(CatalogRecord)
        .where(CatalogRecord.kind == registry.field)
        .order_by(CatalogRecord.key)
        .limit(limit + 1)
    )
    after = after_key(cursor)
    if after is not None:
        query = query.where(CatalogRecord.key > after)
    own = _own_centre_only(registry, principal)
    if own is not None:
        query = query.where(CatalogRecord.key == own)
    page = page_of(list(session.scalars(query)), limit, lambda row: row.key)
    seen_by = audience(session, principal)
    return Page([_visible(registry, seen_by, row.content) for row in page.items], page.next_cursor)


def _row(session: Session, registry: Registry, key: str) -> CatalogRecord:
    row = session.get(CatalogRecord, (registry.field, key))
    if row is None:
        raise NotFound(f"no {registry.title} {key!r}")
    return row


def get_record(
    session: Session, principal: Principal, registry: Registry, key: str
) -> Representation:
    own = _own_centre_only(registry, principal)
    if own is not None and key != own:
        raise NotFound(f"no {registry.title} {key!r}")
    row = _row(session, registry, key)
    return _view(registry, audience(session, principal), row.content)


def _validated(
    session: Session, registry: Registry, content: dict[str, Any], replaces: str | None
) -> dict[str, Any]:
    tag = content.get("kind") if registry.field == "rules" else None
    model = validate_model(registry.validate, content, registry.title, tag)
    collections = working_catalog(session)
    items = collections[registry.field]
    if replaces is not None:
        items.pop(replaces, None)
    items[getattr(model, registry.key)] = model
    ensure_consistent(collections)
    return dump(model)


def _refuse_cost(registry: Registry, principal: Principal, body: dict[str, Any]) -> None:
    if sees_cost(principal):
        return
    fields = cost_fields_in(_kind(registry), body)
    if fields:
        raise ReadOnlyFields(
            "cost fields are not yours to set: " + ", ".join(fields),
            [FieldProblem(name, "may not be set by this request") for name in fields],
        )


def create_record(
    session: Session, principal: Principal, registry: Registry, body: dict[str, Any]
) -> Representation:
    _refuse_cost(registry, principal, body)
    key = body.get(registry.key)
    if isinstance(key, str) and session.get(CatalogRecord, (registry.field, key)) is not None:
        raise Conflict(f"{registry.title} {key!r} exists; edit it with PATCH")
    content = _validated(session, registry, body, None)
    row = CatalogRecord(
        kind=registry.field, key=content[registry.key], content=content, updated_by=principal.name
    )
    session.add(row)
    session.flush()
    audit.record(session, principal, "record.create", registry.field, row.key, None, content)
    bump_revision(session)
    return _view(registry, audience(session, principal), content)


def patch_record(
    session: Session,
    principal: Principal,
    registry: Registry,
    key: str,
    patch: dict[str, Any],
    if_match: str | None,
) -> Representation:
    row = _row(session, registry, key)
    check_precondition(if_match, _etag(session, principal, registry, row), required=True)
    _refuse_cost(registry, principal, patch)
    if registry.key in patch and patch[registry.key] != key:
        raise ReadOnlyFields(
            f"the {registry.key} of a {registry.title} cannot change",
            [FieldProblem(registry.key, "may not be changed")],
        )
    before = row.content
    content = _validated(session, registry, apply_merge_patch(before, patch), key)
    seen_by = audience(session, principal)
    if content == before:  # compared once validated: 0.04 and "0.04" are the same
        return _view(registry, seen_by, before)
    row.content = content
    row.updated_by = principal.name
    session.flush()
    audit.record(session, principal, "record.update", registry.field, key, before, row.content)
    bump_revision(session)
    return _view(registry, seen_by, row.content)


def delete_record(
    session: Session, principal: Principal, registry: Registry, key: str, if_match: str | None
) -> None:
    row = _row(session, registry, key)
    check_precondition(if_match, _etag(session, principal, registry, row), required=True)
    collections = working_catalog(session)
    del collections[registry.field][key]
    ensure_consistent(collections)  # e.g. a centre still holding a component's competency
    audit.record(session, principal, "record.delete", registry.field, key, row.content, None)
    session.delete(row)
    bump_revision(session)
