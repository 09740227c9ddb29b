"""The portfolio's contract: components, registry records and the catalog as a whole, as the
API sends and takes them.

A record's answer is the catalog model itself, seen by one caller: fields that
``app.auth.visibility`` keeps from some callers (cost, other centres' delivery descriptions)
are optional here, so the schema holds for every role. The models are derived from the
catalog's own, never written twice."""

from __future__ import annotations

import types
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, Literal, Union, cast, get_args, get_origin

from pydantic import BaseModel, ConfigDict, Field, RootModel, create_model
from pydantic.fields import FieldInfo

from app.auth import COST_FIELDS, DELIVERY_DESCRIPTION
from app.kit.schemas import Page, Problem
from catalog import (
    AssuredCombination,
    Capability,
    Competency,
    Component,
    DeliveryCentre,
    Offering,
    PriceBook,
    Rule,
)

Rebuild = Callable[[type[BaseModel]], Any]


def _model_inside(annotation: Any) -> tuple[type[BaseModel], Rebuild] | None:
    """The model a field holds (alone, optional, or as a tuple of them) and how to put
    another model in its place."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation, lambda model: model
    origin, args = get_origin(annotation), get_args(annotation)
    if origin in (Union, types.UnionType) and type(None) in args:
        (inner,) = [arg for arg in args if arg is not type(None)]
        found = _model_inside(inner)
        if found is not None:
            model, rebuild = found
            return model, lambda other: rebuild(other) | None
    if origin is tuple and len(args) == 2 and args[1] is Ellipsis:
        found = _model_inside(args[0])
        if found is not None:
            model, rebuild = found
            return model, lambda other: tuple[rebuild(other), ...]  # type: ignore[misc]
    return None


def as_seen(model: type[BaseModel], hidden: Sequence[tuple[str, ...]], name: str) -> Any:
    """``model`` with every field on a ``hidden`` path optional ("*" steps into the items
    of a tuple): the shape every caller gets, whatever it may see."""
    overrides: dict[str, Any] = {}
    for field in {path[0] for path in hidden}:
        info: FieldInfo = model.model_fields[field]
        rest = [path[1:] for path in hidden if path[0] == field and len(path) > 1]
        rest = [path[1:] if path[0] == "*" else path for path in rest]
        if len(rest) < sum(1 for path in hidden if path[0] == field):  # the field itself
            optional: Any = cast(Any, info.annotation) | None
            overrides[field] = (optional, Field(None, description=info.description))
            continue
        inside = _model_inside(info.annotation)
        assert inside is not None, f"{model.__name__}.{field} holds no model"
        inner, rebuild = inside
        seen = as_seen(inner, rest, f"{inner.__name__}View")
        overrides[field] = (rebuild(seen), info)
    return create_model(name, __base__=model, **overrides)


def _hidden(kind: str) -> tuple[tuple[str, ...], ...]:
    return COST_FIELDS.get(kind, ())


_ComponentSeen = as_seen(Component, (*_hidden("component"), DELIVERY_DESCRIPTION), "ComponentSeen")


class ComponentView(_ComponentSeen):  # type: ignore[misc, valid-type]
    """One version of a component, as the caller may see it."""

    active_version: int | None = Field(description="the version sales configure; null: none")
    latest_version: int
    created_at: datetime
    updated_at: datetime


class ComponentRow(BaseModel):
    """A component in a list: the latest version for curators, the active one otherwise."""

    code: str
    version: int
    status: str
    name: str
    summary: str
    family: str
    layer: str
    unit: str
    provides: dict[str, str] = Field(description="capability -> amount per unit (decimal)")
    active_version: int | None
    latest_version: int


class ComponentPage(Page[ComponentRow]):
    """A page of components."""


_DRAFT_SET_BY_SERVICE = ("status", "version", "author")

_DRAFT_FIELDS: dict[str, Any] = {
    name: (info.annotation, info)
    for name, info in Component.model_fields.items()
    if name not in _DRAFT_SET_BY_SERVICE
}
ComponentDraft: Any = create_model(
    "ComponentDraft",
    __config__=ConfigDict(extra="forbid"),
    __doc__="A new component: its version (1), status (draft) and author are set by the service.",
    **_DRAFT_FIELDS,
)


def _models_of(annotation: Any) -> list[type[BaseModel]]:
    """The models of a model or of a (discriminated, annotated) union of them."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [model for arg in get_args(annotation) for model in _models_of(arg)]


def merge_patch_of(model: Any, name: str) -> Any:
    """A JSON merge patch (RFC 7396) of ``model`` (or of any member of a union): the
    fields to change; null removes one."""
    fields: dict[str, Any] = {
        field: (Any, Field(None)) for member in _models_of(model) for field in member.model_fields
    }
    return create_model(
        name,
        __config__=ConfigDict(extra="forbid"),
        __doc__="A JSON merge patch: the fields to change; null removes one.",
        **fields,
    )


ComponentPatch = merge_patch_of(Component, "ComponentPatch")


class ComponentTransition(BaseModel):
    """A move along the lifecycle draft -> in_review -> assured -> active -> retired."""

    model_config = ConfigDict(extra="forbid")

    to: Literal["draft", "in_review", "assured", "active", "retired"]
    comment: str | None = Field(default=None, max_length=2000)
    confirm_stranding: bool = Field(
        default=False,
        description="retire even though open proposals sell the version (a retirement "
        "without it is refused with 409 `strands-open-proposals`, naming them)",
    )


class ComponentDocument(BaseModel):
    """One of a component's three documents (Markdown)."""

    code: str
    version: int
    name: str
    status: str
    document: Literal["specification", "statement_of_work", "delivery_description"]
    content: Any = Field(description="the document: Markdown, or its sections")


class CatalogSummary(BaseModel):
    """Counts of the components listed to the caller."""

    components: int
    by_family: dict[str, int]
    by_layer: dict[str, int]
    by_status: dict[str, int]


class BrokenCombination(BaseModel):
    """An assured combination that does not hold, and why."""

    id: str
    name: str
    owner: str
    reasons: list[str]


class ImportAssurance(BaseModel):
    """The assured combinations run on the active catalog once the import was committed."""

    run: int = Field(description="the stored run: `GET /v1/assurance/runs/{id}`")
    held: int
    broken: int
    broken_combinations: list[BrokenCombination]


class ImportReport(BaseModel):
    """What an import changed (and, when the service keeps assured combinations, how they
    fare on the catalog it made: an import is never refused for them)."""

    components_created: int
    components_versioned: int
    components_unchanged: int
    records_created: int
    records_updated: int
    records_deleted: int
    assurance: ImportAssurance | None = None


class StrandedProposal(BaseModel):
    """An open proposal whose current revision sells the version."""

    id: int
    number: str
    customer: str
    status: str
    author: str


class AssuranceBrokenProblem(Problem):
    """A 409: a conflict, or (type `urn:offerwright:problem:assurance-broken`) a change that
    would break assured combinations that hold today: each named, and the refused run an
    approver who is not the requester may override (`POST /v1/assurance/runs/{id}/override`);
    or (type `urn:offerwright:problem:strands-open-proposals`) a retirement that would strand
    open proposals: each named, to confirm with `confirm_stranding`."""

    run: int | None = Field(None, description="the stored refused run")
    broken: list[BrokenCombination] | None = Field(
        None, description="every combination the change would break"
    )
    proposals: list[StrandedProposal] | None = Field(
        None, description="the open proposals a retirement would strand"
    )


class ProposalUse(StrandedProposal):
    """A proposal whose current revision sells the version."""

    revision: int
    valid_until: str = Field(description="ISO date; an open proposal past it has expired")


class PackageUse(BaseModel):
    id: int
    line: int
    centre: str
    quantity: int
    service_level: str


class AcceptedUse(ProposalUse):
    """An accepted proposal selling the version, with its work packages of it."""

    work_packages: list[PackageUse]


class OfferingMention(BaseModel):
    code: str
    name: str
    role: Literal["default", "optional"]


class RuleMention(BaseModel):
    id: str
    kind: str
    severity: str
    message: str


class PriceChange(BaseModel):
    """A price book whose list price differs from the active version's (null: no price
    in that book)."""

    price_book: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None


class WhereUsedCounts(BaseModel):
    open_proposals: int
    accepted_proposals: int
    work_packages: int
    offerings: int
    rules: int


class WhereUsedView(BaseModel):
    """Where a component version is used: what retiring or re-pricing it touches."""

    code: str
    version: int
    name: str
    author: str
    status: str
    active_version: int | None
    counts: WhereUsedCounts
    open_proposals: list[ProposalUse] = Field(
        description="not accepted, rejected, expired or withdrawn: a retirement strands them"
    )
    accepted_proposals: list[AcceptedUse]
    offerings: list[OfferingMention] = Field(description="of the active catalog")
    rules: list[RuleMention] = Field(description="of the active catalog")
    price_changes: list[PriceChange] = Field(
        description="per price book, against the active version (none for the active one)"
    )


# The answer of each registry's records, by snapshot field.
RECORD_VIEWS: dict[str, Any] = {
    "capabilities": Capability,
    "competencies": Competency,
    "delivery_centres": as_seen(DeliveryCentre, _hidden("delivery_centre"), "DeliveryCentreView"),
    "price_books": as_seen(PriceBook, _hidden("price_book"), "PriceBookView"),
    "rules": Rule,
    "offerings": Offering,
    "assurances": AssuredCombination,
}


class RuleDefinition(RootModel[Rule]):
    """A rule: one of the kinds below, told apart by `kind`."""


# What each registry's create takes.
RECORD_BODIES: dict[str, Any] = {
    "capabilities": Capability,
    "competencies": Competency,
    "delivery_centres": DeliveryCentre,
    "price_books": PriceBook,
    "rules": RuleDefinition,
    "offerings": Offering,
    "assurances": AssuredCombination,
}


def page_of(item: Any, name: str) -> Any:
    return create_model(name, __base__=Page[item])


class ComponentVersionRow(BaseModel):
    """One version of a component in its history."""

    version: int
    status: str
    name: str
    author: str
    created_at: datetime
    updated_at: datetime = Field(description="a draft's content changes in place")


class ComponentVersions(BaseModel):
    """Every version of a component the caller may read (released ones only without
    catalog.read_unreleased), oldest first."""

    code: str
    active_version: int | None
    latest_version: int = Field(description="the latest version the caller may read")
    versions: list[ComponentVersionRow]


class FieldChangeView(BaseModel):
    """A field that differs: its readable path (``prices.EUR.monthly``,
    ``service_levels[gold].price_factor``) and its value on each side (null: absent)."""

    path: str
    before: str | None
    after: str | None


class DiffLineView(BaseModel):
    """A line of a document's Markdown: unchanged context, removed or added."""

    kind: Literal["same", "added", "removed"]
    before: int | None = Field(description="its line number in the earlier version's text")
    after: int | None = Field(description="its line number in the later version's text")
    text: str


class DocumentDiffView(BaseModel):
    """A document's line diff, in hunks with three lines of context around each change."""

    name: Literal["specification", "statement_of_work", "delivery_description"]
    title: str
    hidden: bool = Field(description="not readable by the caller in one of the versions")
    changed: bool
    hunks: list[list[DiffLineView]]


class ComponentDiffView(BaseModel):
    """What changed between two versions of a component, as the caller may see them."""

    code: str
    before: int = Field(description="the version compared from")
    after: int = Field(description="the version compared to")
    unchanged: bool
    fields: list[FieldChangeView]
    documents: list[DocumentDiffView]


# -- bulk prices: a price book's sheet previewed and imported ---------------------------


class SheetChange(BaseModel):
    """One value a sheet changes (amounts and band ends as exact text)."""

    code: str = Field(description="the component")
    version: int = Field(description="the version exported; the new draft is made from it")
    field: Literal["up_to", "monthly", "one_time"] = Field(
        description="`monthly`: the band's list amount; `up_to`: the band's end; `one_time`"
    )
    band: int | None = Field(description="1-based; none for the one-time amount")
    before: str | None
    after: str | None
    service_levels: list[str] = Field(description="the service levels whose rows said it")
    cells: list[str] = Field(description="the cells that said it, e.g. `Prices!K12`")


class SheetProblem(BaseModel):
    cell: str = Field(description="`Prices!K12`, or `(file)` for the file as a whole")
    message: str
    code: str | None = Field(None, description="the component the row is about, if known")


class PricePreview(BaseModel):
    """What importing the sheet would do: every change and every problem, cell by cell.
    It can be imported only without problems (`applicable`)."""

    book: str
    currency: str
    rows: int = Field(description="the sheet's rows read (blank rows skipped)")
    changes: list[SheetChange]
    problems: list[SheetProblem]
    drafts: list[str] = Field(description="the components that would get a new draft version")
    notes: list[str] = Field(
        description="worth knowing before importing, e.g. a changed component whose newer "
        "draft the new draft will not carry"
    )
    applicable: bool


class PriceDraft(BaseModel):
    code: str
    from_version: int
    version: int = Field(description="the new draft version")
    href: str = Field(description="the draft in the API")


class PriceImport(BaseModel):
    """The new draft versions, one per changed component, for review as any draft."""

    book: str
    drafts: list[PriceDraft]
