"""Charts drawn on the server as SVG: a Vega-Lite specification (the grammar of graphics
the team reads) rendered by vl-convert (Vega's own renderer, embedded: no browser, no
Node, nothing fetched). Its SVG carries presentation attributes only (no ``<style>``, no
``style=``, no script, no external reference), so it is inlined into the page under the
self-only content security policy. Each chart is a picture of figures the page also shows
as a table: the table is the text alternative, and the exact figures (Decimal) are the
table's; the bars' lengths are floats, as a drawing needs."""

from __future__ import annotations

import functools
import json
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import vl_convert
from markupsafe import Markup, escape

Number = int | Decimal | float
# Colours distinguishable by people with the common colour-vision deficiencies (Okabe-Ito).
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]
WIDTH = 560
CONFIG: dict[str, Any] = {
    # marks and guides aria-hidden: the svg is one image with a label, its table says the rest
    "aria": False,
    # The generic family measures fastest (a named or listed one costs 1.3-2x the whole
    # drawing); a browser's sans-serif may be a few per cent wider than the one measured
    # (Chromium's DejaVu Sans): the padding and the legend's column gap leave it room.
    "font": "sans-serif",
    "padding": 12,
    "background": "#ffffff",
    "view": {"stroke": None},
    "range": {"category": PALETTE},
    "axis": {"labelFontSize": 12, "titleFontSize": 12, "labelColor": "#1f2933"},
    "legend": {"labelFontSize": 12, "titleFontSize": 12, "orient": "bottom", "columnPadding": 20},
}
_ROOT = re.compile(r"<svg\b([^>]*)>")
# Vega marks its scenegraph's groups as graphics objects and symbols even with ``aria``
# off: inside one labelled image they would be images without a name (axe: svg-img-alt).
_INNER_ROLES = re.compile(r'\s(?:role="graphics-[a-z]+"|aria-roledescription="[^"]*")')


@dataclass(frozen=True, slots=True)
class Chart:
    """A chart ready for a template: its title (the figure's caption and the image's
    accessible name) and its SVG markup."""

    title: str
    svg: Markup


def _drawn(value: Number) -> float:
    return float(value)


def _axis(values: Sequence[Number], top: Number) -> dict[str, Any]:
    """Counts are ticked in whole numbers (no "0.5 proposals"): below five, one tick each
    (Vega's tickMinStep is not honoured by this renderer)."""
    whole = all(isinstance(v, int) or (isinstance(v, Decimal) and v == v.to_integral_value())
                for v in values)  # fmt: skip
    if not whole or not values:
        return {}
    return {"format": "d", **({"tickCount": max(int(top), 1)} if top < 5 else {})}


@functools.lru_cache(maxsize=256)
def _drawing(spec: str) -> str:
    """The SVG of a specification, by its text: the same figures draw the same picture, so
    a page shown again with unchanged figures draws nothing (a chart costs ~10-20 ms)."""
    return _INNER_ROLES.sub("", vl_convert.vegalite_to_svg(spec))


@functools.cache
def warm_up() -> None:
    """Starts the renderer (its first drawing takes ~0.4 s) in the background, once per
    process, so the first page shown does not wait for it. Called when an app starts
    serving, not on import: a CLI command never pays for it."""
    threading.Thread(target=bars, args=("", [("", 1)]), kwargs={"measure": ""},
                     daemon=True, name="chart-warm-up").start()  # fmt: skip


def _render(title: str, spec: dict[str, Any]) -> Chart:
    text = json.dumps({"config": CONFIG, "width": WIDTH, **spec}, sort_keys=True)
    svg = _drawing(text)
    # The root becomes one labelled image (its marks are aria-hidden), scaled by the page's CSS.
    label = f' role="img" aria-label="{escape(title)}" focusable="false"'
    root = _ROOT.search(svg)
    if root is None:  # pragma: no cover - vl-convert always answers an <svg> document
        raise ValueError("vl-convert answered no <svg> element")
    attributes = root.group(1).replace('class="marks"', 'class="chart-svg"')
    svg = svg[: root.start()] + f"<svg{attributes}{label}>" + svg[root.end() :]
    # The library's own markup: it escapes the labels it draws (the test reads them back).
    return Chart(title, Markup(svg))


def bars(title: str, rows: Sequence[tuple[str, Number]], *, measure: str) -> Chart:
    """One horizontal bar per category (a family, an offering, a centre), in the given order."""
    values = [{"category": label, "value": _drawn(value)} for label, value in rows]
    spec = {
        "data": {"values": values},
        "mark": {"type": "bar", "color": PALETTE[0]},
        "height": {"step": 22},
        "encoding": {
            "y": {"field": "category", "type": "nominal", "sort": None, "title": None},
            "x": {"field": "value", "type": "quantitative", "title": measure,
                  "axis": _axis([v for _, v in rows], max((v for _, v in rows), default=0))},
        },
    }  # fmt: skip
    return _render(title, spec)


def _totals(rows: Sequence[tuple[str, str, Number]]) -> list[Number]:
    """Each column's height: its series summed (for the axis' ticks only)."""
    heights: dict[str, float] = {}
    for period, _, value in rows:
        heights[period] = heights.get(period, 0.0) + float(value)
    return list(heights.values())


def stacked(
    title: str,
    rows: Sequence[tuple[str, str, Number]],
    *,
    period: str,
    measure: str,
    series: str,
    order: Sequence[str] | None = None,
) -> Chart:
    """Columns over time (``period``), each stacked by ``series`` (a proposal's status, say):
    rows are (period, series, value)."""
    values = [{"period": p, "series": s, "value": _drawn(v)} for p, s, v in rows]
    colour: dict[str, Any] = {"field": "series", "type": "nominal", "title": series}
    if order is not None:
        colour["scale"] = {"domain": list(order)}
        colour["sort"] = list(order)
    spec = {
        "data": {"values": values},
        "mark": "bar",
        "height": 220,
        "encoding": {
            "x": {
                "field": "period",
                "type": "ordinal",
                "title": period,
                "sort": None,
                "axis": {"labelAngle": 0},
            },
            "y": {
                "field": "value",
                "type": "quantitative",
                "title": measure,
                "stack": True,
                "axis": _axis([v for _, _, v in rows], max(_totals(rows), default=0)),
            },
            "color": colour,
        },
    }
    return _render(title, spec)


def paired(
    title: str,
    rows: Sequence[tuple[str, str, Number]],
    *,
    measure: str,
    series: str,
    order: Sequence[str],
    zero: bool = True,
) -> Chart:
    """Side-by-side bars per category, one per series (target vs reached, given vs
    guardrail): rows are (category, series, value). ``zero=False``: the axis starts near the
    smallest value (availabilities of 99.9 and 99.95 % are told apart), each figure a dot."""
    values = [{"category": c, "series": s, "value": _drawn(v)} for c, s, v in rows]
    spec = {
        "data": {"values": values},
        # without a zero baseline a bar's length means nothing: dots then
        "mark": "bar" if zero else {"type": "point", "filled": True, "size": 140},
        "height": {"step": 14},
        "encoding": {
            "y": {"field": "category", "type": "nominal", "sort": None, "title": None},
            "yOffset": {"field": "series", "type": "nominal", "sort": list(order)},
            "x": {
                "field": "value",
                "type": "quantitative",
                "title": measure,
                "scale": {"zero": zero},
            },
            "color": {
                "field": "series",
                "type": "nominal",
                "title": series,
                "scale": {"domain": list(order)},
            },
        },
    }
    return _render(title, spec)
