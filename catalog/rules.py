"""Rules: the pre-assured combinations, a discriminated union on ``kind``.

Every rule names components by code; the loader checks the codes exist. A rule with severity
``error`` must hold in every bundle; ``warning`` rules are advice shown to sales, never enforced.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from functools import cached_property
from typing import Annotated, Literal

from pydantic import ConfigDict, Field, field_validator, model_validator

from catalog.base import ComponentCode, FrozenMap, FrozenModel, Identifier, Text, listed_once
from catalog.capabilities import Unit
from catalog.components import Component
from catalog.expressions import Expr, ExpressionSyntaxError, parse, variables
from catalog.limits import MAX_QUANTITY

Severity = Literal["error", "warning"]
WILDCARD = "*"  # in a table row: any value, including "nothing chosen"
NONE = "-"  # in a table row: no component of the column is chosen


class _Rule(FrozenModel):
    model_config = ConfigDict(populate_by_name=True)

    id: Identifier
    message: Text
    severity: Severity = "error"

    def components(self) -> tuple[str, ...]:
        """Every component code the rule mentions, without repeats, in order."""
        raise NotImplementedError


_unique = listed_once("a component")


class _Conditional(_Rule):
    """If ``if_`` is chosen then something about ``then``."""

    if_: ComponentCode = Field(alias="if")
    then: tuple[ComponentCode, ...] = Field(min_length=1)

    _then_unique = field_validator("then")(_unique)

    def components(self) -> tuple[str, ...]:
        return (self.if_, *self.then)


class RequiresRule(_Conditional):
    """If A is chosen, every one of B... is chosen too."""

    kind: Literal["requires"]


class RequiresAnyRule(_Conditional):
    """If A is chosen, at least one of B... is chosen too."""

    kind: Literal["requires_any"]


class ExcludesRule(_Conditional):
    """If A is chosen, none of B... may be chosen."""

    kind: Literal["excludes"]


class ChooseRule(_Rule):
    """Between ``min`` and ``max`` of ``group`` are chosen (only when ``when`` is, if given)."""

    kind: Literal["choose"]
    group: tuple[ComponentCode, ...] = Field(min_length=1)
    min: int = Field(default=0, ge=0, le=MAX_QUANTITY)
    max: int = Field(ge=1, le=MAX_QUANTITY)
    when: ComponentCode | None = None

    _group_unique = field_validator("group")(_unique)

    @model_validator(mode="after")
    def _bounds(self) -> ChooseRule:
        if self.min > self.max:
            raise ValueError(f"min ({self.min}) is greater than max ({self.max})")
        if self.min > len(self.group):
            raise ValueError(f"min ({self.min}) exceeds the group's {len(self.group)} components")
        if self.when is not None and self.when in self.group:
            raise ValueError(f"the parent {self.when} cannot be in its own group")
        return self

    def components(self) -> tuple[str, ...]:
        return (*((self.when,) if self.when else ()), *self.group)


Comparison = Literal[">=", "<=", "=="]
# At most nine digits before the point and six after, like the catalog's amounts: the solver
# scales a relation's decimals to integers by one power of ten (see catalog.limits).
Coefficient = Annotated[Decimal, Field(gt=0, allow_inf_nan=False, max_digits=15, decimal_places=6)]


class QuantityRule(_Rule):
    """A linear relation between quantities: sum(left) <op> sum(right) + constant.

    ``left`` and ``right`` map component codes to coefficients; an unchosen component has
    quantity 0. The terms count in ``unit``, or, for a sizing rule, the right side in
    ``per``: each right coefficient is then how many ``unit`` one ``per`` takes (3 TB of
    storage per HANA system).
    """

    kind: Literal["quantity"]
    unit: Unit
    per: Unit | None = None
    left: FrozenMap[ComponentCode, Coefficient] = Field(min_length=1)
    op: Comparison
    right: FrozenMap[ComponentCode, Coefficient] = Field(default_factory=dict)
    constant: Annotated[Decimal, Field(allow_inf_nan=False, max_digits=15, decimal_places=6)] = (
        Decimal(0)
    )

    @model_validator(mode="after")
    def _sides_disjoint(self) -> QuantityRule:
        both = set(self.left) & set(self.right)
        if both:
            raise ValueError(f"{', '.join(sorted(both))} on both sides of the relation")
        return self

    def components(self) -> tuple[str, ...]:
        return (*self.left, *self.right)


class AttributeRule(_Rule):
    """Chosen components agree on an attribute (``agree``), or its value lies in ``allowed``.

    The scope is ``components`` when given, else every component carrying the attribute.
    """

    kind: Literal["attribute"]
    attribute: Identifier
    mode: Literal["agree", "allowed"]
    allowed: tuple[str, ...] = ()
    components_: tuple[ComponentCode, ...] = Field(default=(), alias="components")

    @model_validator(mode="after")
    def _allowed_matches_mode(self) -> AttributeRule:
        if self.mode == "allowed" and not self.allowed:
            raise ValueError("mode 'allowed' needs a non-empty 'allowed' list")
        if self.mode == "agree" and self.allowed:
            raise ValueError("mode 'agree' takes no 'allowed' list")
        return self

    def components(self) -> tuple[str, ...]:
        return self.components_


class ExpressionRule(_Rule):
    """A boolean formula over component choices (see ``catalog.expressions``)."""

    kind: Literal["expression"]
    expression: Text

    @field_validator("expression")
    @classmethod
    def _parses(cls, source: str) -> str:
        try:
            parse(source)
        except ExpressionSyntaxError as error:
            raise ValueError(f"syntax error: {error}") from None
        return source

    @cached_property
    def ast(self) -> Expr:
        return parse(self.expression)

    def components(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(variables(self.ast)))


class TableColumn(FrozenModel):
    """One column of a variant table: which of ``components`` is chosen (at most one).

    The cell value is the chosen component's code, or its ``attribute`` when given, or
    ``-`` when none of the column's components is chosen; ``*`` in a row matches anything.
    """

    name: Identifier
    components: tuple[ComponentCode, ...] = Field(min_length=1)
    attribute: Identifier | None = None

    _components_unique = field_validator("components")(_unique)


class TableRule(_Rule):
    """Allowed combinations (a variant table). Rows live inline or in a CSV file."""

    kind: Literal["table"]
    columns: tuple[TableColumn, ...] = Field(min_length=1)
    rows: tuple[tuple[str, ...], ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _rows_fit(self) -> TableRule:
        width = len(self.columns)
        for index, row in enumerate(self.rows):
            if len(row) != width:
                raise ValueError(
                    f"row {index + 1} has {len(row)} values, the table has {width} columns"
                )
        names = [column.name for column in self.columns]
        if len(set(names)) != len(names):
            raise ValueError("two columns share a name")
        return self

    def components(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(code for column in self.columns for code in column.components))


class SameCentreRule(_Rule):
    """Every chosen member is delivered from one and the same delivery centre.

    The members are ``components`` and every component whose ``family`` is in ``families``
    (expanded against the catalog: ``members``). A rack and the hosts it holds, HANA
    storage and the HANA hosts it serves: split across centres, nobody can run them.
    """

    kind: Literal["same_centre"]
    components_: tuple[ComponentCode, ...] = Field(default=(), alias="components")
    families: tuple[Identifier, ...] = ()

    _components_unique = field_validator("components_")(_unique)
    _families_unique = field_validator("families")(listed_once("a family"))

    @model_validator(mode="after")
    def _two_at_least(self) -> SameCentreRule:
        if not self.families and len(self.components_) < 2:
            raise ValueError("co-location needs two components or a family at least")
        return self

    def components(self) -> tuple[str, ...]:
        return self.components_

    def members(self, catalog: Iterable[Component]) -> tuple[str, ...]:
        """The listed components, then those of the listed families, in ``catalog``'s order."""
        families = set(self.families)
        of_families = (c.code for c in catalog if c.family in families)
        return tuple(dict.fromkeys((*self.components_, *of_families)))


Rule = Annotated[
    RequiresRule
    | RequiresAnyRule
    | ExcludesRule
    | ChooseRule
    | QuantityRule
    | AttributeRule
    | ExpressionRule
    | TableRule
    | SameCentreRule,
    Field(discriminator="kind"),
]

RULE_KINDS = (
    "requires",
    "requires_any",
    "excludes",
    "choose",
    "quantity",
    "attribute",
    "expression",
    "table",
    "same_centre",
)
