"""Guided selling as data for the templates: the needs form read from (and written back to)
a flat query string, problems mapped to the inputs they concern, the options engine's
answer merged with the person's clicks, and the good/better/best ladder's bundles. Pure: no
I/O, no HTTP; the services decide, this only shapes."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, Decimal
from typing import Any
from urllib.parse import urlencode

from app.auth import Principal, sees_cost
from app.kit.errors import FieldProblem
from app.proposals import Ladder
from app.quoting import bundle_body
from catalog import CatalogSnapshot
from pricing import check_guardrails

MAX_ROWS = 20
SCALARS = ("price_book", "term_months", "offering", "min_availability", "budget_monthly",
           "objective")  # fmt: skip
OBJECTIVES = (("min_price", "Lowest price"), ("max_margin", "Highest margin"),
              ("min_cost", "Lowest cost"))  # fmt: skip


@dataclass
class Needs:
    """The needs form as typed: every value a string, as the person left it."""

    values: dict[str, str] = field(default_factory=dict)
    residency: list[str] = field(default_factory=list)
    rows: list[dict[str, str]] = field(default_factory=list)
    include: list[str] = field(default_factory=list)
    exclude: list[str] = field(default_factory=list)

    def body(self) -> dict[str, Any]:
        """The configuration request's body: blank fields left out, so the request's own
        defaults and checks apply."""
        body: dict[str, Any] = {}
        for name in SCALARS:
            value = self.values.get(name, "").strip()
            if value:
                body[name] = value
        if "term_months" in body:
            body["term_months"] = _int(body["term_months"])
        needs = []
        for row in self.rows:
            if not (row.get("capability") or row.get("quantity")):
                continue
            need: dict[str, Any] = {"capability": row.get("capability", ""),
                                    "quantity": _int(row.get("quantity", ""))}  # fmt: skip
            variant = row.get("variant", "")
            if "=" in variant:
                name, value = variant.split("=", 1)
                need["attributes"] = {name: value}
            needs.append(need)
        body["needs"] = needs
        if self.residency:
            body["residency"] = list(self.residency)
        if self.include:
            body["include"] = list(self.include)
        if self.exclude:
            body["exclude"] = list(self.exclude)
        return body

    def pairs(self) -> list[tuple[str, str]]:
        """The form as query-string pairs (the names of the inputs)."""
        pairs = [(name, self.values[name]) for name in SCALARS if self.values.get(name)]
        pairs += [("residency", region) for region in self.residency]
        for index, row in enumerate(self.rows):
            for key in ("capability", "quantity", "variant"):
                if row.get(key):
                    pairs.append((f"needs-{index}-{key}", row[key]))
        pairs += [("include", code) for code in self.include]
        pairs += [("exclude", code) for code in self.exclude]
        return pairs


def _int(text: str) -> int | str:
    # A whole number as a number; anything else left as typed for the model to refuse.
    return int(text) if re.fullmatch(r"[0-9]{1,9}", text.strip()) else text


def read_needs(one: Any, many: Any, *, extra_row: bool = False) -> Needs:
    """The needs form from a form or query string (``one(name)``, ``many(name)``)."""
    needs = Needs({name: (one(name) or "").strip() for name in SCALARS})
    needs.residency = [r for r in many("residency") if r]
    needs.include = [c for c in many("include") if c]
    needs.exclude = [c for c in many("exclude") if c]
    for index in range(MAX_ROWS):
        row = {key: (one(f"needs-{index}-{key}") or "").strip()
               for key in ("capability", "quantity", "variant")}  # fmt: skip
        if any(row.values()):
            needs.rows.append(row)
    if extra_row or not needs.rows:
        needs.rows.append({"capability": "", "quantity": "", "variant": ""})
    return needs


def needs_of(body: Mapping[str, Any]) -> Needs:
    """The form of a request body (the demo request, or a stored one)."""
    values = {name: str(body[name]) for name in SCALARS if body.get(name) is not None}
    rows = []
    for need in body.get("needs", []):
        attributes = need.get("attributes") or {}
        variant = "".join(f"{k}={v}" for k, v in list(attributes.items())[:1])
        rows.append({"capability": need["capability"], "quantity": str(need["quantity"]),
                     "variant": variant})  # fmt: skip
    return Needs(values, list(body.get("residency") or []), rows,
                 list(body.get("include", [])), list(body.get("exclude", [])))  # fmt: skip


def input_name(problem_field: str) -> str:
    """The input a problem's field names: ``needs[0].quantity`` -> ``needs-0-quantity``,
    ``residency[1]`` -> ``residency``, ``customer.name`` -> ``customer-name``."""
    text = problem_field.removeprefix("request.")
    match = re.fullmatch(r"needs\[(\d+)\]\.(capability|quantity|attributes)(\..*)?", text)
    if match:
        key = "variant" if match.group(2) == "attributes" else match.group(2)
        return f"needs-{match.group(1)}-{key}"
    match = re.fullmatch(r"needs\[(\d+)\].*", text)
    if match:
        return f"needs-{match.group(1)}-capability"
    text = re.sub(r"\[\d+\]", "", text)
    return text.replace(".", "-") or "form"


def field_errors(problems: Iterable[FieldProblem], rows: Sequence[int] = ()) -> dict[str, str]:
    """Each input's first problem, in plain words. ``rows`` maps the request's need index
    to the form's row (blank rows are skipped when the body is built)."""
    errors: dict[str, str] = {}
    for problem in problems:
        name = input_name(problem.field)
        match = re.fullmatch(r"needs-(\d+)-(.*)", name)
        if match and rows:
            index = int(match.group(1))
            name = f"needs-{rows[index] if index < len(rows) else index}-{match.group(2)}"
        errors.setdefault(name, problem.message)
    return errors


def used_rows(needs: Needs) -> list[int]:
    return [i for i, row in enumerate(needs.rows) if row.get("capability") or row.get("quantity")]


def pydantic_problems(errors: Iterable[Mapping[str, Any]]) -> list[FieldProblem]:
    """A pydantic ValidationError's errors as FieldProblems (``needs[0].quantity``)."""
    problems = []
    for error in errors:
        path = ""
        for part in error["loc"]:
            path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
        message = str(error["msg"]).removeprefix("Value error, ")
        problems.append(FieldProblem(path or "form", message))
    return problems


def catalog_choices(snapshot: CatalogSnapshot) -> dict[str, Any]:
    """What the needs form offers: capabilities with their units and variants, regions,
    price books and offerings of the active catalog."""
    variants: list[dict[str, str]] = []
    for capability in snapshot.capabilities:
        seen: set[tuple[str, str]] = set()
        for component in snapshot.providers_of(capability.code):
            for name, value in component.attributes.items():
                if isinstance(value, str) and (name, value) not in seen:
                    seen.add((name, value))
        for name, value in sorted(seen):
            variants.append({"value": f"{name}={value}",
                             "label": f"{capability.name}: {name} = {value}"})  # fmt: skip
    return {
        "capabilities": [{"code": c.code, "name": c.name, "unit": c.unit}
                         for c in snapshot.capabilities],
        "variants": variants,
        "regions": sorted({centre.region for centre in snapshot.delivery_centres}),
        "price_books": [{"code": b.code, "name": b.name, "currency": b.currency}
                        for b in snapshot.price_books],
        "offerings": [{"code": o.code, "name": o.name} for o in snapshot.offerings],
        "objectives": OBJECTIVES,
    }  # fmt: skip


# -- the configuration screen ------------------------------------------------------------


@dataclass(frozen=True)
class Clicks:
    chosen: tuple[str, ...] = ()
    rejected: tuple[str, ...] = ()
    levels: tuple[tuple[str, str], ...] = ()

    def pairs(self) -> list[tuple[str, str]]:
        return ([("chosen", c) for c in self.chosen] + [("rejected", c) for c in self.rejected]
                + [(f"level.{code}", level) for code, level in self.levels])  # fmt: skip

    def include(self, code: str) -> Clicks:
        return Clicks((*self._without(self.chosen, code), code),
                      self._without(self.rejected, code), self.levels)  # fmt: skip

    def exclude(self, code: str) -> Clicks:
        return Clicks(self._without(self.chosen, code), (*self._without(self.rejected, code), code),
                      tuple(lv for lv in self.levels if lv[0] != code))  # fmt: skip

    def undo(self, code: str) -> Clicks:
        return Clicks(self._without(self.chosen, code), self._without(self.rejected, code),
                      tuple(lv for lv in self.levels if lv[0] != code))  # fmt: skip

    def level(self, code: str, level: str) -> Clicks:
        levels = tuple(lv for lv in self.levels if lv[0] != code)
        return Clicks(self.chosen, self.rejected, (*levels, (code, level)) if level else levels)

    @staticmethod
    def _without(codes: tuple[str, ...], code: str) -> tuple[str, ...]:
        return tuple(c for c in codes if c != code)


def read_clicks(many: Any, params: Iterable[tuple[str, str]]) -> Clicks:
    levels = tuple((k.removeprefix("level."), v) for k, v in params if k.startswith("level.") and v)
    return Clicks(tuple(many("chosen")), tuple(many("rejected")), levels)


@functools.lru_cache(maxsize=256)
def _encoded(pairs: tuple[tuple[str, str], ...]) -> str:
    return urlencode(pairs)


def query(needs: Needs, clicks: Clicks = Clicks(), **more: str) -> str:
    """The form, the clicks and ``more`` as a query string. The form's part is the same in
    each of a screen's links: encoded once (profiled: encoding every action and level link
    whole was a fifth of an options click)."""
    rest = urlencode(clicks.pairs() + [(k, v) for k, v in more.items() if v])
    head = _encoded(tuple(needs.pairs()))
    return f"{head}&{rest}" if head and rest else head or rest


def _percent_in(text: str) -> str | None:
    found = re.findall(r"([0-9]+(?:\.[0-9]+)?) ?%", text)
    return found[-1] if found else None


def relaxed(
    needs: Needs,
    clicks: Clicks,
    relax: Sequence[Mapping[str, str]],
    bundle: Mapping[str, Any] | None = None,
) -> tuple[Needs, Clicks] | None:
    """The form and clicks with a repair applied; None when a part of it is no click or
    field (a catalog rule, a requirement)."""
    values = dict(needs.values)
    rows = [dict(row) for row in needs.rows]
    residency, include, exclude = list(needs.residency), list(needs.include), list(needs.exclude)
    chosen, rejected, levels = list(clicks.chosen), list(clicks.rejected), dict(clicks.levels)
    for item in relax:
        kind, ref, detail = item["kind"], item["ref"], item["detail"]
        if kind == "chosen":
            chosen = [c for c in chosen if c != ref]
        elif kind == "rejected":
            rejected = [c for c in rejected if c != ref]
        elif kind == "include":
            include = [c for c in include if c != ref]
        elif kind == "exclude":
            exclude = [c for c in exclude if c != ref]
        elif kind == "service_levels":
            for code in ref.split(","):
                levels.pop(code, None)
        elif kind == "residency":
            residency = []
        elif kind == "availability":
            reached = bundle.get("availability") if bundle else None
            figure = str(reached) if reached is not None else _percent_in(detail)
            values["min_availability"] = figure if figure and figure != "100" else ""
        elif kind == "budget" and bundle is not None:
            monthly = Decimal(bundle["totals"]["monthly"])
            values["budget_monthly"] = str(monthly.quantize(Decimal(1), rounding=ROUND_CEILING))
        elif kind == "need":
            lowered = re.search(r" to ([0-9,]+) ", detail)
            for row in rows:
                if row.get("capability") == ref.split(":")[0]:
                    if lowered and not detail.startswith("drop"):
                        row["quantity"] = lowered.group(1).replace(",", "")
                    else:
                        row["capability"] = row["quantity"] = row["variant"] = ""
        else:
            return None
    kept = [row for row in rows if row.get("capability") or row.get("quantity")]
    return (Needs(values, residency, kept or [{"capability": "", "quantity": "", "variant": ""}],
                  include, exclude),
            Clicks(tuple(chosen), tuple(rejected), tuple(levels.items())))  # fmt: skip


STATE_WORDS = {"possible": "Possible", "forced": "Forced", "impossible": "Impossible",
               "chosen": "Included by you", "rejected": "Excluded by you"}  # fmt: skip


def options_rows(
    answer: Mapping[str, Any], snapshot: CatalogSnapshot, needs: Needs, clicks: Clicks, base: str
) -> list[dict[str, Any]]:
    """One row per component in scope: its state (the user's click first), the reason, the
    links that change it, and its service levels when it has several."""
    rows = []
    levels = dict(clicks.levels)
    for option in answer["components"]:
        code = option["code"]
        component = snapshot.component(code)
        state = option["state"]
        if code in clicks.rejected:
            state = "rejected"
        elif code in clicks.chosen or code in levels:
            state = "chosen"
        actions = []
        if state in ("chosen", "rejected"):
            actions.append(("Undo", clicks.undo(code)))
        else:
            if state != "forced":
                actions.append(("Include", clicks.include(code)))
            if state != "impossible":
                actions.append(("Exclude", clicks.exclude(code)))
        names = [level.name for level in component.service_levels]
        rows.append({
            "code": code, "name": component.name, "layer": component.layer,
            "state": state, "state_word": STATE_WORDS[state],
            "engine_state": option["state"], "reason": option["reason"],
            "actions": [(label, f"{base}?{query(needs, after)}") for label, after in actions],
            "levels": names if len(names) > 1 else [],
            "level": levels.get(code, ""),
        })  # fmt: skip
    return rows


def repair_links(
    repairs: Sequence[Mapping[str, Any]], needs: Needs, clicks: Clicks, base: str
) -> list[dict[str, Any]]:
    """Each repair in words, with the URL that applies it (None when it cannot be one
    click)."""
    links = []
    for repair in repairs:
        applied = relaxed(needs, clicks, repair["relax"], repair.get("bundle"))
        href = None if applied is None else f"{base}?{query(*applied)}"
        links.append({"detail": repair["detail"], "href": href})
    return links


# -- good / better / best ------------------------------------------------------------------


def _line_key(line: Mapping[str, Any]) -> str:
    return f"{line['component']} at {line['service_level']} x {line['quantity']}"


def label(names: Sequence[str], index: int) -> str:
    """A rung's name as the proposal would give it (a single bundle has none)."""
    return names[index] if index < len(names) else "This bundle"


def rung_views(found: Ladder, price_book: str, principal: Principal) -> list[dict[str, Any]]:
    """The ladder's bundles in the quote shape, as ``POST /v1/configurations`` shows them:
    the person's guardrails and whether they see cost."""
    guardrails = found.snapshot.price_book(price_book).guardrails
    return [
        bundle_body(rung.bundle, check_guardrails(rung.bundle.quote, guardrails, principal.role),
                    show_cost=sees_cost(principal))
        for rung in found.rungs
    ]  # fmt: skip


def compared(bundles: Sequence[Mapping[str, Any]], names: Sequence[str]) -> list[dict[str, Any]]:
    """The ladder's bundles, cheapest first, named as the proposal names them, each with the
    lines only it has (against the others)."""
    keys = [{_line_key(line) for line in bundle["lines"]} for bundle in bundles]
    shown = []
    for index, bundle in enumerate(bundles):
        others = (
            set().union(*(k for i, k in enumerate(keys) if i != index)) if len(keys) > 1 else set()
        )
        shown.append({
            "index": index,
            "label": label(names, index),
            "bundle": bundle,
            "only_here": [line for line in bundle["lines"] if _line_key(line) not in others]
            if len(bundles) > 1 else [],
        })  # fmt: skip
    return shown


def at_availability(needs: Needs, minimum: str) -> Needs:
    """The form with another minimum availability (a rung's, or the base request's)."""
    values = dict(needs.values) | {"min_availability": minimum}
    return Needs(values, list(needs.residency), [dict(r) for r in needs.rows],
                 list(needs.include), list(needs.exclude))  # fmt: skip


def with_clicks(needs: Needs, clicks: Clicks) -> Needs:
    """The request with the clicks as includes and excludes (levels are the options
    engine's only: a configuration request takes none)."""
    include = list(dict.fromkeys([*needs.include, *clicks.chosen, *(c for c, _ in clicks.levels)]))
    exclude = list(dict.fromkeys([*needs.exclude, *clicks.rejected]))
    return Needs(dict(needs.values), list(needs.residency), [dict(r) for r in needs.rows],
                 include, exclude)  # fmt: skip


def proposal_errors(
    problems: Iterable[FieldProblem], lines: Sequence[Mapping[str, Any]]
) -> dict[str, str]:
    """The create form's problems by input: ``custom_lines[1].unit_price`` names the row
    and charge that line came from (each custom row may give two lines)."""
    errors: dict[str, str] = {}
    for problem in problems:
        name = input_name(problem.field)
        match = re.fullmatch(r"(?:request\.)?custom_lines\[(\d+)\]\.?(\w*).*", problem.field)
        if match and int(match.group(1)) < len(lines):
            line = lines[int(match.group(1))]
            part = "description" if match.group(2) == "description" else line["charge"]
            name = f"custom-{line['_row']}-{part}"
        errors.setdefault(name, problem.message)
    return errors
