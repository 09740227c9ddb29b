"""The insights charts as the pages inline them: SVG that parses as XML, one labelled image
(role img, its title as the accessible name, escaped), nothing the self-only content
security policy would block or fetch (no script, no style, no external reference)."""

from __future__ import annotations

from decimal import Decimal
from xml.etree import ElementTree

import pytest

from app.insights import Portfolio
from app.web.insights import charts, views

SVG = "{http://www.w3.org/2000/svg}"
XLINK = "{http://www.w3.org/1999/xlink}"


def assert_self_contained(svg: str) -> ElementTree.Element:
    """The checks every inlined chart passes (the pages' tests use them too)."""
    root = ElementTree.fromstring(svg)
    assert root.tag == f"{SVG}svg" and root.get("role") == "img" and root.get("aria-label")
    for element in root.iter():
        # one image: no role or name inside it (axe counts a graphics role as an image)
        if element is not root:
            assert "role" not in element.attrib and "aria-roledescription" not in element.attrib
        assert element.tag not in (f"{SVG}script", f"{SVG}style", f"{SVG}foreignObject")
        assert "style" not in element.attrib  # blocked by style-src 'self' when inline
        assert not any(name.startswith("on") for name in element.attrib)
        for name in ("href", f"{XLINK}href", "src"):
            assert element.get(name) is None or element.get(name, "").startswith("#")
        assert "url(" not in " ".join(element.attrib.values()).replace("url(#", "")
    return root


def test_bars_draw_one_labelled_image_with_nothing_blocked_or_fetched() -> None:
    chart = charts.bars(
        "Margin by family <& co>", [("Compute", Decimal("1234.50")), ("Storage", 3)],
        measure="EUR",
    )  # fmt: skip
    root = assert_self_contained(chart.svg)
    assert root.get("aria-label") == "Margin by family <& co>"  # escaped in, read back out
    texts = [element.text for element in root.iter(f"{SVG}text")]
    assert "Compute" in texts and "Storage" in texts and "EUR" in texts


def test_stacked_and_paired_charts_name_their_series_in_the_given_order() -> None:
    order = ["draft", "submitted", "accepted"]
    rows = [("2026-01", "accepted", 2), ("2026-01", "draft", 1), ("2026-02", "submitted", 4)]
    stacked = charts.stacked("By status", rows, period="Month", measure="Proposals",
                             series="Status", order=order)  # fmt: skip
    texts = [e.text for e in assert_self_contained(stacked.svg).iter(f"{SVG}text")]
    assert [t for t in texts if t in order] == order  # the legend, in the statuses' order
    assert "2026-01" in texts and "2026-02" in texts
    ticks = [t for t in texts if t and t[0].isdigit() and not t.startswith("2026")]
    assert ticks == ["0", "1", "2", "3", "4"]  # counts in whole numbers, up to the tallest
    rows = [("B1", "target", Decimal("99.9")), ("B1", "reached", Decimal("99.95"))]
    paired = charts.paired(
        "Availability", rows, measure="%", series="Availability", order=["target", "reached"]
    )
    texts = [e.text for e in assert_self_contained(paired.svg).iter(f"{SVG}text")]
    assert "B1" in texts and "target" in texts and "reached" in texts


def test_no_figures_still_draw_an_empty_chart() -> None:
    assert_self_contained(charts.bars("Nothing sold", [], measure="EUR").svg)


def test_the_same_figures_are_drawn_once(monkeypatch: pytest.MonkeyPatch) -> None:
    drawn: list[str] = []
    draw = charts.vl_convert.vegalite_to_svg

    def counted(spec: str) -> str:
        drawn.append(spec)
        return str(draw(spec))

    monkeypatch.setattr(charts.vl_convert, "vegalite_to_svg", counted)
    rows = [("Drawn once", Decimal("7.25")), ("Network", Decimal("1"))]
    first = charts.bars("Margin", rows, measure="EUR")
    again = charts.bars("Margin", rows, measure="EUR")
    assert first == again and len([s for s in drawn if "Drawn once" in s]) == 1
    other = charts.bars("Margin", [("Drawn once", Decimal("7.26"))], measure="EUR")
    assert other != first and len([s for s in drawn if "Drawn once" in s]) == 2
    # the title is the page's: the same figures under another title are not drawn again
    renamed = charts.bars("Margin again", rows, measure="EUR")
    assert renamed.title == "Margin again" and 'aria-label="Margin again"' in renamed.svg
    assert len([s for s in drawn if "Drawn once" in s]) == 2


def test_a_bar_chart_shows_the_twelve_largest_and_the_table_lists_them_all() -> None:
    groups = [
        {"key": f"family-{i:02d}", "currency": "EUR", "contract_value": "100.00",
         "margin": f"{i}.00", "margin_percent": None}
        for i in range(20)
    ]  # fmt: skip
    answer = Portfolio.model_validate({
        "filters": {"since": "2026-01-01", "until": "2026-03-31", "price_book": None,
                    "offering": None, "family": None, "centre": None},
        "standard_share": [], "margin_by_family": groups, "margin_by_offering": [],
        "never_sold": [], "approval_components": [], "conflicts": [], "repairs": [],
    })  # fmt: skip
    section = next(s for s in views.portfolio_view(answer).sections if s.id == "family")
    assert section.chart is not None
    assert section.chart.title == "Gross margin by family (the 12 largest)"
    texts = [e.text for e in assert_self_contained(section.chart.svg).iter(f"{SVG}text")]
    drawn = [t for t in texts if t and t.startswith("family-")]
    assert drawn == [f"family-{i:02d} (EUR)" for i in range(8, 20)]  # in the answer's order
    assert len(section.tables[0].rows) == 20
