"""The packaged default catalog: valid, realistic, and as broad as the portfolio needs."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from app.cli import app
from catalog.loader import default_catalog_path, load_default_catalog, validate_catalog
from catalog.rules import RULE_KINDS
from catalog.snapshot import CatalogSnapshot


@pytest.fixture(scope="module")
def default() -> CatalogSnapshot:
    return load_default_catalog()


def test_validates_without_errors_or_warnings() -> None:
    result = validate_catalog(default_catalog_path())
    assert result.problems == ()


def test_breadth(default: CatalogSnapshot) -> None:
    assert len(default.components) >= 80
    assert len({component.family for component in default.components}) >= 12
    assert len(default.delivery_centres) >= 6
    assert len({centre.country for centre in default.delivery_centres}) >= 4
    assert len({centre.region for centre in default.delivery_centres}) >= 3
    assert {book.currency for book in default.price_books} >= {"EUR", "GBP", "USD"}
    assert len(default.rules) >= 30
    assert {rule.kind for rule in default.rules} == set(RULE_KINDS)
    assert len(default.offerings) >= 8


def test_every_component_is_documented_in_substance(default: CatalogSnapshot) -> None:
    for component in default.components:
        documents = component.documents
        assert len(documents.specification) > 300, component.code
        sow = documents.statement_of_work
        assert sow.provider_responsibilities and sow.client_responsibilities, component.code
        assert sow.deliverables and sow.assumptions and sow.exclusions, component.code
        delivery = documents.delivery_description
        assert delivery.provisioning_steps and delivery.operating_procedures, component.code
        assert delivery.tooling and delivery.skills and len(delivery.kpis) >= 2, component.code


def test_specifications_are_not_copies(default: CatalogSnapshot) -> None:
    specifications = [component.documents.specification for component in default.components]
    assert len(set(specifications)) == len(specifications)


def test_every_component_is_priced_in_every_book(default: CatalogSnapshot) -> None:
    books = {book.code for book in default.price_books}
    for component in default.components:
        assert set(component.prices) == books, component.code


def test_centres_of_competence_differ(default: CatalogSnapshot) -> None:
    competencies = {centre.code: set(centre.competencies) for centre in default.delivery_centres}
    assert len({frozenset(held) for held in competencies.values()}) == len(competencies)
    assert "sap-basis" in competencies["ES-MAD"] and "sap-basis" not in competencies["CZ-BRN"]


def test_cli_validate_prints_the_summary() -> None:
    outcome = CliRunner().invoke(app, ["catalog", "validate"])
    assert outcome.exit_code == 0, outcome.output
    for heading in (
        "Components by family:",
        "Components by layer:",
        "Components by status:",
        "Delivery centres (7):",
        "Price books (3):",
        "Rules by kind:",
        "Offerings (",
    ):
        assert heading in outcome.output
    assert "  sap  " in outcome.output
    assert "offerings, 27 assured combinations" in outcome.output


def test_demo_prints_the_summary() -> None:
    outcome = CliRunner().invoke(app, ["demo"])
    assert outcome.exit_code == 0, outcome.output
    assert "is valid" in outcome.output and "Components by family:" in outcome.output
