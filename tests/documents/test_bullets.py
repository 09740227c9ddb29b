"""Bullets written into the printed text: the plain items of an outermost bulleted list
begin with one and are marked as written; every other item keeps its CSS marker."""

from __future__ import annotations

from app.documents.bullets import WRITTEN, with_written_bullets
from app.documents.markdown import to_html


def test_the_plain_items_of_an_outermost_bulleted_list_begin_with_a_bullet() -> None:
    html = "<p>Scope</p><ul><li>one</li>\n<li><strong>two</strong> and <code>3</code></li></ul>"
    assert with_written_bullets(html) == (
        f"<p>Scope</p><ul>{WRITTEN}one</li>\n"
        f"{WRITTEN}<strong>two</strong> and <code>3</code></li></ul>"
    )


def test_a_loose_item_of_paragraphs_is_plain() -> None:
    html = str(to_html("- first\n\n  second paragraph\n- next"))
    assert with_written_bullets(html).count(WRITTEN) == 2


def test_numbered_and_nested_lists_keep_their_css_markers() -> None:
    html = (
        "<ol><li>first<ul><li>inside a numbered list</li></ul></li></ol>"
        '<nav><ol><li class="sub"><a href="#x">Contents entry</a></li></ol></nav>'
        "<ul><li>outer again</li></ul>"
    )
    assert with_written_bullets(html) == html.replace("<li>outer", f"{WRITTEN}outer")


def test_an_item_holding_another_block_keeps_its_css_marker() -> None:
    # Text after a block inside an item would inherit the written item's hanging indent.
    html = str(to_html("- a\n  ```\n  code\n  ```\n  after the block\n- b\n  - nested\n- plain"))
    written = with_written_bullets(html)
    assert written.count(WRITTEN) == 1
    assert f"{WRITTEN}plain" in written


def test_a_tag_inside_a_quoted_attribute_does_not_count() -> None:
    html = (
        '<ul><li><a href="https://a.example" title="<ol>">x</a> first</li></ul>'
        "<ul><li>later</li></ul><ul><li><a title='</ul>'>y</a><ul><li>nested</li></ul></li></ul>"
    )
    written = with_written_bullets(html)
    assert f"{WRITTEN}<a href" in written
    assert f"{WRITTEN}later" in written
    assert "<li>nested" in written  # still nested: the quoted "</ul>" closed nothing


def test_escaped_text_that_looks_like_a_list_is_left_alone() -> None:
    html = '<link rel="x"><p>&lt;ul&gt;&lt;li&gt;not a list</p><ul><li>real</li></ul>'
    assert with_written_bullets(html) == html.replace("<li>real", f"{WRITTEN}real")
