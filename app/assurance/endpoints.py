"""Assurance runs (the latest verdict per combination, one run, a run now, the override of
a refused change) and the impact preview of a component version."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse

from app.assurance.schemas import ImpactPreview, LatestVerdicts, Override, Run
from app.assurance.service import Assurance
from app.auth import DbSession, Principal, json_model, requires
from app.kit.contract import problems
from app.kit.params import Id
from app.kit.wiring import wired

router = APIRouter(tags=["assurance"])

Curator = Annotated[Principal, Depends(requires("catalog.read_unreleased"))]
Overrider = Annotated[Principal, Depends(requires("assurance.override"))]
Wired = Annotated[Assurance, Depends(wired(Assurance))]
OverrideBody = Annotated[Override, Depends(json_model(Override, "override"))]


@router.get("/v1/assurance/runs", response_model=LatestVerdicts)
def latest_verdicts(session: DbSession, principal: Curator, assurance: Wired) -> Any:
    """The latest verdict of each assured combination of the active catalog, each with its
    run, the catalog revision it ran on and when."""
    return JSONResponse(assurance.latest(session))


@router.post("/v1/assurance/runs", status_code=201, response_model=Run)
def run_now(principal: Curator, assurance: Wired) -> Any:
    """Run every assured combination on the active catalog now, and store the run."""
    run = assurance.run_now(principal)
    assert run is not None  # a manual run is always stored
    return JSONResponse(run, 201, {"Location": f"/v1/assurance/runs/{run['id']}"})


@router.get("/v1/assurance/runs/{run_id}", response_model=Run, responses=problems(404))
def get_run(session: DbSession, principal: Curator, assurance: Wired, run_id: Id) -> Any:
    """One run with every verdict."""
    return JSONResponse(assurance.get_run(session, run_id))


@router.post(
    "/v1/assurance/runs/{run_id}/override", response_model=Run, responses=problems(404, 409)
)
def override(principal: Overrider, assurance: Wired, run_id: Id, body: OverrideBody) -> Any:
    """Apply the change a run refused, with a comment (audited): not by its requester (403),
    and only while the catalog is at the revision it was refused at (else 409: ask again)."""
    return JSONResponse(assurance.override(principal, run_id, body.comment))


@router.get(
    "/v1/components/{code}/versions/{version}/impact",
    response_model=ImpactPreview,
    responses=problems(404),
)
def impact(session: DbSession, principal: Curator, assurance: Wired, code: str, version: Id) -> Any:
    """What activating this version would break, for a draft before it is submitted: the
    assured combinations on the active catalog as it would be with it active. Nothing is
    stored."""
    return JSONResponse(assurance.preview(session, code, version))
