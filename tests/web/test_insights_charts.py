"""The insights charts as the pages inline them: SVG that parses as XML, one labelled image
(role img, its title as the accessible name, escaped), nothing the self-only content
security policy would block or fetch (no script, no style, no external reference)."""

from __future__ import annotations

from decimal import Decimal
from xml.etree import ElementTree

from app.web.insights import charts

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
    rows = [("B1", "target", Decimal("99.9")), ("B1", "reached", Decimal("99.95"))]
    paired = charts.paired(
        "Availability", rows, measure="%", series="Availability", order=["target", "reached"]
    )
    texts = [e.text for e in assert_self_contained(paired.svg).iter(f"{SVG}text")]
    assert "B1" in texts and "target" in texts and "reached" in texts


def test_no_figures_still_draw_an_empty_chart() -> None:
    assert_self_contained(charts.bars("Nothing sold", [], measure="EUR").svg)
