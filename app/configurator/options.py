"""Interactive configuration without dead ends: at every click, for every component in
scope, whether it is still possible, forced (in every valid completion) or impossible, and
why, from one incremental SAT solver prepared once per catalog snapshot.

Exact for the choice of components (see ``app.configurator.choices`` for what that
covers), for their quantities (bounds, steps, needs, requirements summed over every
requirer, quantity rules; ``app.configurator.quantities``) and for an availability target
with chosen service levels (``app.configurator.availability``): every bundle the SAT
solver proposes is checked, and when one falls short CP-SAT decides. Centre capacity and
budgets are the configurator's, when it completes the bundle.

Each click asks the solver under assumptions (the request, the clicks, the catalog's rules
and facts). One solution marks every component it contains as possible and every one it
leaves out as not forced; only the components no solution has settled yet are probed, and
each probe's solution settles more (solution-guided probing). An impossible or forced
component's reason is an unsatisfiable core, shrunk by deletion to a minimal one, and kept
for later clicks that still hold it.
"""

from __future__ import annotations

import contextlib
import math
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Literal

from pysat.solvers import Solver

from app.configurator.availability import AvailabilityCheck, accept_less, floor_percent
from app.configurator.choices import ChoiceModel, Clause, Item
from app.configurator.errors import ConflictItem, SolverTimeout
from app.configurator.needs import resolved
from app.configurator.quantities import QuantityCheck
from app.configurator.request import Need
from app.configurator.scope import closure, reachable_from
from catalog.snapshot import CatalogSnapshot

State = Literal["possible", "forced", "impossible"]
# The needs' variants (capability and attributes, not quantities), includes, offering.
ScopeKey = tuple[frozenset[Need], frozenset[str], str | None]
REQUEST_KINDS = frozenset({"need", "include", "exclude", "chosen", "rejected", "residency"})
MAX_REPAIRS = 3
MAX_REPAIR_CHECKS = 64
MAX_CORES_PER_PROBE = 8
MAX_CORES = 100_000  # all told, before the cache starts afresh
MAX_SCOPES = 64  # requests' scopes (needs, includes, offering) kept, before starting afresh
WARM_UP_SECONDS = 10.0
CONFLICTS_PER_CALL = 1_000_000  # far beyond any real catalog's question, short of a hang


@dataclass(frozen=True, slots=True)
class OptionsRequest:
    needs: tuple[Need, ...] = ()
    residency: tuple[str, ...] | None = None
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    offering: str | None = None
    chosen: tuple[str, ...] = ()
    rejected: tuple[str, ...] = ()
    min_availability: Decimal | None = None  # percent, over the availability chain
    service_levels: tuple[tuple[str, str], ...] = ()  # (component, level): chosen at it


@dataclass(frozen=True, slots=True)
class ComponentOption:
    code: str
    state: State
    reason: str | None  # for forced and impossible components: the minimal why


@dataclass(frozen=True, slots=True)
class Options:
    valid: bool
    components: tuple[ComponentOption, ...]
    conflict: tuple[ConflictItem, ...] = ()  # when not valid: a minimal conflict
    repairs: tuple[tuple[ConflictItem, ...], ...] = ()  # request items whose removal helps


class OptionsEngine:
    """The prepared form of one catalog snapshot: its choice model in a SAT solver."""

    def __init__(self, snapshot: CatalogSnapshot, *, solver: str = "cadical153") -> None:
        started = time.perf_counter()
        self.snapshot = snapshot
        self.model = ChoiceModel(snapshot)
        self.quantities = QuantityCheck(self.model)
        self.availability = AvailabilityCheck(snapshot)
        self._needs: tuple[Need, ...] = ()
        self._target: Decimal | None = None
        self._levels: dict[str, str] = {}
        self._witness: frozenset[str] = frozenset()  # the last bundle shown to exist
        # What the last "no" came from when not from the choice clauses (so no core):
        # "quantities" or "availability".
        self._beyond: str | None = None
        self._solver = Solver(name=solver, bootstrap_with=self.model.clauses)
        self._lock = threading.Lock()
        self._deadline = math.inf  # of the click being answered (time.monotonic)
        # The catalog's own items are always on; the request's are assumed per click.
        self._catalog = [
            literal
            for item, literal in self.model.selectors.items()
            if item.kind in ("fact", "requirement", "rule")
        ]
        self._catalog_set = frozenset(self._catalog)
        self._hints: dict[str, bool] = {}
        self._code_vars = [(code, self.model.var(code)) for code in self.model.codes]
        # Minimal cores found so far, per probe literal, each with its context: the
        # quantities of the needs it names, the availability target and the chosen levels
        # (a core's claim depends on the clauses, which only grow under new selectors, and
        # on those). A later click that assumes a core whole, in the same context, has
        # that probe settled without solving.
        self._cores: dict[
            int, list[tuple[tuple[int, ...], tuple[object, ...], frozenset[str]]]
        ] = {}
        self._scopes: dict[ScopeKey, tuple[frozenset[str], tuple[str, ...]]] = {}
        self._need_of: dict[int, str] = {}  # a need's selector -> the need (as it is asked)
        # The first screen (nothing asked yet) is answered once here: its cores serve
        # every later click.
        # A catalog too hard to warm up in time still answers, just colder.
        with contextlib.suppress(SolverTimeout):
            self.options(OptionsRequest(), time_limit=WARM_UP_SECONDS)
        self.prepare_seconds = time.perf_counter() - started

    def close(self) -> None:
        with self._lock:  # never under a click still being answered
            self._solver.delete()

    # -- assumptions ------------------------------------------------------------------

    def _item(self, item: Item, clauses: list[Clause]) -> int:
        """The selector of a request item, its clauses added on first use."""
        if item not in self.model.selectors:
            self.model.guarded(item, clauses)
            off = -self.model.selectors[item]
            for clause in clauses:
                self._solver.add_clause([off, *clause])
        return self.model.selectors[item]

    def _request_items(self, request: OptionsRequest) -> list[int]:
        x = self.model.var
        literals = []
        for need in request.needs:
            literal = self._item(Item("need", need.ref), self.model.need(need))
            self._need_of[literal] = need.ref  # a core holding it holds for this quantity
            literals.append(literal)
        includes = list(request.include)
        if request.offering is not None:
            offering = self.snapshot.offering(request.offering)
            includes += [c for c in offering.default_components if c not in request.exclude]
        chosen = _chosen(request)
        for kind, codes, sign in (("include", includes, 1), ("exclude", request.exclude, -1),
                                  ("chosen", chosen, 1),
                                  ("rejected", request.rejected, -1)):  # fmt: skip
            for code in codes:
                literals.append(self._item(Item(kind, code), [[sign * x(code)]]))
        if request.residency is not None:
            before = len(self.model.clauses)
            item = self.model.residency(frozenset(request.residency))
            for clause in self.model.clauses[before:]:
                self._solver.add_clause(clause)
            literals.append(self.model.selectors[item])
        return literals

    # -- solving ----------------------------------------------------------------------

    def _solve(self, assumptions: list[int]) -> bool:
        """Whether a bundle exists under ``assumptions`` whose quantities add up too: the
        SAT solver proposes a choice; if its quantities (or the availability it can reach)
        cannot work, CP-SAT answers exactly over the choice clauses and the quantities
        together. With some of the catalog's items switched off (while shrinking a
        conflict) only the choice is checked."""
        self._beyond = None
        if time.monotonic() > self._deadline:
            raise SolverTimeout("the options were not found within the time limit")
        # A conflict budget bounds one hard call; the deadline, the click as a whole.
        self._solver.conf_budget(CONFLICTS_PER_CALL)
        answer = self._solver.solve_limited(assumptions=assumptions)
        if answer is None:
            raise SolverTimeout("one question to the SAT solver took too long")
        if not answer:
            return False
        # The model lists variable v at v - 1; a component in no clause may lie past its
        # end: unknown to the solver, and so left out.
        model = self._solver.get_model() or []
        self._witness = frozenset(
            code for code, var in self._code_vars if var <= len(model) and model[var - 1] > 0
        )
        assumed = set(assumptions)
        if not self._catalog_set <= assumed:
            return True
        # The quantities of the needs switched on (a conflict being shrunk drops some).
        needs = tuple(
            n for n in self._needs if self.model.selectors.get(Item("need", n.ref)) in assumed
        )
        target = self._target
        if self.quantities.fits(self._witness, needs, self._deadline - time.monotonic()) and (
            target is None or self.availability.reaches(self._witness, self._levels, target)
        ):
            return True
        weights = None if target is None else self.availability.weights(self._levels, target)
        seconds = self._deadline - time.monotonic()
        found = self.quantities.exists(
            assumptions, needs, weights, seconds,
            lambda bundle: target is None
            or self.availability.reaches(bundle, self._levels, target),
            self._catalog_set, self._hints,
        )  # fmt: skip
        if found is None:
            # Which one rules it out: the availability, when the quantities alone can work.
            self._beyond = (
                "availability"
                if weights is not None
                and self.quantities.exists(
                    assumptions,
                    needs,
                    None,
                    self._deadline - time.monotonic(),
                    fixed=self._catalog_set,
                )
                is not None
                else "quantities"
            )
            return False
        self._witness = found
        return True

    def _minimal_core(
        self, assumptions: list[int], fixed: list[int]
    ) -> tuple[list[int], frozenset[str]]:
        """A minimal subset of ``assumptions`` that, with ``fixed``, is unsatisfiable, and
        what beyond the choice clauses it needs ("quantities", "availability": a smaller
        trial they rule out is kept whole, so the reason must name them too)."""
        core = [lit for lit in (self._solver.get_core() or []) if lit not in fixed]
        core = self._narrowest(assumptions, fixed, [lit for lit in assumptions if lit in set(core)])
        beyond: set[str] = set()
        index = 0
        while index < len(core):
            trial = core[:index] + core[index + 1 :]
            if not self._solve(fixed + trial):
                if self._beyond:
                    beyond.add(self._beyond)  # no core to shrink by: keep the trial whole
                smaller = set(trial if self._beyond else self._solver.get_core() or [])
                core = [lit for lit in trial if lit in smaller]
                index = min(index, len(core))
            else:
                index += 1
        return core, frozenset(beyond)

    def _narrowest(self, assumptions: list[int], fixed: list[int], core: list[int]) -> list[int]:
        """``core`` without each rule (broadest first) that the other assumptions rule the
        same out without: the narrowest rules stay. A table over six components keeps one
        service desk per column (R-OPS-001, whose message asks for an out-of-hours owner)
        beside the rule that says why there is one (R-SD-003): the solver's core may hold
        either, and deletion alone keeps whichever it holds."""
        rules = [lit for lit in core if self._item_of(lit).kind == "rule"]
        left_out: set[int] = set()
        for literal in sorted(rules, key=self._breadth, reverse=True):
            if literal not in core:
                continue
            trial = [lit for lit in assumptions if lit != literal and lit not in left_out]
            if self._solve(fixed + trial) or self._beyond:
                continue  # needed (or ruled out by quantities: no core to read)
            left_out.add(literal)
            smaller = set(self._solver.get_core() or [])
            core = [lit for lit in trial if lit in smaller]
        return core

    def _breadth(self, literal: int) -> int:
        """How many components a rule's selector constrains (all, for a rule over every
        component with an attribute)."""
        rule = next(rule for rule in self.snapshot.rules if rule.id == self._item_of(literal).ref)
        return len(rule.components()) or len(self.snapshot.components)

    def options(self, request: OptionsRequest, time_limit: float | None = None) -> Options:
        """The option states after ``request``'s clicks; SolverTimeout when they take
        longer than ``time_limit`` seconds (never a partial or guessed answer)."""
        with self._lock:
            self._deadline = math.inf if time_limit is None else time.monotonic() + time_limit
            needs = resolved(self.snapshot, request.needs, request.offering, request.exclude)
            try:
                return self._options(replace(request, needs=needs))
            finally:
                self._deadline = math.inf

    def _options(self, request: OptionsRequest) -> Options:
        self._needs = tuple(sorted(set(request.needs), key=lambda n: (n.capability, n.quantity)))
        self._target = request.min_availability
        self._levels = dict(request.service_levels)
        if sum(map(len, self._cores.values())) > MAX_CORES:
            self._cores.clear()
        assumptions = [*self._catalog, *self._request_items(request)]
        assumed = set(assumptions)
        scope = self._scope(request)
        if not self._solve(assumptions):
            if self._beyond:
                items: tuple[ConflictItem, ...] = (self._beyond_item(),)
                repairs = self._availability_repairs(assumptions, items)
            else:
                core, beyond = self._minimal_core(assumptions, [])
                items = self._items_of(core, beyond)
                repairs = self._repairs(assumptions)
            why = "the current choices cannot all hold: " + "; ".join(i.detail for i in items)
            return Options(
                valid=False,
                components=tuple(ComponentOption(code, "impossible", why) for code in scope),
                conflict=items,
                repairs=repairs,
            )
        seen_in: set[str] = set()
        seen_out: set[str] = set()

        def record() -> None:
            for code in scope:
                (seen_in if code in self._witness else seen_out).add(code)

        record()
        variables = [(code, self.model.var(code)) for code in scope]
        # A component the catalog rules out alone (inactive, no-go, no centre) needs no
        # probe: that fact is its one-item, so minimal, reason.
        states: dict[str, tuple[State, str | None]] = {
            code: ("impossible", f"excluded by {self._describe(self._fact(code)).detail}")
            for code in scope
            if code in self.model.facts
        }
        for code in scope:
            if code in seen_in or code in states:
                continue
            # Solution-guided: each probe's solution leans towards every component no
            # solution has shown yet, so one probe settles many.
            x = self.model.var(code)
            known = self._known_core(x, assumed)
            if known is not None:
                states[code] = ("impossible", self._words("excluded by", *known))
                continue
            self._lean(variables, {c for c in scope if c not in seen_in and c not in states}, True)
            if self._solve([*assumptions, x]):
                record()
            else:
                states[code] = ("impossible", self._why(assumptions, x, "excluded by"))
        for code in scope:
            if code in seen_out or code in states:
                continue
            x = self.model.var(code)
            known = self._known_core(-x, assumed)
            if known is not None:
                states[code] = ("forced", self._words("required by", *known))
                continue
            self._lean(
                variables, {c for c in scope if c not in seen_out and c not in states}, False
            )
            if self._solve([*assumptions, -x]):
                record()
            else:
                states[code] = ("forced", self._why(assumptions, -x, "required by"))
        return Options(
            valid=True,
            components=tuple(
                ComponentOption(code, *states.get(code, ("possible", None))) for code in scope
            ),
        )

    def _scope(self, request: OptionsRequest) -> tuple[str, ...]:
        """The components the answer covers: those reachable from the needs, includes and
        offering, found once per such request (clicks change none of them), and those
        reachable from each chosen component outside them (reachability from a union is
        the union of reachabilities)."""
        key: ScopeKey = (
            frozenset(Need(need.capability, 0, need.attributes) for need in request.needs),
            frozenset(request.include),
            request.offering,
        )
        base = self._scopes.get(key)
        if base is None:
            if len(self._scopes) >= MAX_SCOPES:
                self._scopes.clear()
            found = reachable_from(self.snapshot, *key)
            base = self._scopes[key] = (found, tuple(sorted(found)))
        reached, ordered = base
        outside = [code for code in _chosen(request) if code not in reached]
        if not outside:
            return ordered
        known = [code for code in outside if self.snapshot.has_component(code)]
        return tuple(sorted(reached | closure(self.snapshot, known) | set(outside)))

    def consistent(self, items: Iterable[ConflictItem]) -> bool:
        """Whether ``items`` alone (every other rule, fact and request item switched off) can
        hold together: what a conflict claims they cannot, and minimality is checked by."""
        by_item = {(item.kind, item.ref): lit for item, lit in self.model.selectors.items()}
        with self._lock:  # quantities and availability hold as the last click left them
            return self._solve(
                [by_item[(i.kind, i.ref)] for i in items if (i.kind, i.ref) in by_item]
            )

    def _lean(self, variables: list[tuple[str, int]], unsettled: set[str], chosen: bool) -> None:
        """Let the solver's next decisions prefer ``chosen`` for the ``unsettled``
        components and the opposite for the rest of the scope (its components and their
        variables; left to the phases the solver remembers, the rest would steer it back to
        the solutions it found before)."""
        sign = 1 if chosen else -1
        self._solver.set_phases(
            [sign * x if code in unsettled else -sign * x for code, x in variables]
        )
        # The same lean for CP-SAT, when a probe goes there (its hint: the same phases).
        self._hints = {code: (code in unsettled) == chosen for code, _ in variables}

    def _fact(self, code: str) -> int:
        return self.model.selectors[Item("fact", code)]

    def _why(self, assumptions: list[int], probe: int, verb: str) -> str:
        if self._beyond:
            return f"{verb} {self._beyond_item().detail}"
        found, beyond = self._minimal_core(assumptions, [probe])
        core = tuple(found)
        known = self._cores.setdefault(probe, [])
        if len(known) < MAX_CORES_PER_PROBE:
            known.append((core, self._context(core), beyond))
        return self._words(verb, core, beyond)

    def _context(self, core: tuple[int, ...]) -> tuple[object, ...]:
        named = {self._need_of[literal] for literal in core if literal in self._need_of}
        needs = tuple(need for need in self._needs if need.ref in named)
        return needs, self._target, tuple(sorted(self._levels.items()))

    def _known_core(
        self, probe: int, assumed: set[int]
    ) -> tuple[tuple[int, ...], frozenset[str]] | None:
        """A minimal core found before for ``probe`` that ``assumed`` holds whole, found in
        the context of this click (and what beyond the choice it needs)."""
        return next(
            ((core, beyond) for core, context, beyond in self._cores.get(probe, ())
             if assumed.issuperset(core) and context == self._context(core)),
            None,
        )  # fmt: skip

    def _items_of(self, core: Iterable[int], beyond: frozenset[str]) -> tuple[ConflictItem, ...]:
        return (
            *(self._describe(literal) for literal in core),
            *(self._beyond_item(kind) for kind in sorted(beyond)),
        )

    def _words(self, verb: str, core: Iterable[int], beyond: frozenset[str]) -> str:
        return f"{verb} " + "; ".join(item.detail for item in self._items_of(core, beyond))

    def _repairs(self, assumptions: list[int]) -> tuple[tuple[ConflictItem, ...], ...]:
        """Up to MAX_REPAIRS minimal sets of request items whose removal makes the request
        consistent, smallest first (a breadth-first hitting-set search over cores)."""
        kinds = {literal: self._item_of(literal).kind for literal in assumptions}
        request = [lit for lit in assumptions if kinds[lit] in REQUEST_KINDS]
        found: list[frozenset[int]] = []
        queue: list[frozenset[int]] = [frozenset()]
        tried: set[frozenset[int]] = set()
        while queue and len(found) < MAX_REPAIRS and len(tried) < MAX_REPAIR_CHECKS:
            dropped = queue.pop(0)
            if dropped in tried or any(repair <= dropped for repair in found):
                continue
            tried.add(dropped)
            kept = [lit for lit in assumptions if lit not in dropped]
            if self._solve(kept):
                found.append(dropped)
                continue
            core = set(self._solver.get_core() or [])
            queue.extend(dropped | {lit} for lit in request if lit in core and lit not in dropped)
        return tuple(
            tuple(self._describe(literal) for literal in sorted(repair, key=request.index))
            for repair in found
        )

    # -- words ------------------------------------------------------------------------

    def _item_of(self, literal: int) -> Item:
        return self._items()[literal]

    def _items(self) -> dict[int, Item]:
        if len(getattr(self, "_by_literal", {})) != len(self.model.selectors):
            self._by_literal = {lit: item for item, lit in self.model.selectors.items()}
        return self._by_literal

    def _describe(self, literal: int) -> ConflictItem:
        item = self._item_of(literal)
        kind, ref = item.kind, item.ref
        details = {
            "need": lambda: f"need {ref}",
            "include": lambda: f"{ref} must be in the bundle",
            "exclude": lambda: f"{ref} must not be in the bundle",
            "chosen": lambda: f"{ref} is chosen",
            "rejected": lambda: f"{ref} is rejected",
            "residency": lambda: f"delivery only from {ref.replace(',', ', ')}",
            "rule": lambda: f"rule {ref}: {self._rule_message(ref)}",
            "requirement": lambda: "{} requires {}".format(*ref.split(":", 1)),
            "fact": lambda: f"{ref} cannot be chosen: {self.model.facts[ref]}",
        }
        return ConflictItem(kind, ref, details[kind]())

    def _availability_repairs(
        self, assumptions: list[int], items: tuple[ConflictItem, ...]
    ) -> tuple[tuple[ConflictItem, ...], ...]:
        """When the choices would do but the availability does not: accept the best
        availability they reach, or (when levels were chosen) leave the levels to the
        configurator, if that reaches it."""
        if self._beyond != "availability":
            return ()
        repairs = [(self._accept_best(assumptions),)]
        if self._levels:
            levels, self._levels = self._levels, {}
            try:
                if self._solve(assumptions):
                    named = ", ".join(
                        f"{code} at {level}" for code, level in sorted(levels.items())
                    )
                    item = ConflictItem(
                        "service_levels", ",".join(sorted(levels)),
                        f"the chosen service levels ({named})",
                    )  # fmt: skip
                    repairs.append((item,))
            finally:
                self._levels = levels
        return tuple(repairs)

    def _accept_best(self, assumptions: list[int]) -> ConflictItem:
        """The target lowered to the best availability a bundle reaches under
        ``assumptions`` (every other constraint, the chosen levels too), rounded down to
        0.001 % as the configurator's repair: a figure some bundle truly reaches. When the
        best is not proved in time, the repair is the target itself, without a figure: the
        click's answer (every option's state) is worth more than the figure."""
        assert self._target is not None  # only an availability target rules a choice out so
        terms, _ = self.availability.weights(self._levels, self._target)
        seconds = self._deadline - time.monotonic()
        try:
            best = self.quantities.most_available(assumptions, self._needs, terms, seconds)
        except SolverTimeout:
            return self._beyond_item("availability")
        assert best is not None  # without the target a bundle fitted a moment ago
        reached = floor_percent(self.availability.percent(best, self._levels))
        return ConflictItem("availability", str(self._target), accept_less(reached))

    def _beyond_item(self, kind: str | None = None) -> ConflictItem:
        """What rules a choice out beyond the choices and rules (``kind``, or the last
        solve's): the availability target, or the quantities."""
        if (kind or self._beyond) == "availability":
            levels = ", ".join(f"{code} at {level}" for code, level in sorted(self._levels.items()))
            return ConflictItem(
                "availability", str(self._target),
                f"end-to-end availability of at least {self._target} %"
                + (f" (with {levels})" if levels else ""),
            )  # fmt: skip
        needs = ", ".join(f"{n.capability} {n.quantity}" for n in self._needs)
        return ConflictItem(
            "quantities", needs,
            "the quantities: none within the components' bounds covers "
            + (f"the needs ({needs}) and " if needs else "")
            + "every requirement",
        )  # fmt: skip

    def _rule_message(self, rule_id: str) -> str:
        return next(rule.message for rule in self.snapshot.rules if rule.id == rule_id)


def _chosen(request: OptionsRequest) -> tuple[str, ...]:
    """The chosen components: those clicked, and those given a service level."""
    return tuple(dict.fromkeys([*request.chosen, *(code for code, _ in request.service_levels)]))
