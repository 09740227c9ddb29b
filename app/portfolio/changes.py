"""A catalog change as data, and the gate every route that changes the catalog goes through.

A route describes its change (``CatalogChange``) and hands it to the ``CatalogGate`` the
composition root wired in; the gate decides whether and how it is applied, in write
transactions of its own. ``app.assurance`` provides it: it first runs the assured
combinations on the catalog as the change would make it. The portfolio only knows this
protocol, so it never imports the assurance domain (which imports it).

A change is data so that it can be stored with the run that refused it and applied again,
exactly, when an approver overrides that refusal (``apply_change``)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal, Protocol

from sqlalchemy.orm import Session

from app.auth import Principal
from app.kit.errors import Invalid
from app.kit.representation import Representation, represent
from app.portfolio.catalog.service import import_snapshot
from app.portfolio.catalog.store import REGISTRIES, dump
from app.portfolio.components import service as components
from app.portfolio.components.service import Stranding
from app.portfolio.registries import service as registries
from catalog import CatalogSnapshot, validate_mapping

Action = Literal[
    "component.transition", "record.create", "record.update", "record.delete", "catalog.import"
]
# Where an assured combination would not notice a change: it is about the combinations
# themselves (helper registries may add them to REGISTRIES as "assurances").
UNGATED_REGISTRIES = frozenset({"assurances"})


def _text(item: object) -> str:
    if isinstance(item, Decimal):
        return str(item)
    raise TypeError(f"{type(item).__name__} is not JSON")


def _jsonable(value: Any) -> Any:
    """A body as plain JSON (its decimals as text, which every catalog model reads back)."""
    return json.loads(json.dumps(value, default=_text))


@dataclass(frozen=True, slots=True)
class CatalogChange:
    action: Action
    arguments: dict[str, Any]  # JSON: what ``apply_change`` needs to make it

    @staticmethod
    def transition(
        code: str,
        version: int,
        to: str,
        comment: str | None,
        if_match: str | None,
        *,
        confirm_stranding: Stranding = False,
    ) -> CatalogChange:
        arguments: dict[str, Any] = {"code": code, "version": version, "to": to,
                                     "comment": comment, "if_match": if_match}  # fmt: skip
        if confirm_stranding is True:  # left out otherwise: stored changes read as before
            arguments["confirm_stranding"] = True
        elif confirm_stranding:  # the proposals a person saw and confirmed, by id
            arguments["confirm_stranding"] = sorted(confirm_stranding)
        return CatalogChange("component.transition", arguments)

    @staticmethod
    def create(registry: str, body: dict[str, Any]) -> CatalogChange:
        return CatalogChange("record.create", {"registry": registry, "body": _jsonable(body)})

    @staticmethod
    def update(
        registry: str, key: str, patch: dict[str, Any], if_match: str | None
    ) -> CatalogChange:
        return CatalogChange(
            "record.update",
            {"registry": registry, "key": key, "patch": _jsonable(patch), "if_match": if_match},
        )

    @staticmethod
    def import_catalog(snapshot: CatalogSnapshot) -> CatalogChange:
        """An import by someone the import does not trust to set statuses: its registries
        (rules, price books, centres...) are live at once, its components land as drafts."""
        catalog = {field: [dump(item) for item in getattr(snapshot, field)]
                   for field in CatalogSnapshot.model_fields}  # fmt: skip
        return CatalogChange("catalog.import", {"catalog": catalog})

    @staticmethod
    def delete(registry: str, key: str, if_match: str | None) -> CatalogChange:
        return CatalogChange(
            "record.delete", {"registry": registry, "key": key, "if_match": if_match}
        )

    @property
    def subject(self) -> str:
        """The change in words."""
        given = self.arguments
        if self.action == "component.transition":
            return f"{given['code']} version {given['version']} to {given['to']}"
        if self.action == "catalog.import":
            catalog = given["catalog"]
            return (
                f"import of a catalog of {len(catalog['components'])} component(s) and "
                f"{len(catalog['rules'])} rule(s)"
            )
        registry = REGISTRIES[given["registry"]]
        if self.action == "record.create":
            return f"create {registry.title} {given['body'].get(registry.key)}"
        verb = "edit" if self.action == "record.update" else "delete"
        return f"{verb} {registry.title} {given['key']}"

    @property
    def alters_active_catalog(self) -> bool:
        """Whether sales could see the change: a version becoming active or retired, or a
        registry record written (not an assured combination)."""
        if self.action == "component.transition":
            return bool(self.arguments["to"] in ("active", "retired"))
        if self.action == "catalog.import":
            return True
        return self.arguments["registry"] not in UNGATED_REGISTRIES

    def as_dict(self) -> dict[str, Any]:
        return {"action": self.action, "arguments": self.arguments}

    @staticmethod
    def of(stored: dict[str, Any]) -> CatalogChange:
        return CatalogChange(stored["action"], dict(stored["arguments"]))

    def without_precondition(self) -> CatalogChange:
        """The same change whatever the records' tags now (an override, applied on the very
        catalog revision it was refused at, so nothing it names has moved)."""
        if "if_match" not in self.arguments:
            return self
        return CatalogChange(self.action, {**self.arguments, "if_match": "*"})


def apply_change(
    session: Session, principal: Principal, change: CatalogChange
) -> Representation | None:
    """Make ``change`` in ``session`` (every check and audit entry of its use case); the
    representation it answers with (none for a delete)."""
    given = change.arguments
    if change.action == "catalog.import":
        loaded = validate_mapping(given["catalog"])
        if loaded.snapshot is None:  # validated before it was asked; a stored one as well
            raise Invalid("the stored catalog no longer loads", [])
        trusted = principal.role == "admin"
        report = import_snapshot(session, principal, loaded.snapshot, trusted=trusted)
        return represent(report.as_dict())
    if change.action == "component.transition":
        return components.transition(
            session, principal, given["code"], given["version"], given["to"], given["comment"],
            given["if_match"], confirm_stranding=_stranding(given.get("confirm_stranding")),
        )  # fmt: skip
    registry = REGISTRIES[given["registry"]]
    if change.action == "record.create":
        return registries.create_record(session, principal, registry, given["body"])
    if change.action == "record.update":
        return registries.patch_record(
            session, principal, registry, given["key"], given["patch"], given["if_match"]
        )
    registries.delete_record(session, principal, registry, given["key"], given["if_match"])
    return None


class CatalogGate(Protocol):
    """How the routes change the catalog, and what happens after an import."""

    def apply(self, principal: Principal, change: CatalogChange) -> Representation | None:
        """Apply ``change`` in its own write transaction, or refuse it."""
        ...

    def after_import(self, principal: Principal) -> dict[str, Any] | None:
        """Called once an import is committed: what to add to its report (None: nothing)."""
        ...


def _stranding(stored: Any) -> Stranding:
    return frozenset(stored) if isinstance(stored, list) else bool(stored)
