"""Bullets written into the printed text: the items of an outermost bulleted list begin
with one, and nothing else changes (numbered and nested lists keep their CSS markers)."""

from __future__ import annotations

from app.documents.bullets import BULLET, with_written_bullets


def test_the_items_of_an_outermost_bulleted_list_begin_with_a_bullet() -> None:
    html = "<p>Scope</p><ul><li>one</li>\n<li><strong>two</strong> and more</li></ul>"
    assert with_written_bullets(html) == (
        f"<p>Scope</p><ul><li>{BULLET}one</li>\n<li>{BULLET}<strong>two</strong> and more</li></ul>"
    )


def test_numbered_and_nested_lists_keep_their_css_markers() -> None:
    html = (
        "<ol><li>first<ul><li>inside a numbered list</li></ul></li></ol>"
        "<ul><li>outer<ul><li>nested</li></ul></li><li>outer again</li></ul>"
        '<nav><ol><li class="sub"><a href="#x">Contents entry</a></li></ol></nav>'
    )
    assert with_written_bullets(html) == html.replace("<li>outer", f"<li>{BULLET}outer")


def test_text_that_only_looks_like_a_list_tag_is_left_alone() -> None:
    # Catalog text is escaped before it reaches the printed HTML, and <link> is no <li>.
    html = '<link rel="x"><p>&lt;ul&gt;&lt;li&gt;not a list</p><ul><li>real</li></ul>'
    assert with_written_bullets(html) == html.replace("<li>real", f"<li>{BULLET}real")
