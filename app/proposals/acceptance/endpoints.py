"""The customer's acceptance as sales and approvers read it, and the contract copy."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse, Response

from app.auth import Caller, DbSession, Writing
from app.documents import pdf_response, pdf_responses
from app.jobs import Jobs
from app.kit.contract import problems
from app.kit.params import Id
from app.kit.wiring import wired
from app.proposals.acceptance import service as decisions
from app.proposals.acceptance.schemas import AcceptanceRecord, ContractPending

router = APIRouter(prefix="/v1/proposals", tags=["acceptance"])
RETRY_AFTER = 5
AppJobs = Annotated[Jobs, Depends(wired(Jobs))]


@router.get(
    "/{proposal_id}/acceptance",
    response_model=AcceptanceRecord,
    responses=problems(403, 404),
)
def read_acceptance(session: DbSession, principal: Caller, proposal_id: Id) -> AcceptanceRecord:
    """The customer's acceptance with its evidence: the revision and the choice, name, job
    title, e-mail, typed signature, time, full address and browser, and the contract
    copy's state and SHA-256. Sales read their own proposals', approvers and admins every
    one. 404 until the customer accepts."""
    return decisions.record(session, principal, proposal_id)


@router.get(
    "/{proposal_id}/contract.pdf",
    response_class=Response,
    responses={
        **pdf_responses("the contract copy (PDF/A-3b, with the acceptance page)"),
        202: {
            "description": "The contract copy is still being rendered",
            "model": ContractPending,
            "headers": {"Retry-After": {"schema": {"type": "integer"}}},
        },
        **problems(403, 404),
    },
)
def read_contract(
    session: DbSession, writing: Writing, jobs: AppJobs, principal: Caller, proposal_id: Id
) -> Response:
    """The contract copy of the accepted proposal, as stored (its SHA-256 is the one in
    the acceptance); 202 with `Retry-After` while it is being rendered (asked for again
    when it is late), 404 when the customer has not accepted."""
    stored = decisions.contract_for(session, principal, proposal_id)
    if isinstance(stored, decisions.Pending):
        if stored.stalled:
            with writing() as write:
                decisions.ask_again(write, jobs, stored.acceptance_id)
        pending = ContractPending(retry_after=RETRY_AFTER)
        return JSONResponse(
            pending.model_dump(), status_code=202, headers={"Retry-After": str(RETRY_AFTER)}
        )
    return pdf_response(stored)
