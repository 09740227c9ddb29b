"""The insights pages without JavaScript: who may open them, the GET filter form (kept as
sent, choices from the active catalog, a bad date refused next to its field with 422), the
figures as the service computes them (tables and inlined SVG charts with nothing blocked or
fetched), and each pillar's CSV as the service writes it."""

from __future__ import annotations

import re
from datetime import date
from html import unescape
from urllib.parse import urlencode

import pytest
from fastapi.testclient import TestClient

from app.auth import Principal
from app.insights import Filters, as_csv, delivery, go_to_market, portfolio
from tests.support.database import RolledBackDatabase
from tests.support.insights_fixture import QUERY, make_insights_fixture
from tests.web.test_insights_charts import assert_self_contained
from tests.web.workspace_steps import WebUser, web_user

PILLARS = ("go-to-market", "portfolio", "delivery")
SERVICES = {"go-to-market": go_to_market, "portfolio": portfolio, "delivery": delivery}


def _svgs(html: str) -> list[str]:
    return re.findall(r"<svg\b.*?</svg>", html, re.DOTALL)


def _field(html: str, name: str) -> str:
    """The form's field ``name`` with its error, as marked up."""
    found = re.search(rf'<div class="field[^"]*">\s*<label for="f-{name}">.*?</div>', html,
                      re.DOTALL)  # fmt: skip
    assert found is not None, name
    return found.group(0)


@pytest.mark.parametrize("role", ["sales", "delivery"])
def test_sales_and_delivery_may_not_open_insights(
    client: TestClient, database: RolledBackDatabase, role: str
) -> None:
    person = web_user(client, database, role)
    for path in ("/insights", *(f"/insights/{p}" for p in PILLARS), "/insights/portfolio.csv"):
        answer = person.client.get(path)
        assert answer.status_code == 403, path
        assert "cannot open this page" in answer.text
    assert 'href="/insights"' not in person.client.get("/").text  # no entry, no tile


@pytest.mark.parametrize("role", ["approver", "portfolio", "admin"])
def test_the_roles_that_read_insights_find_them_from_the_start_page(
    client: TestClient, database: RolledBackDatabase, role: str
) -> None:
    person = web_user(client, database, role)
    home = person.client.get("/").text
    assert '<a href="/insights">Insights</a>' in home  # the navigation's entry
    assert 'class="tile" href="/insights"' in home
    overview = person.client.get("/insights")
    assert overview.status_code == 200
    for pillar in PILLARS:
        assert f'href="/insights/{pillar}?since=' in overview.text
    assert "Win rate" in overview.text and "Components never sold" in overview.text


def test_the_filters_are_kept_in_the_form_and_carried_to_the_links(
    client: TestClient, database: RolledBackDatabase
) -> None:
    approver = web_user(client, database, "approver")
    query = "since=2026-01-01&until=2026-03-31&price_book=EUR&family=compute&centre=CZ-BRN"
    page = approver.client.get(f"/insights/go-to-market?{query}")
    assert page.status_code == 200
    html = page.text
    assert 'name="since" type="date" value="2026-01-01"' in html
    assert 'name="until" type="date" value="2026-03-31"' in html
    assert '<option value="EUR" selected>' in html
    assert '<option value="compute" selected>' in html
    assert '<option value="CZ-BRN" selected>' in html
    offering = _field(html, "offering")
    assert '<option value="" selected>All</option>' in offering
    # a choice for each of the catalog's offerings, families, books and centres
    assert offering.count("<option") > 1 and _field(html, "family").count("<option") > 2
    found = re.search(r'href="(/insights/go-to-market\.csv\?[^"]*)"', html)
    assert found is not None
    csv_link = unescape(found.group(1))
    assert csv_link == f"/insights/go-to-market.csv?{query}"
    assert f'href="/insights?{query.replace("&", "&amp;")}"' in html  # back to the overview
    # A code the active catalog does not have: still selected, and said so.
    gone = approver.client.get("/insights/delivery?centre=XX-GONE").text
    assert '<option value="XX-GONE" selected>XX-GONE (not in the active catalog)</option>' in gone


def test_the_default_period_is_filled_in_the_form(
    client: TestClient, database: RolledBackDatabase
) -> None:
    approver = web_user(client, database, "approver")
    html = approver.client.get("/insights/go-to-market").text
    default = Filters.default()
    assert f'name="since" type="date" value="{default.since.isoformat()}"' in html
    assert f'name="until" type="date" value="{default.until.isoformat()}"' in html


@pytest.mark.parametrize("path", ["/insights", "/insights/go-to-market", "/insights/delivery"])
def test_a_bad_date_is_refused_next_to_its_field_and_nothing_is_shown(
    client: TestClient, database: RolledBackDatabase, path: str
) -> None:
    approver = web_user(client, database, "approver")
    answer = approver.client.get(f"{path}?since=2026-02-30&until=2026-03-31&family=compute")
    assert answer.status_code == 422
    since = _field(answer.text, "since")
    assert 'value="2026-02-30"' in since and 'aria-invalid="true"' in since  # kept as sent
    assert 'id="e-since"' in since and "must be a date as YYYY-MM-DD" in since
    assert 'value="2026-03-31"' in _field(answer.text, "until")
    assert 'role="alert"' in answer.text and 'href="#f-since"' in answer.text
    assert "Download CSV" not in answer.text and "<svg" not in answer.text
    bad_code = approver.client.get(f"{path}?family=not+a+code")
    assert bad_code.status_code == 422
    family = _field(bad_code.text, "family")
    assert 'id="e-family"' in family and "must be a catalog code" in family
    assert '<option value="not a code" selected>' in family  # kept, as sent
    empty = approver.client.get(f"{path}?since=2026-04-01&until=2026-03-01")
    assert empty.status_code == 422
    assert "must be on or before until" in _field(empty.text, "since")


def test_an_unknown_pillar_is_not_found(client: TestClient, database: RolledBackDatabase) -> None:
    approver = web_user(client, database, "approver")
    assert approver.client.get("/insights/weather").status_code == 404
    assert approver.client.get("/insights/weather.csv").status_code == 404


def _service_csv(person: WebUser, pillar: str, filters: Filters) -> str:
    principal = Principal(person.email, person.role)  # type: ignore[arg-type]
    with person.database.transaction(write=False) as session:
        return as_csv(SERVICES[pillar](session, principal, filters))


@pytest.mark.parametrize("pillar", PILLARS)
def test_each_pillar_downloads_the_services_csv(
    client: TestClient, database: RolledBackDatabase, pillar: str
) -> None:
    person = web_user(client, database, "portfolio")
    answer = person.client.get(f"/insights/{pillar}.csv?since=2026-01-01&until=2026-06-30")
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "text/csv; charset=utf-8"
    assert answer.headers["content-disposition"] == (
        f'attachment; filename="insights-{pillar}-2026-01-01-2026-06-30.csv"'
    )
    filters = Filters(date(2026, 1, 1), date(2026, 6, 30))
    assert answer.text == _service_csv(person, pillar, filters)
    assert answer.text.startswith("measure,month,dimension,dimension_2,value,unit")
    refused = person.client.get(f"/insights/{pillar}.csv?until=tomorrow")
    assert refused.status_code == 422  # the pillar's form, the message next to its field
    assert "must be a date as YYYY-MM-DD" in _field(refused.text, "until")


def test_the_pages_show_the_services_figures_as_tables_and_self_contained_charts(
    client: TestClient, database: RolledBackDatabase
) -> None:
    make_insights_fixture(database)
    person = web_user(client, database, "approver")
    query = urlencode(QUERY)
    market = person.client.get(f"/insights/go-to-market?{query}").text
    # the fixture's hand-computed figures, as the page formats them
    for shown in ("66.67 %", "15,000.00 EUR", "6,000.00 GBP", "1.94 days", "4.00 days",
                  "12.50 days", "15.00 days", "10.00 %", "Win rate (2 of 3 decided)"):  # fmt: skip
        assert shown in market, shown
    portfolio_page = person.client.get(f"/insights/portfolio?{query}").text
    for shown in ("80.00 %", "33.33 %", "drop residency EU", "compute.linux",
                  'href="/catalog/components/BKP-MANAGED"'):  # fmt: skip
        assert shown in portfolio_page, shown
    # the long list of components never sold: behind a summary, every one still in the table
    assert re.search(r'<details class="folded"><summary>The \d+ components</summary>',
                     portfolio_page)  # fmt: skip
    assert (
        'href="/catalog/components/CMP-VM-LNX"'
        not in portfolio_page.split("never-sold")[1].split("</details>")[0]
    )
    delivery_page = person.client.get(f"/insights/delivery?{query}").text
    for shown in ("720.0 h", "36,000.0 h", "2.00 %", "0.70 %", "premium", "99.950 %"):
        assert shown in delivery_page, shown
    for html, expected in ((market, 2), (portfolio_page, 4), (delivery_page, 3)):
        svgs = _svgs(html)
        assert len(svgs) == expected
        for svg in svgs:
            assert_self_contained(svg)
        assert html.count('<figure class="chart"') == expected  # each with its caption
    # The stacked chart draws the statuses the table lists, in their order.
    status_svg = _svgs(market)[0]
    assert 'aria-label="Proposals created per month, by status"' in status_svg
    assert all(status in status_svg for status in ("accepted", "expired", "rejected", "draft"))
    overview = person.client.get(f"/insights?{query}").text
    for shown in ("66.67 %", "1.94 days", "80.00 % (EUR); 100.00 % (GBP)",
                  "2.00 % (CZ-BRN · virtualisation, 2026-01)", "99.9 %: 1 of 1"):  # fmt: skip
        assert shown in overview, shown
    assert "<svg" not in overview  # headlines only: the charts are on the pillars' pages
