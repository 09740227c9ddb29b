"""Checking a configuration request against the catalog and the limits, before any model is
built: every problem at once, each naming the request field."""

from __future__ import annotations

from app.configurator.errors import ConfigurationInvalid, RequestProblem
from app.configurator.needs import serves
from app.configurator.request import OBJECTIVES, ConfigurationRequest, Limits, Need
from catalog.snapshot import CatalogSnapshot
from pricing.quote import MAX_TERM_MONTHS


def validate_request(
    snapshot: CatalogSnapshot, request: ConfigurationRequest, limits: Limits
) -> None:
    problems: list[RequestProblem] = []

    def problem(field: str, message: str) -> None:
        problems.append(RequestProblem(field, message))

    try:
        snapshot.price_book(request.price_book)
    except KeyError:
        problem("price_book", f"unknown price book {request.price_book!r}")
    if not 1 <= request.term_months <= MAX_TERM_MONTHS:
        problem("term_months", f"must be from 1 to {MAX_TERM_MONTHS} months")
    if not request.needs and not request.include and request.offering is None:
        problem("needs", "say what the customer needs (or include components, or an offering)")
    if len(request.needs) > limits.max_needs:
        problem("needs", f"at most {limits.max_needs} needs, not {len(request.needs)}")
    seen: set[str] = set()
    for index, need in enumerate(request.needs):
        where = f"needs[{index}]"
        if not snapshot.providers_of(need.capability):
            known = need.capability in {capability.code for capability in snapshot.capabilities}
            problem(
                f"{where}.capability",
                f"no active component provides {need.capability!r}"
                if known
                else f"unknown capability {need.capability!r}",
            )
        problems.extend(_attribute_problems(snapshot, need, where))
        if need.capability in seen:
            problem(f"{where}.capability", f"{need.capability!r} is needed twice: add them up")
        seen.add(need.capability)
        if not 1 <= need.quantity <= limits.max_quantity:
            problem(f"{where}.quantity", f"must be from 1 to {limits.max_quantity:,}")
    if request.offering is not None and request.offering not in {
        offering.code for offering in snapshot.offerings
    }:
        problem("offering", f"unknown offering {request.offering!r}")
    for field, codes in (("include", request.include), ("exclude", request.exclude)):
        if len(codes) > limits.max_include:
            problem(field, f"at most {limits.max_include} components")
        for index, code in enumerate(codes):
            if not snapshot.has_component(code):
                problem(f"{field}[{index}]", f"unknown or inactive component {code!r}")
    both = sorted(set(request.include) & set(request.exclude))
    if both:
        problem("exclude", f"{', '.join(both)} both included and excluded")
    if request.min_availability is not None and not 0 < request.min_availability < 100:
        problem("min_availability", "must be a percentage above 0 and below 100")
    if request.residency is not None:
        regions = {centre.region for centre in snapshot.delivery_centres}
        for index, region in enumerate(request.residency):
            if region not in regions:
                problem(f"residency[{index}]", f"no delivery centre is in region {region!r}")
    if request.budget_monthly is not None and request.budget_monthly <= 0:
        problem("budget_monthly", "must be above zero")
    if request.objective not in OBJECTIVES:
        problem("objective", f"must be one of {', '.join(OBJECTIVES)}")
    if not 1 <= request.alternatives <= limits.max_alternatives:
        problem("alternatives", f"must be from 1 to {limits.max_alternatives}")
    if not 0 <= request.discount_percent <= 100:
        problem("discount_percent", "must be from 0 to 100")
    if problems:
        raise ConfigurationInvalid(problems)


def _attribute_problems(snapshot: CatalogSnapshot, need: Need, where: str) -> list[RequestProblem]:
    """Each attribute a need names is one its providers have, with a value one of them has,
    and some provider has them all."""
    providers = snapshot.providers_of(need.capability)
    if not providers or not need.attributes:
        return []
    problems = []
    for name, value in need.attributes:
        values = sorted({p.attributes[name] for p in providers if name in p.attributes})
        field = f"{where}.attributes.{name}"
        if not values:
            names = sorted({name for p in providers for name in p.attributes})
            problems.append(
                RequestProblem(
                    field,
                    f"no provider of {need.capability!r} has "
                    f"attribute {name!r} (they have {', '.join(names)})",
                )
            )
        elif value not in values:
            problems.append(
                RequestProblem(
                    field,
                    f"no provider of {need.capability!r} has "
                    f"{name} {value!r} (only {', '.join(values)})",
                )
            )
    if not problems and not serves(snapshot, need):
        problems.append(
            RequestProblem(f"{where}.attributes", f"no active component provides {need.ref}")
        )
    return problems
