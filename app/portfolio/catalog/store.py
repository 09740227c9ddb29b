"""The catalog as stored: JSON documents of validated models, read back into models for the
whole-catalog checks every write goes through, and a revision that moves on every change."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ValidationError
from sqlalchemy import Connection, select, update
from sqlalchemy.orm import Session

from app.kit.errors import FieldProblem, Invalid
from app.models import CatalogRecord, CatalogState, ComponentHead, ComponentVersion
from catalog import (
    COLLECTIONS,
    CatalogSnapshot,
    Component,
    check,
    describe,
    format_path,
    records_of,
)

_VALIDATORS = {collection.field: collection.validate for collection in COLLECTIONS}


@dataclass(frozen=True, slots=True)
class Registry:
    field: str  # the snapshot field and the stored kind, e.g. "delivery_centres"
    path: str  # its URL below /v1, e.g. "delivery-centres"
    key: str  # "code", or "id" for rules and assured combinations
    title: str  # "delivery centre"
    plural: str = ""  # "assured combinations"; by default the path's words

    @property
    def records(self) -> str:
        """The records in words: "delivery centres"."""
        return self.plural or self.path.replace("-", " ")

    def validate(self, raw: Any) -> BaseModel:
        return _VALIDATORS[self.field](raw)


REGISTRIES: dict[str, Registry] = {
    registry.field: registry
    for registry in (
        Registry("capabilities", "capabilities", "code", "capability"),
        Registry("competencies", "competencies", "code", "competency"),
        Registry("delivery_centres", "delivery-centres", "code", "delivery centre"),
        Registry("price_books", "price-books", "code", "price book"),
        Registry("rules", "rules", "id", "rule"),
        Registry("offerings", "offerings", "code", "offering"),
        # Beside the suite's runs (/v1/assurance/runs): the combinations it runs.
        Registry(
            "assurances",
            "assurance/combinations",
            "id",
            "assured combination",
            "assured combinations",
        ),
    )
}


def dump(model: BaseModel) -> dict[str, Any]:
    """The JSON document of a model: decimals as strings, lossless."""
    return model.model_dump(mode="json", by_alias=True)


def component_document(component: Component) -> dict[str, Any]:
    """What a version row stores: the component without its status (a column of its own)."""
    document = dump(component)
    del document["status"]
    return document


def same_content(document: dict[str, Any], other: dict[str, Any]) -> bool:
    """Whether two stored components say the same, whatever their version and author."""
    ignored = ("version", "author")
    return {key: value for key, value in document.items() if key not in ignored} == {
        key: value for key, value in other.items() if key not in ignored
    }


def component_of(row: ComponentVersion) -> Component:
    return Component.model_validate({**row.content, "status": row.status})


def search_text(component: Component) -> str:
    return f"{component.code} {component.name} {component.summary}".lower()


def latest_versions(session: Session) -> Iterable[ComponentVersion]:
    """The latest version of every component, by code."""
    return _versions_at(session, ComponentHead.latest_version)


def active_versions(session: Session) -> Iterable[ComponentVersion]:
    """The active version of every component that has one, by code."""
    return _versions_at(session, ComponentHead.active_version)


def _versions_at(session: Session, head_column: Any) -> Iterable[ComponentVersion]:
    return session.scalars(
        select(ComponentVersion)
        .join(
            ComponentHead,
            (ComponentHead.code == ComponentVersion.code)
            & (head_column == ComponentVersion.version),
        )
        .order_by(ComponentVersion.code)
    )


def working_catalog(session: Session) -> dict[str, dict[str, BaseModel]]:
    """Every registry record and the latest version of every component, as models by key."""
    collections: dict[str, dict[str, BaseModel]] = {field: {} for field in REGISTRIES}
    for row in session.scalars(select(CatalogRecord)):
        collections[row.kind][row.key] = REGISTRIES[row.kind].validate(row.content)
    collections["components"] = {row.code: component_of(row) for row in latest_versions(session)}
    return collections


def working_snapshot(session: Session) -> CatalogSnapshot:
    return snapshot_of(working_catalog(session))


def snapshot_of(collections: Mapping[str, Mapping[str, BaseModel]]) -> CatalogSnapshot:
    return CatalogSnapshot.model_validate(
        {field: tuple(items.values()) for field, items in collections.items()}
    )


def ensure_consistent(collections: Mapping[str, Mapping[str, BaseModel]]) -> None:
    """Raise Invalid listing every cross-record error of the catalog as it would become."""
    records = records_of({field: items.values() for field, items in collections.items()})
    errors = [problem for problem in check(records) if problem.severity == "error"]
    if errors:
        raise Invalid(
            f"the change would leave the catalog inconsistent ({len(errors)} problem(s))",
            [
                FieldProblem(format_path(problem.path), problem.message, problem.file)
                for problem in errors
            ],
        )


def validate_model(registry_validate: Any, raw: dict[str, Any], what: str, tag: Any = None) -> Any:
    """Validate one record; Invalid with every field problem (the catalog loader's wording)."""
    try:
        return registry_validate(raw)
    except ValidationError as error:
        raise Invalid(
            f"the {what} is not valid",
            [FieldProblem(format_path(path), message) for path, message in describe(error, tag)],
        ) from error


def bump_revision(session: Session) -> None:
    session.execute(update(CatalogState).values(revision=CatalogState.revision + 1))


def catalog_revision(session: Session | Connection) -> int:
    return session.scalar(select(CatalogState.revision)) or 0
