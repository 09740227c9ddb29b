"""Component use cases: list, read, create, edit (new draft versions past draft), and the
lifecycle draft -> in_review -> assured -> active -> retired with four-eyes assurance.

Immutability: only a ``draft`` version's content is ever updated; editing a component whose
latest version is past draft appends a new draft version. Lifecycle moves change the status
column, never the content."""

from __future__ import annotations

from typing import Any, Literal

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session

from app import audit
from app.auth import Audience, Permission, Principal, audience, cost_fields_in, sees_cost, visible
from app.kit.errors import (
    Conflict,
    FieldProblem,
    Forbidden,
    IllegalTransition,
    Invalid,
    NotFound,
    ReadOnlyFields,
    StrandsOpenProposals,
)
from app.kit.merge_patch import apply_merge_patch
from app.kit.pagination import Page, after_key, page_of
from app.kit.preconditions import check_precondition
from app.kit.representation import Representation, represent
from app.models import ComponentCapability, ComponentHead, ComponentVersion, utcnow
from app.portfolio.catalog.store import (
    bump_revision,
    component_document,
    component_of,
    ensure_consistent,
    same_content,
    search_text,
    validate_model,
    working_catalog,
)
from app.portfolio.components.rows import version_row
from app.portfolio.components.where_used import open_proposals_using
from catalog import Component

RELEASED = ("active", "retired")  # what callers without catalog.read_unreleased may read
READ_ONLY = ("code", "version", "status", "author")  # set by the server, never by a body
DocumentName = Literal["specification", "statement_of_work", "delivery_description"]

# The lifecycle's moves (from -> to), and the permissions (any one) that moving *to* a
# status needs. A version in review goes back to draft when its author withdraws it or its
# reviewer returns it for changes.
TRANSITIONS: frozenset[tuple[str, str]] = frozenset(
    {("draft", "in_review"), ("in_review", "draft"), ("in_review", "assured"),
     ("assured", "active"), ("active", "retired")}
)  # fmt: skip
NEEDED_TO_REACH: dict[str, tuple[Permission, ...]] = {
    "draft": ("catalog.write", "catalog.assure"),
    "in_review": ("catalog.write",),
    "assured": ("catalog.assure",),
    "active": ("catalog.write",),
    "retired": ("catalog.write",),
}


def may_move(principal: Principal, to: str) -> bool:
    """Whether ``principal``'s role may move a version to ``to`` at all (the version's
    status, four eyes and the gate decide the rest)."""
    return any(principal.can(permission) for permission in NEEDED_TO_REACH.get(to, ()))


def next_statuses(status: str) -> tuple[str, ...]:
    """Where a version in ``status`` can move, in the lifecycle's order."""
    order = ("draft", "in_review", "assured", "active", "retired")
    return tuple(target for target in order if (status, target) in TRANSITIONS)


def _view(
    session: Session, row: ComponentVersion, head: ComponentHead, principal: Principal
) -> Representation:
    body = visible("component", {**row.content, "status": row.status}, audience(session, principal))
    body["active_version"] = head.active_version
    body["latest_version"] = head.latest_version
    body["created_at"] = row.created_at.isoformat()
    body["updated_at"] = row.updated_at.isoformat()
    return represent(body)


def _summary(row: ComponentVersion, head: ComponentHead, seen_by: Audience) -> dict[str, Any]:
    content = visible("component", row.content, seen_by)
    return {
        "code": row.code,
        "version": row.version,
        "status": row.status,
        "name": row.name,
        "summary": content["summary"],
        "family": row.family,
        "layer": row.layer,
        "unit": content["unit"],
        "provides": content["provides"],
        "active_version": head.active_version,
        "latest_version": head.latest_version,
    }


def list_components(
    session: Session,
    principal: Principal,
    *,
    limit: int,
    cursor: str | None = None,
    family: str | None = None,
    layer: str | None = None,
    status: str | None = None,
    capability: str | None = None,
    q: str | None = None,
) -> Page[dict[str, Any]]:
    """One row per component: its latest version for curators, its active one otherwise."""
    shown = (
        ComponentHead.latest_version
        if principal.can("catalog.read_unreleased")
        else ComponentHead.active_version
    )
    query = (
        select(ComponentVersion, ComponentHead)
        .join(
            ComponentHead,
            (ComponentHead.code == ComponentVersion.code) & (ComponentVersion.version == shown),
        )
        .order_by(ComponentVersion.code)
        .limit(limit + 1)
    )
    after = after_key(cursor)
    if after is not None:
        query = query.where(ComponentVersion.code > after)
    if family:
        query = query.where(ComponentVersion.family == family)
    if layer:
        query = query.where(ComponentVersion.layer == layer)
    if status:
        query = query.where(ComponentVersion.status == status)
    if capability:
        query = query.where(
            exists().where(
                (ComponentCapability.version_id == ComponentVersion.id)
                & (ComponentCapability.capability == capability)
            )
        )
    if q:
        pattern = "%" + q.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        query = query.where(ComponentVersion.search_text.like(pattern + "%", escape="\\"))
    rows = [(row[0], row[1]) for row in session.execute(query)]
    page = page_of(rows, limit, lambda pair: pair[0].code)
    seen_by = audience(session, principal)
    return Page([_summary(row, head, seen_by) for row, head in page.items], page.next_cursor)


def _head(session: Session, code: str, *, lock: bool = False) -> ComponentHead:
    # Writers lock the head row (PostgreSQL), so two edits of one component queue up and
    # the second sees the first's version; SQLite's BEGIN IMMEDIATE already serialises.
    head = session.get(ComponentHead, code, with_for_update=lock)
    if head is None:
        raise NotFound(f"no component {code!r}")
    return head


def _readable(
    session: Session, principal: Principal, code: str, version: int | None
) -> tuple[ComponentVersion, ComponentHead]:
    head = _head(session, code)
    unreleased = principal.can("catalog.read_unreleased")
    if version is None:
        if head.active_version is not None:
            version = head.active_version
        elif unreleased:
            version = head.latest_version
        else:
            raise NotFound(f"component {code!r} has no active version")
    row = version_row(session, code, version)
    if row.status not in RELEASED and not unreleased:
        raise NotFound(f"component {code!r} has no released version {version}")
    return row, head


def version_component(session: Session, code: str, version: int) -> Component:
    """One version of a component as the catalog model, whatever its status (a draft's
    impact is previewed before it is submitted)."""
    _head(session, code)
    return component_of(version_row(session, code, version))


def get_component(
    session: Session, principal: Principal, code: str, version: int | None = None
) -> Representation:
    row, head = _readable(session, principal, code, version)
    return _view(session, row, head, principal)


def get_document(
    session: Session,
    principal: Principal,
    code: str,
    name: DocumentName,
    version: int | None = None,
) -> dict[str, Any]:
    row, _ = _readable(session, principal, code, version)
    # The document as the component's own representation shows it to this caller, or none.
    documents = visible("component", row.content, audience(session, principal))["documents"]
    if name not in documents:
        raise Forbidden(
            f"delivery centre {principal.centre} does not hold competency "
            f"{row.content['competency']!r} and does not deliver {row.code}"
        )
    return {
        "code": row.code,
        "version": row.version,
        "name": row.name,
        "status": row.status,
        "document": name,
        "content": documents[name],
    }


def _refuse_read_only(principal: Principal, body: dict[str, Any]) -> None:
    fields = [name for name in READ_ONLY if name in body]
    if not sees_cost(principal):
        fields += cost_fields_in("component", body)
    if fields:
        raise ReadOnlyFields(
            "these fields are set by the server or not yours to set: " + ", ".join(fields),
            [FieldProblem(name, "may not be set by this request") for name in fields],
        )


def _validated(session: Session, content: dict[str, Any]) -> Component:
    component: Component = validate_model(Component.model_validate, content, "component")
    collections = working_catalog(session)
    collections["components"][component.code] = component
    ensure_consistent(collections)
    return component


def _add_version(session: Session, component: Component) -> ComponentVersion:
    row = ComponentVersion(
        code=component.code,
        version=component.version,
        status=component.status,
        name=component.name,
        family=component.family,
        layer=component.layer,
        author=component.author,
        search_text=search_text(component),
        content=component_document(component),
    )
    session.add(row)
    session.flush()
    session.add_all(
        ComponentCapability(version_id=row.id, capability=capability)
        for capability in component.provides
    )
    return row


def create_component(
    session: Session, principal: Principal, body: dict[str, Any]
) -> Representation:
    _refuse_read_only(principal, {key: value for key, value in body.items() if key != "code"})
    code = body.get("code")
    if isinstance(code, str) and session.get(ComponentHead, code) is not None:
        raise Conflict(f"component {code!r} exists; edit it with PATCH")
    component = _validated(
        session, {**body, "version": 1, "status": "draft", "author": principal.name}
    )
    head = ComponentHead(code=component.code, latest_version=1, active_version=None)
    session.add(head)
    session.flush()
    row = _add_version(session, component)
    audit.record(
        session,
        principal,
        "component.create",
        "component",
        component.code,
        None,
        {**row.content, "status": row.status},
    )
    bump_revision(session)
    return _view(session, row, head, principal)


def patch_component(
    session: Session,
    principal: Principal,
    code: str,
    patch: dict[str, Any],
    if_match: str | None,
) -> Representation:
    """Apply a JSON merge patch to the latest version: in place while it is a draft,
    otherwise as a new draft version."""
    head = _head(session, code, lock=True)
    latest = version_row(session, code, head.latest_version)
    # Against the tag of the representation this caller was sent.
    check_precondition(if_match, _view(session, latest, head, principal).etag, required=True)
    _refuse_read_only(principal, patch)
    before = {**latest.content, "status": latest.status}
    merged = apply_merge_patch(before, patch)
    if latest.status == "draft":
        component = _validated(session, merged)
    else:
        version = head.latest_version + 1
        component = _validated(
            session, {**merged, "version": version, "status": "draft", "author": principal.name}
        )
    # Compared once validated: 18.5 and "18.5", or a null for an unset field, change nothing.
    if same_content(component_document(component), latest.content):
        return _view(session, latest, head, principal)
    if latest.status == "draft":
        latest.content = component_document(component)
        latest.name, latest.family, latest.layer = component.name, component.family, component.layer
        latest.search_text = search_text(component)
        session.query(ComponentCapability).filter_by(version_id=latest.id).delete()
        session.add_all(
            ComponentCapability(version_id=latest.id, capability=capability)
            for capability in component.provides
        )
        row = latest
    else:
        head.latest_version = component.version
        row = _add_version(session, component)
    session.flush()
    audit.record(
        session,
        principal,
        "component.update",
        "component",
        code,
        before,
        {**row.content, "status": row.status},
    )
    bump_revision(session)
    return _view(session, row, head, principal)


MAX_TRANSITION_COMMENT = 2000
# A retirement's confirmation: True (an API caller's), False, or the proposals' ids seen.
Stranding = bool | frozenset[int]


def transition(
    session: Session,
    principal: Principal,
    code: str,
    version: int,
    to: str,
    comment: str | None,
    if_match: str | None = None,
    *,
    confirm_stranding: Stranding = False,
) -> Representation:
    """Move ``code`` version ``version`` to ``to``. Retiring a version open proposals still
    sell is refused (409 ``strands-open-proposals``, naming them) unless the caller confirms
    it, having seen them (``confirm_stranding``: True, or the ids of the proposals a person
    was shown, so one that began to sell it since is not stranded unseen)."""
    if not may_move(principal, to):
        # Checked before anything is read, so the answer tells nothing about the version.
        raise Forbidden(f"the {principal.role} role may not move a version to {to}")
    if comment is not None and len(comment) > MAX_TRANSITION_COMMENT:
        # As the API's body says; pages post their comment here too.
        raise Invalid(f"the comment is longer than {MAX_TRANSITION_COMMENT} characters", [
            FieldProblem("comment", f"at most {MAX_TRANSITION_COMMENT} characters")])  # fmt: skip
    head = _head(session, code, lock=True)
    row = version_row(session, code, version)
    check_precondition(if_match, _view(session, row, head, principal).etag, required=False)
    if (row.status, to) not in TRANSITIONS:
        allowed = sorted(target for (source, target) in TRANSITIONS if source == row.status)
        raise IllegalTransition(
            f"{code} version {version} is {row.status}; it can move to "
            + (", ".join(allowed) if allowed else "nothing further")
            + f", not to {to}"
        )
    if to == "assured" and row.author == principal.name:
        raise Forbidden(f"four eyes: {principal.name} authored {code} version {version}")
    if to == "retired" and confirm_stranding is not True:
        _refuse_stranding(session, code, version, confirm_stranding or frozenset())
    if to == "draft":
        _returnable(code, version, head)
    before_status = row.status
    if to == "active":
        if head.active_version is not None and head.active_version != version:
            previous = version_row(session, code, head.active_version)
            previous.status = "retired"
            audit.record(
                session,
                principal,
                "component.transition",
                "component",
                code,
                {"version": previous.version, "status": "active"},
                {"version": previous.version, "status": "retired"},
                f"superseded by version {version}",
            )
        head.active_version = version
    elif to == "retired" and head.active_version == version:
        head.active_version = None
    row.status = to
    session.flush()
    audit.record(
        session,
        principal,
        "component.transition",
        "component",
        code,
        {"version": version, "status": before_status},
        {"version": version, "status": to},
        comment,
    )
    bump_revision(session)
    return _view(session, row, head, principal)


def _returnable(code: str, version: int, head: ComponentHead) -> None:
    """A version goes back to draft only while it is the latest: a component has one draft
    at a time, the latest, which is what an edit changes."""
    if head.latest_version != version:
        raise IllegalTransition(
            f"{code} version {version} cannot go back to draft: version "
            f"{head.latest_version} is newer"
        )


def _refuse_stranding(session: Session, code: str, version: int, seen: frozenset[int]) -> None:
    stranded = open_proposals_using(session, code, version, utcnow().date())
    if all(use.id in seen for use in stranded):
        return
    raise StrandsOpenProposals(
        f"retiring {code} version {version} would strand {len(stranded)} open proposal(s) "
        "that sell it: " + ", ".join(f"{use.number} ({use.customer}, {use.status}, by "
                                     f"{use.author})" for use in stranded)
        + '; send "confirm_stranding": true to retire it anyway',
        extra={"proposals": [
            {"id": use.id, "number": use.number, "customer": use.customer,
             "status": use.status, "author": use.author} for use in stranded
        ]},
    )  # fmt: skip


def summary(session: Session, principal: Principal) -> dict[str, Any]:
    """Counts of the components listed to this caller, by family, layer and status."""
    shown = (
        ComponentHead.latest_version
        if principal.can("catalog.read_unreleased")
        else ComponentHead.active_version
    )
    base = (
        select(ComponentVersion)
        .join(
            ComponentHead,
            (ComponentHead.code == ComponentVersion.code) & (ComponentVersion.version == shown),
        )
        .subquery()
    )
    result: dict[str, Any] = {}
    total = 0
    for column in ("family", "layer", "status"):
        counts = session.execute(
            select(base.c[column], func.count()).group_by(base.c[column]).order_by(base.c[column])
        ).all()
        result[f"by_{column}"] = {str(value): int(count) for value, count in counts}
        total = sum(count for _, count in counts)
    return {"components": total, **result}


def new_draft(session: Session, principal: Principal, code: str, version: int) -> Representation:
    """A new draft version (the latest + 1) holding ``version``'s content: where an edit of a
    released (or an older) version starts before anything is changed. Refused while the
    latest version is a draft (edit that one: a component has one draft at a time)."""
    if not principal.can("catalog.write"):
        raise Forbidden(f"the {principal.role} role may not edit the catalog")
    head = _head(session, code, lock=True)
    latest = version_row(session, code, head.latest_version)
    if latest.status == "draft":
        raise Conflict(f"{code} version {latest.version} is a draft already: edit that one")
    source = version_row(session, code, version)
    component = _validated(
        session,
        {**source.content, "version": head.latest_version + 1, "status": "draft",
         "author": principal.name},
    )  # fmt: skip
    head.latest_version = component.version
    row = _add_version(session, component)
    audit.record(
        session, principal, "component.update", "component", code,
        {**latest.content, "status": latest.status}, {**row.content, "status": row.status},
        f"new draft from version {version}",
    )  # fmt: skip
    bump_revision(session)
    return _view(session, row, head, principal)


def in_review(session: Session, principal: Principal) -> list[dict[str, Any]]:
    """Every version waiting for assurance, the longest waiting first: each with its content,
    the active version's (what it would replace), and whether it is the caller's own (four
    eyes: not theirs to assure)."""
    rows = session.scalars(
        select(ComponentVersion)
        .where(ComponentVersion.status == "in_review")
        .order_by(ComponentVersion.updated_at, ComponentVersion.id)
    ).all()
    heads = {
        head.code: head
        for head in session.scalars(
            select(ComponentHead).where(ComponentHead.code.in_({row.code for row in rows}))
        )
    }
    seen_by = audience(session, principal)
    waiting: list[dict[str, Any]] = []
    for row in rows:
        head = heads[row.code]
        active = None
        if head.active_version is not None:
            active = version_row(session, row.code, head.active_version)
        waiting.append({
            "code": row.code, "version": row.version, "name": row.name, "author": row.author,
            "submitted_at": row.updated_at, "active_version": head.active_version,
            "content": visible("component", row.content, seen_by),
            "active_content": None if active is None
            else visible("component", active.content, seen_by),
            "own": row.author == principal.name,
            "etag": _view(session, row, head, principal).etag,
        })  # fmt: skip
    return waiting


def add_drafts(
    session: Session,
    principal: Principal,
    drafts: list[tuple[str, int, dict[str, Any]]],
    comment: str,
) -> list[Representation]:
    """For each (code, version, fields): a new draft version (the latest + 1) made from
    ``version`` with ``fields`` replacing its own, whatever released version the latest is
    (a bulk price import makes its drafts from the version it exported). Refused, nothing
    written, while a latest version is a draft (as new_draft: one draft at a time; a second
    would leave the first's edit page stale and drop its edits on activation). All are
    checked against the catalog they make together, once, then added and audited as any
    edit."""
    collections = working_catalog(session)
    made = []
    for code, version, fields in drafts:
        head = _head(session, code, lock=True)
        if version_row(session, code, head.latest_version).status == "draft":
            raise Invalid(
                f"{code} has a draft, version {head.latest_version}, pending; nothing was added",
                [FieldProblem(code, "finish, submit or delete its draft first", code)],
            )
        source = version_row(session, code, version)
        _refuse_read_only(principal, fields)
        content = {**source.content, **fields, "version": head.latest_version + 1,
                   "status": "draft", "author": principal.name}  # fmt: skip
        component: Component = validate_model(Component.model_validate, content, "component")
        collections["components"][code] = component
        made.append((head, source, component))
    ensure_consistent(collections)
    views = []
    for head, source, component in made:
        head.latest_version = component.version
        row = _add_version(session, component)
        audit.record(
            session,
            principal,
            "component.update",
            "component",
            component.code,
            {**source.content, "status": source.status},
            {**row.content, "status": row.status},
            comment,
        )
        views.append(_view(session, row, head, principal))
    if made:
        bump_revision(session)
    return views
