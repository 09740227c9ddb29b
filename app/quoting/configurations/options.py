"""Interactive options: ``POST /v1/configurations/options``. For every component in scope,
whether it is still possible, forced or impossible after the caller's clicks, from the
options engine prepared once per catalog revision."""

from __future__ import annotations

from threading import Lock
from typing import Any

from sqlalchemy.orm import Session

from app.configurator import Limits, OptionsEngine, OptionsRequest, SolverTimeout, repair_text
from app.kit.database import released
from app.kit.errors import FieldProblem, Invalid, OptionsBusy, SolverKilled
from app.kit.gate import Busy, Gate
from app.portfolio import ActiveCatalog
from app.quoting.configurations.service import conflict_item_view, request_problems
from app.quoting.schemas import OptionsRequest as OptionsIn
from catalog import CatalogSnapshot


class OptionsEngines:
    """The options engine of the active catalog, prepared once per catalog revision (and
    replaced when a new one is active). It answers one click at a time: ``queue`` more may
    wait, each at most ``wait`` seconds; the rest are told to retry (503)."""

    def __init__(self, *, queue: int = 8, wait: float = 2.0) -> None:
        self._lock = Lock()
        self._prepared: tuple[int, OptionsEngine] | None = None
        self.gate = Gate(slots=1, queue=queue, wait=wait)

    def current(self, revision: int, snapshot: CatalogSnapshot) -> OptionsEngine:
        with self._lock:
            if self._prepared is None or self._prepared[0] != revision:
                if self._prepared is not None:
                    self._prepared[1].close()
                self._prepared = (revision, OptionsEngine(snapshot))
            return self._prepared[1]


def _clicks_problems(snapshot: CatalogSnapshot, parsed: OptionsIn) -> list[FieldProblem]:
    problems = []
    for field in ("chosen", "rejected"):
        for index, code in enumerate(getattr(parsed, field)):
            if not snapshot.has_component(code):
                problems.append(FieldProblem(f"{field}[{index}]", f"unknown component {code!r}"))
    for code in sorted(set(parsed.chosen) & set(parsed.rejected)):
        problems.append(FieldProblem("rejected", f"{code} is both chosen and rejected"))
    for code, level in parsed.service_levels.items():
        field = f"service_levels.{code}"
        if not snapshot.has_component(code):
            problems.append(FieldProblem(field, f"unknown component {code!r}"))
        elif level not in (names := [lv.name for lv in snapshot.component(code).service_levels]):
            problems.append(FieldProblem(field, f"{code} has no service level {level!r} "
                                                f"(it has {', '.join(names)})"))  # fmt: skip
        if code in parsed.rejected:
            problems.append(FieldProblem(field, f"{code} is both given a level and rejected"))
    return problems


def options(
    session: Session,
    catalog: ActiveCatalog,
    engines: OptionsEngines,
    limits: Limits,
    parsed: OptionsIn,
) -> dict[str, Any]:
    request = parsed.as_request()
    revision, snapshot = catalog.current(session)
    problems = request_problems(snapshot, request, limits) + _clicks_problems(snapshot, parsed)
    if problems:
        raise Invalid("the request cannot be configured", problems)
    clicks = OptionsRequest(
        needs=request.needs, residency=request.residency, include=request.include,
        exclude=request.exclude, offering=request.offering,
        chosen=tuple(parsed.chosen), rejected=tuple(parsed.rejected),
        min_availability=request.min_availability,
        service_levels=tuple(sorted(parsed.service_levels.items())),
    )  # fmt: skip
    try:
        with released(session), engines.gate.admitted():
            engine = engines.current(revision, snapshot)
            answer = engine.options(clicks, time_limit=limits.time_limit_seconds)
    except Busy as error:
        raise OptionsBusy(
            "the options engine is answering other clicks; retry in a moment",
            headers={"Retry-After": "1"},
        ) from error
    except SolverTimeout as error:
        raise SolverKilled(str(error), headers={"Retry-After": "1"}) from error
    return {
        "valid": answer.valid,
        "components": [
            {"code": option.code, "state": option.state, "reason": option.reason}
            for option in answer.components
        ],
        "conflict": [conflict_item_view(item) for item in answer.conflict],
        "repairs": [
            {
                "relax": [conflict_item_view(item) for item in repair],
                "detail": repair_text(repair),
            }
            for repair in answer.repairs
        ],
    }
