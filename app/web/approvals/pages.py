"""The approval inbox: every proposal waiting for approval, what it breaks and by how much
(for roles that see it), and approve or decline with a comment. Thin: the list is
app.proposals' ``waiting_for`` (summaries, no full view each), the decision its
``decide_waiting``: ``transition`` on the revision the inbox showed, four eyes included (an
approver's own proposal is refused there, and its message shown here)."""

from __future__ import annotations

from functools import partial
from typing import Annotated, Any
from urllib.parse import urlencode

import anyio.to_thread
from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from app.auth import Principal
from app.kit.database import Database
from app.kit.errors import Conflict, Forbidden, Invalid, NotFound, PreconditionFailed
from app.kit.params import Id
from app.kit.wiring import wired
from app.proposals import decide_waiting, waiting_for
from app.web.approvals.views import Waiting, notice, waiting
from app.web.auth import Approver
from app.web.errors import mark_page
from app.web.forms import read_form
from app.web.rendering import render
from app.web.workspace.pages import STALE
from app.web.workspace.views import field_errors

router = APIRouter(include_in_schema=False, dependencies=[Depends(mark_page)])
Db = Annotated[Database, Depends(wired(Database))]
INBOX_SIZE = 50


def _inbox(
    database: Database, principal: Principal, cursor: str | None
) -> tuple[list[Waiting], str | None]:
    with database.transaction(write=False) as session:
        page = waiting_for(session, principal, INBOX_SIZE, cursor)
    shown = [waiting(summary) for summary in page.items]
    later = (
        None
        if page.next_cursor is None
        else "/approvals?" + urlencode({"cursor": page.next_cursor})
    )
    return shown, later


def _page(
    request: Request, database: Database, principal: Principal, *, cursor: str | None = None,
    status: int = 200, **extra: Any,
) -> Response:  # fmt: skip
    items, later = _inbox(database, principal, cursor)
    context: dict[str, Any] = {"items": items, "next_url": later, "notice": None, "failed": None,
               "error": None, "errors": {}, "comment": ""}  # fmt: skip
    context.update(extra)
    # A decision on a proposal no longer waiting: its message goes above the list.
    context["elsewhere"] = context["failed"] not in [item.summary.id for item in items]
    return render(request, "approvals/inbox.html", context, status=status)


@router.get("/approvals")
def inbox_page(
    request: Request,
    person: Approver,
    database: Db,
    cursor: str | None = None,
    done: str | None = None,
    number: str | None = None,
) -> Response:
    return _page(request, database, person.principal, cursor=cursor, notice=notice(done, number))


@router.post("/approvals/{proposal_id}")
async def decide(request: Request, person: Approver, database: Db, proposal_id: Id) -> Response:
    form = await read_form(request)
    decision, comment, seen = form.one("decision"), form.one("comment"), form.one("seen")
    body: dict[str, Any] = {"to": decision if decision in ("approved", "declined") else ""}
    if comment:
        body["comment"] = comment

    def work() -> str:
        with database.transaction(write=True) as session:
            moved = decide_waiting(session, person.principal, proposal_id, body, seen or None)
        return str(moved["number"])

    try:
        number = await anyio.to_thread.run_sync(work)
    except (Invalid, Forbidden, Conflict, PreconditionFailed, NotFound) as error:
        errors = field_errors(error.problems) if isinstance(error, Invalid) else {}
        message = STALE if isinstance(error, PreconditionFailed) else error.detail
        again = partial(
            _page, request, database, person.principal, status=error.status,
            failed=proposal_id, error=message, errors=errors, comment=comment,
        )  # fmt: skip
        return await anyio.to_thread.run_sync(again)
    query = urlencode({"done": body["to"], "number": number})
    return RedirectResponse(f"/approvals?{query}", status_code=303)
