"""Assurance in the service: the assured combinations run on the active catalog (on demand
and after every import), the gate every catalog change goes through, the override of a
refused change, and the impact preview of a draft version.

Every run follows the service's unit of work: read the catalog (a snapshot), solve without
a transaction or a connection (side by side on the solver pool, at most its workers at
once), then write in one short transaction. The gate judges a change on the catalog as the
change would make it: the change is made in a transaction that is rolled back (every check
of its use case runs, and the active snapshot is read as it would become), the affected
combinations are solved on that snapshot, and the change is then made for real in a short
transaction that first checks the catalog revision did not move meanwhile; if it moved, the
change is judged again. A combination that holds on today's catalog and breaks on the new
one refuses the change (``AssuranceBroken``); the refused run is stored, with the change as
data, for an approver who is not the requester to override."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from app import audit
from app.assurance import repository
from app.assurance.impact import affected, relevant_part
from app.assurance.suite import Solve, Verdict, assess
from app.auth import Principal
from app.configurator import ConfigurationRequest, Limits, Solution, configure
from app.kit.database import Database, released
from app.kit.errors import (
    AssuranceBroken,
    Conflict,
    Forbidden,
    NotFound,
    RunNotOverridable,
    SolverKilled,
)
from app.kit.representation import Representation
from app.models import AssuranceRun, AssuranceVerdict
from app.portfolio import (
    ActiveCatalog,
    CatalogChange,
    apply_change,
    catalog_revision,
    load_active_snapshot,
    version_component,
)
from app.quoting import InlineSolver, Solver, SolverPool
from catalog import AssuredCombination, CatalogSnapshot

# How often a change is judged again when other changes keep landing while it is solved.
ATTEMPTS = 3

Remembered = dict[str, tuple[tuple[Any, ...], Verdict]]
_SHARED: dict[Limits, Remembered] = {}
_LOCK = threading.Lock()


def _configures(solver: Solver) -> bool:
    """Whether ``solver`` answers with the configurator itself (in process or on the pool)."""
    if isinstance(solver, InlineSolver):
        return True
    return isinstance(solver, SolverPool) and solver.solves_with(configure)


@dataclass(frozen=True, slots=True)
class Judged:
    """The affected combinations on the catalog after a change, and which of the broken
    ones held before it (those refuse it)."""

    verdicts: tuple[Verdict, ...]
    blocking: frozenset[str]
    seconds: float
    combinations: int  # how many the catalog holds (affected or not)

    def blockers(self) -> list[Verdict]:
        return [verdict for verdict in self.verdicts if verdict.combination in self.blocking]


class _Tried(Exception):
    """Carries a trial's result out of the transaction it rolls back."""

    def __init__(self, revision: int, before: CatalogSnapshot, after: CatalogSnapshot | None):
        super().__init__("trial")
        self.revision, self.before, self.after = revision, before, after


def broken_view(verdict: Verdict | AssuranceVerdict) -> dict[str, Any]:
    """A combination that does not hold (a fresh verdict or a stored one), and why."""
    return {"id": verdict.combination, "name": verdict.name, "owner": verdict.owner,
            "reasons": list(verdict.reasons)}  # fmt: skip


def verdict_view(verdict: AssuranceVerdict) -> dict[str, Any]:
    return {
        "combination": verdict.combination,
        "name": verdict.name,
        "owner": verdict.owner,
        "held": verdict.held,
        "blocking": verdict.blocking,
        "reasons": list(verdict.reasons),
        "found": verdict.found,
    }


def run_view(session: Session, run: AssuranceRun) -> dict[str, Any]:
    return {
        "id": run.id,
        "ran_at": run.ran_at.isoformat(),
        "revision": run.revision,
        "trigger": run.trigger,
        "subject": run.subject,
        "change": None if run.change is None else run.change["change"],
        "requested_by": run.requested_by,
        "status": run.status,
        "overridden_by": run.overridden_by,
        "comment": run.comment,
        "held": run.held,
        "broken": run.broken,
        "seconds": run.seconds,
        "verdicts": [verdict_view(verdict) for verdict in repository.verdicts_of(session, run.id)],
    }


def _status(verdicts: Sequence[Verdict]) -> str:
    return "held" if all(verdict.held for verdict in verdicts) else "broken"


class Assurance:
    """The assured combinations, run through the solver pool; the catalog gate."""

    def __init__(
        self,
        database: Database,
        catalog: ActiveCatalog,
        solver: Solver,
        limits: Limits,
        *,
        workers: int,
    ) -> None:
        self.database, self.catalog, self.solver, self.limits = database, catalog, solver, limits
        self.workers = max(1, workers)
        # Each combination's last verdict and the part of the catalog it was found on: one
        # entry per combination, so it stays as small as the suite. Shared by every service
        # of this process that solves with the configurator itself under the same limits
        # (its answer is a function of that part); a solver of another kind keeps its own.
        if _configures(solver):
            self._remembered = _SHARED.setdefault(limits, {})
        else:
            self._remembered = {}
        self._lock = _LOCK

    # -- solving ---------------------------------------------------------------------------

    def _solve_on(self, key: str, snapshot: CatalogSnapshot) -> Solve:
        def solve(request: ConfigurationRequest) -> Solution:
            return self.solver.solve(key, snapshot, request, self.limits)

        return solve

    def _key(self, revision: int, changed: bool = False) -> str:
        # The solver workers cache a snapshot by its key: today's catalog shares quoting's
        # key; a catalog a change would make is one of its own, never cached under a revision.
        key = f"{id(self.catalog)}:{revision}"
        return f"{key}:trial:{uuid.uuid4().hex}" if changed else key

    def run(
        self,
        snapshot: CatalogSnapshot,
        combinations: Sequence[AssuredCombination],
        solve: Solve,
    ) -> tuple[Verdict, ...]:
        """Each combination's verdict on ``snapshot``: remembered where the part of the
        catalog it can depend on is the one it was last judged on (the very ground the impact
        filter stands on: an equal part gives an equal answer), otherwise assessed, side by
        side, at most as many at once as there are solver workers (more would only queue in
        the pool, or be refused as busy)."""
        parts = [relevant_part(snapshot, combination) for combination in combinations]
        with self._lock:
            known = [self._remembered.get(combination.id) for combination in combinations]
        reused = [entry[1] if entry and entry[0] == part else None
                  for entry, part in zip(known, parts, strict=True)]  # fmt: skip
        missing = [combination for combination, verdict in zip(combinations, reused,
                   strict=True) if verdict is None]  # fmt: skip
        if len(missing) <= 1 or self.workers == 1:
            solved = [assess(combination, solve) for combination in missing]
        else:
            with ThreadPoolExecutor(max_workers=min(self.workers, len(missing))) as pool:
                solved = list(pool.map(lambda combination: assess(combination, solve), missing))
        fresh = iter(solved)
        verdicts = [verdict if verdict is not None else next(fresh) for verdict in reused]
        with self._lock:
            for combination, part, verdict in zip(combinations, parts, verdicts, strict=True):
                if not verdict.finding.timed_out:  # another try may answer
                    self._remembered[combination.id] = (part, verdict)
        return tuple(verdicts)

    def judge(self, revision: int, before: CatalogSnapshot, after: CatalogSnapshot) -> Judged:
        """The affected combinations on ``after``; those broken there that held on ``before``
        (the catalog at ``revision``) block. Call it without a transaction open."""
        started = time.perf_counter()
        # Today's combinations too: a change that removes one (an import without it) must
        # not escape it; one it edits is judged as the change writes it.
        written = {combination.id for combination in after.assurances}
        kept = [combination for combination in before.assurances if combination.id not in written]
        combinations = affected(before, after, (*after.assurances, *kept))
        verdicts = self.run(after, combinations, self._solve_on(self._key(revision, True), after))
        earlier = {combination.id: combination for combination in before.assurances}
        to_compare = [earlier[verdict.combination] for verdict in verdicts
                      if not verdict.held and verdict.combination in earlier]  # fmt: skip
        today = self.run(before, to_compare, self._solve_on(self._key(revision), before))
        unknown = [verdict.combination for verdict in today if verdict.finding.timed_out]
        if unknown:
            # Whether they hold today is not known: neither refused nor let through.
            raise SolverKilled(
                "no answer in time for " + ", ".join(unknown) + " on today's catalog: it is "
                "not known whether the change breaks them; try again"
            )
        blocking = frozenset(verdict.combination for verdict in today if verdict.held)
        seconds = time.perf_counter() - started
        return Judged(verdicts, blocking, seconds, len(after.assurances) + len(kept))

    # -- the gate (app.portfolio.CatalogGate) ----------------------------------------------

    def _trial(
        self, principal: Principal, change: CatalogChange
    ) -> tuple[int, CatalogSnapshot, CatalogSnapshot | None]:
        """The catalog revision, the active snapshot now, and as ``change`` would make it
        (None when it changes nothing): the change made and rolled back. Its use case's
        refusals (403, 404, 409, 412, 422...) come from here, before anything is solved."""
        try:
            with self.database.transaction(write=True) as session:
                revision, before = self.catalog.current(session)
                apply_change(session, principal, change)
                session.flush()
                if catalog_revision(session) == revision:  # e.g. a patch that changes nothing
                    raise _Tried(revision, before, None)
                raise _Tried(revision, before, load_active_snapshot(session))
        except _Tried as tried:
            return tried.revision, tried.before, tried.after

    def apply(self, principal: Principal, change: CatalogChange) -> Representation | None:
        """Apply ``change`` unless it breaks an assured combination that holds today."""
        if not change.alters_active_catalog:
            with self.database.transaction(write=True) as session:
                return apply_change(session, principal, change)
        with self.database.transaction(write=True) as session:
            # Nothing to judge against (and, in this transaction, nothing added meanwhile):
            # made at once, without building the catalog it would make.
            if not self.catalog.current(session)[1].assurances:
                return apply_change(session, principal, change)
        for _ in range(ATTEMPTS):
            revision, before, after = self._trial(principal, change)
            judged = None
            if after is not None and (before.assurances or after.assurances):
                judged = self.judge(revision, before, after)
            with self.database.transaction(write=True) as session:
                if repository.locked_revision(session) != revision:
                    continue  # another change landed while this one was judged: again
                if judged is None or not judged.blocking:
                    view = apply_change(session, principal, change)
                    if judged is not None and judged.verdicts:
                        repository.add_run(
                            session, revision=catalog_revision(session), trigger="change",
                            requested_by=principal.name, status=_status(judged.verdicts),
                            verdicts=judged.verdicts, seconds=judged.seconds,
                            subject=change.subject, change=_stored(principal, change),
                        )  # fmt: skip
                    return view
                # Refused: only the run is written (the change was never made here).
                refused = repository.add_run(
                    session, revision=revision, trigger="change", requested_by=principal.name,
                    status="refused", verdicts=judged.verdicts, blocking=judged.blocking,
                    seconds=judged.seconds, subject=change.subject,
                    change=_stored(principal, change),
                )  # fmt: skip
                run_id = refused.id
            assert judged is not None  # only a judged change is refused
            blockers = judged.blockers()
            raise AssuranceBroken(
                f"{change.subject} would break {len(blockers)} assured combination(s) that "
                "hold today: " + "; ".join(f"{verdict.combination} ({verdict.name}): "
                                          + "; ".join(verdict.reasons) for verdict in blockers)
                + f". Run {run_id} is stored; an approver who is not the requester may "
                "override it.",
                extra={"run": run_id, "broken": [broken_view(verdict) for verdict in blockers]},
            )  # fmt: skip
        raise Conflict("the catalog kept changing while the change was judged; retry")

    def after_import(self, principal: Principal) -> dict[str, Any] | None:
        """The combinations run on the catalog the import made, stored (trigger import)."""
        run = self.run_now(principal, "import")
        if run is None:
            return None
        return {
            "run": run["id"],
            "held": run["held"],
            "broken": run["broken"],
            "broken_combinations": [
                {key: verdict[key] for key in ("name", "owner", "reasons")}
                | {"id": verdict["combination"]}
                for verdict in run["verdicts"]
                if not verdict["held"]
            ],
        }

    # -- runs ------------------------------------------------------------------------------

    def run_now(self, principal: Principal, trigger: str = "manual") -> dict[str, Any] | None:
        """Every combination of the active catalog, run and stored; None when it has none
        (and the trigger is an import: a manual run is stored even then)."""
        with self.database.transaction(write=False) as session:
            revision, snapshot = self.catalog.current(session)
        if not snapshot.assurances and trigger == "import":
            return None
        started = time.perf_counter()
        verdicts = self.run(
            snapshot, snapshot.assurances, self._solve_on(self._key(revision), snapshot)
        )
        seconds = time.perf_counter() - started
        with self.database.transaction(write=True) as session:
            stored = repository.add_run(
                session, revision=revision, trigger=trigger, requested_by=principal.name,
                status=_status(verdicts), verdicts=verdicts, seconds=seconds,
            )  # fmt: skip
            return run_view(session, stored)

    def override(self, principal: Principal, run_id: int, comment: str) -> dict[str, Any]:
        """Apply the change a refused run holds (its gate skipped): by someone other than
        its requester, on the very catalog revision it was refused at."""
        with self.database.transaction(write=True) as session:
            refused = repository.run(session, run_id, lock=True)
            if refused is None:
                raise NotFound(f"no assurance run {run_id}")
            if refused.requested_by == principal.name:
                raise Forbidden(f"four eyes: {principal.name} asked for the change of run {run_id}")
            if refused.status != "refused" or refused.change is None:
                raise RunNotOverridable(
                    f"run {run_id} is {refused.status}: only a refused change can be overridden"
                )
            now = repository.locked_revision(session)
            if now != refused.revision:
                raise RunNotOverridable(
                    f"the catalog moved since run {run_id} refused the change (revision "
                    f"{refused.revision}, now {now}): ask for the change again, its impact "
                    "may differ"
                )
            stored = refused.change
            requester = Principal(
                stored["by"]["name"], stored["by"]["role"], stored["by"]["centre"]
            )
            change = CatalogChange.of(stored["change"])
            # As its requester asked it (their permissions, their name on its audit entry);
            # the catalog is at the revision it was judged at, so its tags still hold.
            apply_change(session, requester, change.without_precondition())
            refused.status, refused.overridden_by, refused.comment = (
                "overridden", principal.name, comment
            )  # fmt: skip
            broken = [broken_view(verdict) for verdict in repository.verdicts_of(session, run_id)
                      if verdict.blocking]  # fmt: skip
            audit.record(
                session, principal, "assurance.override", "assurance_run", str(run_id),
                {"status": "refused", "subject": refused.subject, "broken": broken},
                {"status": "overridden", "requested_by": refused.requested_by}, comment,
            )  # fmt: skip
            # The catalog as it became: the refused run's verdicts, on its new revision.
            applied = AssuranceRun(
                revision=catalog_revision(session), trigger="override", subject=refused.subject,
                change=refused.change, requested_by=principal.name,
                status="broken" if refused.broken else "held", comment=comment,
                held=refused.held, broken=refused.broken, seconds=0.0,
            )  # fmt: skip
            session.add(applied)
            session.flush()
            repository.copy_verdicts(session, refused, applied)
            return run_view(session, refused)

    # -- reads -----------------------------------------------------------------------------

    def latest(self, session: Session) -> dict[str, Any]:
        """The latest verdict of each combination of the active catalog."""
        revision, snapshot = self.catalog.current(session)
        names = [combination.id for combination in snapshot.assurances]
        found = repository.latest_verdicts(session, names)
        seen = {verdict.combination for verdict, _ in found}
        return {
            "revision": revision,
            "combinations": [
                verdict_view(verdict)
                | {"run": run.id, "revision": run.revision, "ran_at": run.ran_at.isoformat()}
                for verdict, run in found
            ],
            "not_run": [name for name in names if name not in seen],
        }

    def get_run(self, session: Session, run_id: int) -> dict[str, Any]:
        run = repository.run(session, run_id)
        if run is None:
            raise NotFound(f"no assurance run {run_id}")
        return run_view(session, run)

    def preview(self, session: Session, code: str, version: int) -> dict[str, Any]:
        """What activating ``code`` version ``version`` would break: nothing stored."""
        revision, before = self.catalog.current(session)
        component = version_component(session, code, version)
        kept = [item for item in before.components if item.code != code]
        after = before.model_copy(
            update={"components": (*kept, component.model_copy(update={"status": "active"}))}
        )
        with released(session):
            judged = self.judge(revision, before, after)
        broken = [verdict for verdict in judged.verdicts if not verdict.held]
        return {
            "code": code,
            "version": version,
            "revision": revision,
            "would_break": [broken_view(verdict) for verdict in judged.blockers()],
            "stay_broken": [
                broken_view(verdict)
                for verdict in broken
                if verdict.combination not in judged.blocking
            ],
            "held": sum(verdict.held for verdict in judged.verdicts),
            "unaffected": judged.combinations - len(judged.verdicts),
            "combinations": judged.combinations,
        }


def _stored(principal: Principal, change: CatalogChange) -> dict[str, Any]:
    """A change as a run keeps it: the change and who asked it (it is applied as them)."""
    return {
        "change": change.as_dict(),
        "by": {"name": principal.name, "role": principal.role, "centre": principal.centre},
    }
