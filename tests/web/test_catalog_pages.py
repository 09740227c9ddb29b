"""The catalog browser without JavaScript: search and filters (bookmarkable, paged), a
component's page as each role sees it (cost and drafts only for the roles that may), its
documents rendered and sanitised, its history and the diff of two versions."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient

from tests.support.components import new_draft
from tests.support.database import RolledBackDatabase
from tests.web.workspace_steps import WebUser, web_user


def _codes(html: str) -> list[str]:
    return re.findall(r'<th scope="row"><a href="/catalog/components/([^"]+)">', html)


def test_search_and_filters_are_a_bookmarkable_get_form(
    client: TestClient, database: RolledBackDatabase
) -> None:
    sales = web_user(client, database, "sales")
    everything = sales.client.get("/catalog")
    assert everything.status_code == 200
    assert '<a href="/catalog" aria-current="page">Catalog</a>' in everything.text  # the nav
    assert '<form method="get" action="/catalog"' in everything.text
    assert 'href="/catalog/new"' not in everything.text  # not a curator
    assert "83 components · 83 active" in everything.text  # the summary's counts
    assert 'value="backup">backup (5)</option>' in everything.text
    found = sales.client.get("/catalog", params={"q": "linux"})
    assert "CMP-VM-LNX" in _codes(found.text) and "CMP-VM-WIN" not in _codes(found.text)
    assert 'value="linux"' in found.text  # the search is kept in its field
    backup = sales.client.get("/catalog", params={"family": "backup"})
    assert _codes(backup.text) == [
        "BKP-MANAGED", "BKP-SAAS-M365", "BKP-VAULT-DISK", "BKP-VAULT-IMMUTABLE", "BKP-VAULT-OBJECT",
    ]  # fmt: skip
    assert '<option value="backup" selected>' in backup.text
    both = sales.client.get("/catalog", params={"family": "compute", "capability": "compute.linux"})
    assert set(_codes(both.text)) == {"CMP-VM-LNX", "CMP-PHY-LNX", "CMP-PHY-HANA", "CMP-VM-LNX-KVM"}
    layer = sales.client.get("/catalog", params={"layer": "transition", "status": "active"})
    assert len(_codes(layer.text)) == 8
    none = sales.client.get("/catalog", params={"q": "no such thing at all"})
    assert "No component matches this search." in none.text


def test_a_filter_that_cannot_be_used_is_told_next_to_its_field(
    client: TestClient, database: RolledBackDatabase
) -> None:
    sales = web_user(client, database, "sales")
    wrong = sales.client.get("/catalog", params={"layer": "clouds", "status": "draft",
                                                 "q": "x" * 101, "family": "backup"})  # fmt: skip
    assert wrong.status_code == 422
    for name in ("layer", "status", "q"):
        assert f'id="e-{name}"' in wrong.text and f'aria-describedby="e-{name}' in wrong.text
    assert "There is a problem" in wrong.text and "Choose a status from the list." in wrong.text
    assert len(_codes(wrong.text)) == 5  # the rest still filter
    # sales find released versions only: no draft to choose
    assert '<option value="draft"' not in sales.client.get("/catalog").text


def test_the_list_pages_with_a_cursor_keeping_the_filters(
    client: TestClient, database: RolledBackDatabase
) -> None:
    sales = web_user(client, database, "sales")
    first = sales.client.get("/catalog", params={"layer": "infrastructure"})
    shown = _codes(first.text)
    assert len(shown) == 25 and "First page" not in first.text
    later = re.search(r'<a href="([^"]+)" rel="next">Next page</a>', first.text)
    assert later is not None
    url = later.group(1).replace("&amp;", "&")
    assert url.startswith("/catalog?layer=infrastructure&cursor=")
    second = sales.client.get(url)
    rest = _codes(second.text)
    assert len(rest) == 7 and not set(rest) & set(shown) and rest[0] > shown[-1]
    assert 'rel="next"' not in second.text
    assert '<a href="/catalog?layer=infrastructure">First page</a>' in second.text
    assert sales.client.get("/catalog", params={"cursor": "forged"}).status_code == 400


def _linux_draft(database: RolledBackDatabase, **patch: Any) -> dict[str, Any]:
    return new_draft(database, "CMP-VM-LNX", {
        "prices": {"EUR": {"one_time": "300"}},
        "documents": {"specification": "## Managed Linux virtual server\n\n"
                      "<script>alert('owned')</script>\n\nA [link](javascript:alert(1)) "
                      "and **new** text.\n"},
        **patch,
    })  # fmt: skip


def test_the_portfolio_sees_everything_of_a_component(
    client: TestClient, database: RolledBackDatabase
) -> None:
    curator = web_user(client, database, "portfolio")
    page = curator.client.get("/catalog/components/CMP-VM-LNX")
    assert page.status_code == 200
    html = page.text
    assert '<h1>Managed Linux virtual server <span class="code">CMP-VM-LNX</span></h1>' in html
    assert "<dt>Competency</dt><dd>virtualisation</dd>" in html
    assert "<dt>Provides</dt><dd>compute.linux: 1 per server</dd>" in html
    assert "1 to 50: 165.00 EUR" in html and "201 and more: 135.00 EUR" in html  # tiers
    assert "290.00 EUR" in html and "250.00 GBP" in html  # one-time, each book's currency
    assert "99.95\u00a0%" in html and "\u00d7 1.35" in html and "4 hours" in html  # gold
    assert "Cost per unit" in html and "vmware-engineer" in html and "\u00d7 1.25" in html
    # the documents, rendered from Markdown (the specification's own title left out)
    assert "<strong>4 vCPU, 16 GB RAM" in html and "<h3>Provider responsibilities</h3>" in html
    assert "<h3>Provisioning</h3>" in html and "<h3>Service KPIs</h3>" in html
    assert "(OFF-HYBRID-CLOUD): a default component" in html  # what mentions it
    assert "(OFF-SAP-S4-LNX): an optional component" in html
    assert 'action="/catalog/components/CMP-VM-LNX/drafts"' in html
    assert '<input type="hidden" name="from" value="1">' in html  # the draft's source
    assert 'href="/catalog/new"' in curator.client.get("/catalog").text
    assert 'href="/catalog/components/CMP-VM-LNX/versions/1/lifecycle"' in html
    assert "/edit" not in html  # no draft to edit


def test_sales_see_no_cost_no_draft_and_no_curation(
    client: TestClient, database: RolledBackDatabase
) -> None:
    draft = _linux_draft(database)
    sales = web_user(client, database, "sales")
    page = sales.client.get("/catalog/components/CMP-VM-LNX")
    assert page.status_code == 200 and "Version 1" in page.text
    for hidden in ("Cost per unit", "Cost factor", "vmware-engineer", "/drafts", "/lifecycle",
                   "/edit", "Draft"):  # fmt: skip
        assert hidden not in page.text, hidden
    refused = sales.client.get("/catalog/components/CMP-VM-LNX", params={"version": 2})
    assert refused.status_code == 404 and draft["version"] == 2
    assert "has no released version 2" in refused.text
    history = sales.client.get("/catalog/components/CMP-VM-LNX/history")
    assert history.status_code == 200 and "?version=2" not in history.text
    assert "Only one version is released: nothing to compare yet." in history.text
    diff = sales.client.get("/catalog/components/CMP-VM-LNX/diff", params={"from": 1, "to": 2})
    assert diff.status_code == 404


def test_a_drafts_markdown_is_rendered_and_sanitised(
    client: TestClient, database: RolledBackDatabase
) -> None:
    _linux_draft(database)
    curator = web_user(client, database, "portfolio")
    default = curator.client.get("/catalog/components/CMP-VM-LNX")
    assert "Version 1" in default.text  # the active version by default
    assert "The latest version is 2" in default.text
    assert 'href="/catalog/components/CMP-VM-LNX/versions/2/edit">Edit draft' in default.text
    assert 'action="/catalog/components/CMP-VM-LNX/drafts"' not in default.text
    page = curator.client.get("/catalog/components/CMP-VM-LNX", params={"version": 2})
    assert page.status_code == 200 and "<strong>new</strong> text" in page.text
    assert "<script>alert" not in page.text and 'href="javascript:' not in page.text
    assert "<p>&lt;script&gt;alert('owned')&lt;/script&gt;</p>" in page.text  # shown as text
    assert 'href="/catalog/components/CMP-VM-LNX/versions/2/lifecycle"' in page.text


def test_a_delivery_centre_reads_descriptions_of_its_competencies_only(
    client: TestClient, database: RolledBackDatabase
) -> None:
    delivery = web_user(client, database, "delivery")  # CZ-BRN: no collaboration
    own = delivery.client.get("/catalog/components/CMP-VM-LNX")
    assert "<h3>Provisioning</h3>" in own.text and "Cost per unit" not in own.text
    other = delivery.client.get("/catalog/components/COL-M365")
    assert other.status_code == 200 and "<h3>Provisioning</h3>" not in other.text
    assert "not yours to read" in other.text


def test_history_and_the_diff_of_two_versions(
    client: TestClient, database: RolledBackDatabase
) -> None:
    _linux_draft(database)
    curator = web_user(client, database, "portfolio")
    history = curator.client.get("/catalog/components/CMP-VM-LNX/history")
    assert history.status_code == 200
    assert "curator@example.com" in history.text and "(what sales configure)" in history.text
    assert 'href="/catalog/components/CMP-VM-LNX/diff?from=1&amp;to=2"' in history.text
    assert '<option value="1" selected>Version 1</option>' in history.text  # from
    diff = curator.client.get("/catalog/components/CMP-VM-LNX/diff", params={"from": 1, "to": 2})
    assert diff.status_code == 200
    html = diff.text
    assert "<code>prices.EUR.one_time</code></th>" in html
    assert "<td>290.0</td>" in html and "<td>300</td>" in html
    assert "<code>status</code>" in html and "<td>draft</td>" in html
    # the documents' lines: the change said in words, the Markdown shown as text
    assert '<span aria-hidden="true">+ </span>Added' in html
    assert '<span aria-hidden="true">\u2212 </span>Removed' in html
    assert "&lt;script&gt;alert(&#39;owned&#39;)&lt;/script&gt;" in html
    assert "<script>alert" not in html
    assert html.count("<h3") == 3 and "Unchanged." in html
    same = curator.client.get("/catalog/components/CMP-VM-LNX/diff", params={"from": 2, "to": 2})
    assert "Nothing you can see changed" in same.text


def test_unknown_components_and_bad_versions_are_error_pages(
    client: TestClient, database: RolledBackDatabase
) -> None:
    curator = web_user(client, database, "portfolio")
    unknown = curator.client.get("/catalog/components/NO-SUCH-THING")
    assert unknown.status_code == 404 and "no component &#39;NO-SUCH-THING&#39;" in unknown.text
    assert curator.client.get("/catalog/components/NO-SUCH/history").status_code == 404
    assert curator.client.get("/catalog/components/CMP-VM-LNX?version=9").status_code == 404
    for bad in ("abc", "0"):
        answer = curator.client.get(f"/catalog/components/CMP-VM-LNX?version={bad}")
        assert answer.status_code == 422 and "Not a valid address" in answer.text
    assert curator.client.get("/catalog/components/CMP-VM-LNX/diff?from=1").status_code == 422


def test_the_portfolio_start_page_leads_to_its_pages(
    client: TestClient, database: RolledBackDatabase
) -> None:
    curator: WebUser = web_user(client, database, "portfolio")
    home = curator.client.get("/").text
    # (the assurance queue is for catalog.assure, the import and new component pages for
    # catalog.write: their own tiles, app.web.curation's)
    for href in ("/catalog", "/price-books"):
        assert f'<a class="tile" href="{href}">' in home
    assert "until its pages arrive" not in home
