"""Expressions, models, YAML reading and snapshot behaviour."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from pydantic import TypeAdapter, ValidationError

from benchmarks.synthetic import generate
from catalog.centres import DeliveryCentre
from catalog.components import Component, Tiers
from catalog.expressions import (
    And,
    ExpressionSyntaxError,
    Implies,
    Not,
    Or,
    Var,
    evaluate,
    parse,
    variables,
)
from catalog.loader import load_default_catalog
from catalog.rules import Rule
from catalog.yaml_io import YamlSyntaxError
from catalog.yaml_io import parse as parse_yaml
from tests.pricing.factories import centre, component

RULE: TypeAdapter[Any] = TypeAdapter(Rule)


class TestExpressions:
    def test_precedence_not_and_or_implies(self) -> None:
        assert parse("A or not B and C implies D") == Implies(
            Or((Var("A"), And((Not(Var("B")), Var("C"))))), Var("D")
        )

    def test_implies_is_right_associative(self) -> None:
        assert parse("A -> B -> C") == Implies(Var("A"), Implies(Var("B"), Var("C")))

    def test_symbols_and_words_mean_the_same(self) -> None:
        assert parse("!A & (B | C-D)") == parse("not A and (B or C-D)")

    @pytest.mark.parametrize(
        ("source", "column"),
        [("A and", 6), ("A and (B or C", 14), ("A B", 3), ("A ? B", 3), ("", 1), ("a and B", 1)],
    )
    def test_syntax_errors_name_the_column(self, source: str, column: int) -> None:
        with pytest.raises(ExpressionSyntaxError) as caught:
            parse(source)
        assert caught.value.column == column

    def test_evaluation(self) -> None:
        rule = parse("SAP and not HANA implies ORA iff true")
        assert evaluate(rule, {"SAP": True, "ORA": True})
        assert not evaluate(rule, {"SAP": True})
        assert evaluate(rule, {})

    def test_never_evaluates_python(self) -> None:
        with pytest.raises(ExpressionSyntaxError):
            parse("__import__('os').system('true')")

    def test_variables_in_order(self) -> None:
        assert list(variables(parse("(B or A) and not B"))) == ["B", "A", "B"]


class TestRules:
    def test_kind_selects_the_model(self) -> None:
        rule = RULE.validate_python(
            {"kind": "requires", "id": "R-1", "if": "A", "then": ["B", "C"], "message": "m"}
        )
        assert rule.components() == ("A", "B", "C")
        assert rule.severity == "error"

    def test_unknown_kind_is_rejected(self) -> None:
        with pytest.raises(ValidationError, match="does not match any of the expected tags"):
            RULE.validate_python({"kind": "maybe", "id": "R-1", "message": "m"})

    def test_choose_bounds(self) -> None:
        with pytest.raises(ValidationError, match="min \\(3\\) is greater than max \\(1\\)"):
            RULE.validate_python(
                {
                    "kind": "choose",
                    "id": "R",
                    "group": ["A", "B"],
                    "min": 3,
                    "max": 1,
                    "message": "m",
                }
            )

    def test_quantity_sides_are_disjoint(self) -> None:
        with pytest.raises(ValidationError, match="A on both sides"):
            RULE.validate_python(
                {
                    "kind": "quantity",
                    "id": "R",
                    "unit": "TB",
                    "left": {"A": 1},
                    "op": ">=",
                    "right": {"A": 2},
                    "message": "m",
                }
            )

    def test_table_rows_must_fit_the_columns(self) -> None:
        with pytest.raises(ValidationError, match="row 2 has 1 values"):
            RULE.validate_python(
                {
                    "kind": "table",
                    "id": "T",
                    "message": "m",
                    "columns": [
                        {"name": "a", "components": ["A"]},
                        {"name": "b", "components": ["B"]},
                    ],
                    "rows": [["A", "B"], ["A"]],
                }
            )


class TestTiers:
    def test_open_ended_last_band(self) -> None:
        tiers = Tiers.model_validate(
            {"style": "volume", "bands": [{"up_to": 10, "monthly": 5}, {"monthly": 4}]}
        )
        assert tiers.bands[-1].up_to is None

    @pytest.mark.parametrize(
        "bands",
        [
            [{"up_to": 10, "monthly": 5}, {"up_to": 10, "monthly": 4}, {"monthly": 3}],
            [{"up_to": 10, "monthly": 5}],
            [{"monthly": 5}, {"up_to": 10, "monthly": 4}],
        ],
    )
    def test_bad_tables_are_rejected(self, bands: list[dict[str, int]]) -> None:
        with pytest.raises(ValidationError):
            Tiers.model_validate({"style": "tiered", "bands": bands})


class TestYaml:
    def test_floats_become_exact_decimals(self) -> None:
        from catalog.components import CostBlock

        data = parse_yaml("currency: EUR\nmonthly: 0.1\none_time: 0.2\n")
        cost = CostBlock.model_validate(data)
        assert cost.monthly + cost.one_time == Decimal("0.3")

    def test_yaml_1_2_keeps_country_codes_as_text(self) -> None:
        assert parse_yaml("country: NO\nflag: on\n") == {"country": "NO", "flag": "on"}

    def test_syntax_error_carries_the_line(self) -> None:
        with pytest.raises(YamlSyntaxError) as caught:
            parse_yaml("a: 1\nb: [1, 2\nc: 3\n")
        assert caught.value.line == 3

    def test_duplicate_keys_are_errors(self) -> None:
        with pytest.raises(YamlSyntaxError, match="duplicate"):
            parse_yaml("a: 1\na: 2\n")


class TestSnapshot:
    def test_immutable_throughout(self) -> None:
        snapshot = load_default_catalog()
        component = snapshot.component("CMP-VM-LNX")
        with pytest.raises(ValidationError):
            snapshot.components = ()  # type: ignore[misc]
        with pytest.raises(ValidationError):
            component.name = "changed"  # type: ignore[misc]
        with pytest.raises(TypeError):
            component.provides["compute.windows"] = Decimal(1)  # type: ignore[index]
        with pytest.raises(TypeError):  # tuples, not lists
            component.service_levels[0] = component.service_levels[1]  # type: ignore[index]
        assert isinstance(snapshot.components, tuple)

    def test_indexes(self) -> None:
        snapshot = load_default_catalog()
        providers = {component.code for component in snapshot.providers_of("compute.linux")}
        assert {"CMP-VM-LNX", "CMP-PHY-LNX"} <= providers
        assert all("DB-HANA" in rule.components() for rule in snapshot.rules_for("DB-HANA"))
        assert snapshot.rules_for("DB-HANA")
        assert snapshot.price_book("GBP").currency == "GBP"
        assert {centre.code for centre in snapshot.centres_with("sap-basis")} == {
            "ES-MAD",
            "IN-BLR",
        }
        with pytest.raises(KeyError, match="unknown component 'NOPE'"):
            snapshot.component("NOPE")

    def test_order_of_input_does_not_matter(self) -> None:
        snapshot = generate(30, seed=4)
        shuffled = type(snapshot).model_validate(
            {
                **{name: getattr(snapshot, name) for name in type(snapshot).model_fields},
                "components": tuple(reversed(snapshot.components)),
            }
        )
        assert shuffled == snapshot

    def test_copy_with_update_rebuilds_indexes(self) -> None:
        snapshot = generate(20, seed=5)
        first = snapshot.components[0]
        renamed = first.model_copy(update={"name": "Renamed"})
        copy = snapshot.model_copy(update={"components": (renamed, *snapshot.components[1:])})
        assert copy.component(first.code).name == "Renamed"


def test_quantity_bounds_stay_within_exact_arithmetic() -> None:
    from catalog.components import QuantityBounds
    from catalog.limits import MAX_QUANTITY

    assert QuantityBounds(min=1, max=MAX_QUANTITY).max == 10**9
    with pytest.raises(ValidationError, match="less than or equal to 1000000000"):
        QuantityBounds(min=1, max=MAX_QUANTITY + 1)


@pytest.mark.parametrize(
    ("model", "field", "noun"),
    [("centre", "competencies", "a competency"), ("component", "charges", "a charge")],
)
def test_a_list_naming_one_thing_twice_says_which_kind(model: str, field: str, noun: str) -> None:
    data = centre() if model == "centre" else component()
    data[field] = [data[field][0], data[field][0]]
    validated = DeliveryCentre if model == "centre" else Component
    with pytest.raises(ValidationError, match=f"{noun} is listed twice"):
        validated.model_validate(data)
