"""The edit form's pure parts: every component of the default catalog reads back from its
form unchanged (documents through their Markdown included), the Markdown's problems by
line, and the service's problem paths placed next to the form's fields."""

from __future__ import annotations

import pytest

from app.kit.errors import FieldProblem
from app.portfolio import DELIVERY_SECTIONS, SOW_SECTIONS, from_markdown
from app.portfolio.catalog.store import component_document
from app.web.curation.views import body_of, editable, form_of, merge_patch, place
from catalog import Component, load_default_catalog

COMPONENTS = load_default_catalog().components


@pytest.mark.parametrize("component", COMPONENTS, ids=lambda component: component.code)
def test_every_default_component_reads_back_from_its_form_unchanged(component: Component) -> None:
    content = component_document(component)
    built = body_of(form_of(content))
    assert built.errors == {}
    again = Component.model_validate({**built.body, "code": component.code,
                                      "version": component.version, "status": component.status,
                                      "author": component.author})  # fmt: skip
    assert again == component
    assert merge_patch(editable(content), editable(component_document(again))) == {}


def test_the_markdown_s_problems_name_their_lines() -> None:
    text = "Intro\n## Deliverables\n- one\nnot an item\n## Wishes\n- x\n## Deliverables\n"
    parsed = from_markdown(text, SOW_SECTIONS)
    assert parsed.problems[:4] == (
        "line 1: text before the first heading",
        "line 4: write each entry as a list item (“- …”)",
        "line 5: unknown heading “Wishes”; use “Provider responsibilities”, “Client "
        "responsibilities”, “Deliverables”, “Assumptions”, “Exclusions”",
        "line 7: the heading “Deliverables” comes twice",
    )
    assert "the heading “## Exclusions” is missing" in parsed.problems
    kpis = from_markdown("## KPIs\n| KPI | Target | Measurement |\n| --- | --- | --- |\n"
                         "| Uptime | 99.9 \\| 99.95 % | monthly |\n| only | two |\n",
                         DELIVERY_SECTIONS)  # fmt: skip
    assert kpis.value["kpis"] == [
        {"name": "Uptime", "target": "99.9 | 99.95 %", "measurement": "monthly"}
    ]
    assert "line 5: a KPI row has 3 cells (name, target, measurement), not 2" in kpis.problems


def test_problem_paths_are_placed_next_to_their_fields() -> None:
    form = form_of(component_document(next(c for c in COMPONENTS if c.code == "BKP-MANAGED")))
    problems = [
        FieldProblem("prices.EUR.tiers.bands[1].up_to", "tiers must increase"),
        FieldProblem("service_levels[2].price_factor", "too big"),
        FieldProblem("requires.backup.capacity", "unknown capability 'backup.capacity'",
                     "components/BKP-MANAGED"),
        FieldProblem("documents.statement_of_work.deliverables[0]", "too short"),
        FieldProblem("effort.monthly.backup-engineer", "negative"),
        FieldProblem("rules[3].when", "broken", "rules/R-1"),
        FieldProblem("quantity", "min (5) is greater than max (2)"),
    ]  # fmt: skip
    placed = place(problems, form, "BKP-MANAGED")
    assert placed.errors == {
        "prices-0-bands": "band 2, up to: tiers must increase",
        "levels-2-price_factor": "too big",
        "requires-0-key": "unknown capability 'backup.capacity'",
        "doc_statement_of_work": "deliverables[0]: too short",
        "effort_monthly-0-hours": "negative",
        "quantity_min": "min (5) is greater than max (2)",
    }
    assert placed.general == ["rules/R-1: rules[3].when: broken"]
