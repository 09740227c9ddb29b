"""What the catalog pages show, from representations: pure, no database."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from app.portfolio.catalog.store import component_document
from app.web.catalog import views
from catalog import CatalogSnapshot


@pytest.fixture
def backup(default_snapshot: CatalogSnapshot) -> dict[str, Any]:
    return {**component_document(default_snapshot.component("BKP-MANAGED")), "status": "active"}


def test_filters_read_from_the_address_and_what_cannot_be_used() -> None:
    filters, errors = views.read_filters(
        {"q": " linux ", "layer": "platform", "status": "active"}, ["active", "retired"]
    )
    assert (filters.q, filters.layer, filters.status, errors) == ("linux", "platform", "active", {})
    assert views.query(filters) == "q=linux&layer=platform&status=active"
    assert views.query(filters, "abc") == "q=linux&layer=platform&status=active&cursor=abc"
    assert filters.for_service() == {"q": "linux", "family": None, "layer": "platform",
                                     "status": "active", "capability": None}  # fmt: skip
    wrong, errors = views.read_filters(
        {"q": "x" * 101, "layer": "sky", "status": "draft", "family": "backup"}, ["active"]
    )
    assert set(errors) == {"q", "layer", "status"}
    assert (wrong.q, wrong.layer, wrong.status, wrong.family) == ("", "", "", "backup")
    assert views.query(views.Filters()) == "" and not views.Filters().any


def test_only_released_statuses_without_read_unreleased() -> None:
    assert list(views.statuses_for(False)) == ["active", "retired"]
    assert list(views.statuses_for(True)) == ["draft", "in_review", "assured", "active", "retired"]


def test_options_carry_their_counts() -> None:
    counts = {"by_family": {"backup": 5}, "by_layer": {"platform": 2}, "by_status": {"active": 7}}
    shown = views.options(counts, {"active": "Active"}, ["compute.linux"])
    assert shown["family"] == [("backup", "backup (5)")]
    assert ("platform", "platform (2)") in shown["layer"]
    assert ("transition", "transition (0)") in shown["layer"]
    assert shown["status"] == [("active", "Active (7)")]
    assert shown["capability"] == [("compute.linux", "compute.linux")]


def test_prices_per_book_with_tiers_in_the_books_currency(
    backup: dict[str, Any], default_snapshot: CatalogSnapshot
) -> None:
    books = {book.code: book for book in default_snapshot.price_books}
    rows = views.price_rows(backup["prices"], books)
    assert [(row.book, row.currency) for row in rows] == [("EUR", "EUR"), ("GBP", "GBP"),
                                                          ("USD", "USD")]  # fmt: skip
    eur = rows[0]
    assert eur.monthly is None and eur.one_time == Decimal("195.0")
    assert [(band.label, band.monthly) for band in eur.bands] == [
        ("1 to 50", Decimal("95.0")), ("51 to 200", Decimal("88.0")),
        ("201 and more", Decimal("82.0")),
    ]  # fmt: skip
    assert eur.tier_style is not None and eur.tier_style.startswith("Tiered")
    flat = views.price_rows({"XX": {"monthly": "10", "one_time": None}}, {})
    assert flat[0].monthly == Decimal("10") and flat[0].bands == () and flat[0].tier_style is None


def test_service_levels_and_cost_as_each_role_sees_them(backup: dict[str, Any]) -> None:
    levels = views.level_rows(backup["service_levels"])
    assert [(lv.name, lv.availability, lv.response, lv.restore) for lv in levels][-1] == (
        "gold", "—", "30 minutes", "4 hours",
    )  # fmt: skip
    assert levels[-1].price_factor == Decimal("1.35") and levels[-1].cost_factor == Decimal("1.25")
    cost = views.cost_of(backup)
    assert cost is not None
    assert [(row.skill, row.monthly, row.one_time) for row in cost.effort] == [
        ("backup-engineer", Decimal("0.35"), Decimal("1.5"))
    ]
    assert cost.non_labour is not None and cost.non_labour["currency"] == "EUR"
    seen_by_sales = {key: value for key, value in backup.items()
                     if key not in ("effort", "non_labour_cost")}  # fmt: skip
    seen_by_sales["service_levels"] = [
        {k: v for k, v in level.items() if k != "cost_factor"} for level in backup["service_levels"]
    ]
    assert views.cost_of(seen_by_sales) is None
    assert views.level_rows(seen_by_sales["service_levels"])[0].cost_factor is None


def test_facts_read_as_sentences(backup: dict[str, Any]) -> None:
    facts = {fact.label: fact.value for fact in views.facts(backup)}
    assert facts["Quantity"] == "1 to 10000, in steps of 1"
    assert facts["Requires"] == "backup.capacity: 1.2 per TB"
    assert facts["Attributes"] == "—" and facts["Availability chain"] == "no"
    assert facts["Charges"] == "monthly, one-time"


def test_documents_are_safe_html(backup: dict[str, Any]) -> None:
    shown = views.documents(backup)
    assert "<strong>per TB of protected front-end data</strong>" in shown.specification
    assert "Managed backup</h" not in shown.specification  # its own title left out
    assert shown.statement_of_work[0].title == "Provider responsibilities"
    assert shown.delivery is not None and shown.delivery[0].numbered
    hostile = {**backup, "documents": {**backup["documents"],
               "specification": "<img src=x onerror=alert(1)> *hi*"}}  # fmt: skip
    del hostile["documents"]["delivery_description"]
    unsafe = views.documents(hostile)
    assert "<img" not in unsafe.specification and "<em>hi</em>" in unsafe.specification
    assert unsafe.delivery is None


def test_versions_newest_first_and_the_pair_to_compare() -> None:
    history = {"active_version": 1, "versions": [
        {"version": 1, "status": "active", "author": "a", "created_at": "2026-01-02T03:04:05+00:00",
         "updated_at": "2026-01-02T03:04:05+00:00"},
        {"version": 2, "status": "draft", "author": "b", "created_at": "2026-02-02T03:04:05",
         "updated_at": "2026-02-03T10:11:12"},
    ]}  # fmt: skip
    rows = views.version_rows(history)
    assert [(row.version, row.status_label, row.active) for row in rows] == [
        (2, "Draft", False), (1, "Active", True),
    ]  # fmt: skip
    assert rows[0].updated == "2026-02-03 10:11 UTC"
    assert views.default_pair(history) == (1, 2)
    assert views.default_pair({"versions": history["versions"][:1]}) == (1, 1)
