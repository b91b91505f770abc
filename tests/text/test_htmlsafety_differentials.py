"""The HTML check sees what a browser runs where html.parser reads the page differently (rev1's pass).

html.parser and a browser's HTML parser disagree on a few constructs; each disagreement hid live
markup from the check (``htmlsafety.find_unsafe``: the build's second net and the site test):

* comments a browser ends early: ``<!-->`` (an empty comment) and ``--!>``;
* elements a browser reads as raw text up to their end tag (``xmp``, ``noembed``, ``noframes``,
  ``noscript``, ``textarea``, ``title``), whose end tag hides inside an attribute for html.parser;
* a ``<style>`` never closed: html.parser never handed its text over, a browser inside SVG or MathML
  reads it as markup.

Each is now a finding; the theme's own comments and pages stay clean.
"""

from __future__ import annotations

import pytest

from mlq_catalog.text.htmlsafety import find_unsafe

HIDDEN = {
    "empty comment": "<p>Text <!--><img src=x onerror=alert(1)>--> more</p>",
    "empty comment, three dashes": "<!---><img src=x onerror=alert(1)>-->",
    "comment ended by --!>": "<!-- a --!><img src=x onerror=alert(1)>-->",
    "noscript": '<noscript><p title="</noscript><img src=x onerror=alert(1)>"></noscript>',
    "xmp": '<xmp><p title="</xmp><img src=x onerror=alert(1)>"></xmp>',
    "noembed": '<noembed><p title="</noembed><img src=x onerror=alert(1)>"></noembed>',
    "noframes": '<noframes><p title="</noframes><img src=x onerror=alert(1)>"></noframes>',
    "textarea": '<textarea><p title="</textarea><img src=x onerror=alert(1)>"></textarea>',
    "title": '<title><p title="</title><img src=x onerror=alert(1)>"></title>',
    "unclosed style in MathML": "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "unclosed style in SVG": "<svg><style><img src=x onerror=alert(1)>",
}


@pytest.mark.parametrize("html", HIDDEN.values(), ids=HIDDEN.keys())
def test_markup_a_browser_runs_is_found_where_html_parser_reads_otherwise(html: str) -> None:
    assert find_unsafe(html)


HARMLESS = [
    "<!--! Font Awesome Free 7.1.0 by @fontawesome - https://fontawesome.com License - x -->",
    "<p>a <!-- plain comment --> b</p>",
    "<title>Noisy labels &lt;script&gt; - ML Quality Issues Catalog</title>",
    "<noscript>Turn on JavaScript to search.</noscript>",
    "<style>.md-typeset h1 { color: red }</style>",
]


@pytest.mark.parametrize("html", HARMLESS)
def test_comments_and_raw_text_without_markup_are_clean(html: str) -> None:
    assert find_unsafe(html) == []
