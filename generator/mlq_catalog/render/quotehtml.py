"""Quote HTML kept out of Python-Markdown: a placeholder in the page, the HTML beside it, swapped in after.

A quote is a raw HTML block (``quoteblock.quote_html``). Python-Markdown handles raw HTML
slowly: its block preprocessor runs an ``HTMLParser`` over every block, MkDocs runs a
second one to collect anchor ids, and the postprocessor stashes and restores each block.
At 2,000 transcripts that was about two thirds of the MkDocs build (issue 7). So a page
carries one short placeholder paragraph per run of quotes, ``MLQQUOTES-<n>`` (or
``MLQQUOTES-<first>-<last>``) on its own line, which Markdown turns into
``<p>MLQQUOTES-n</p>``; the quote blocks of page
``issues/x.md`` are written beside it, in order, as ``issues/x.quotes.html`` (through
``writer.sync_pages``, like the pages: unchanged files keep their mtime); and the
plugin's ``on_page_content`` hook puts each block where its placeholder is. The
published HTML is the same as when the blocks were in the Markdown.

The search plugin then parses each page's content with ``HTMLParser`` too, only to skip
what carries ``data-search-exclude``: the copies of a quote whose search home is another
page (paging.py) and every caption. So ``on_page_content`` leaves a comment,
``<!--MLQQUOTES-n-->``, in their place, and ``on_post_page`` puts them into the finished
page (:func:`finish`). The search index is byte-for-byte the same.

Why no transcript text can be taken for a placeholder: quote text is never in the
Markdown (it is in the side file), and replacement is one pass over the HTML that
Markdown produced, so injected HTML is never searched for placeholders. A page whose
own Markdown happens to contain ``MLQQUOTES`` (say, a YAML description) gets its quotes
inline instead (:func:`usable`), as before this module existed.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

TOKEN_PREFIX = "MLQQUOTES-"
SIDE_SUFFIX = ".quotes.html"
"""``issues/x.md`` -> ``issues/x.quotes.html``. Not ``.md``: the plugin publishes only ``.md`` pages."""

_SEPARATOR = "<!-- mlq-quote {} -->"
_SEPARATOR_RE = re.compile(r"^<!-- mlq-quote (\d+) -->\n", re.MULTILINE)
_PLACEHOLDER_RE = re.compile(r"<p>" + re.escape(TOKEN_PREFIX) + r"(\d+)(?:-(\d+))?</p>")
_RUN_RE = re.compile(re.escape(TOKEN_PREFIX) + r"(\d+)((?:\n\n" + re.escape(TOKEN_PREFIX) + r"\d+)*)")
_MD_PLACEHOLDER_RE = re.compile(r"^" + re.escape(TOKEN_PREFIX) + r"(\d+)(?:-(\d+))?$", re.MULTILINE)
_ID_RE = re.compile(r'<figure class="mlq-quote" id="([^"]*)"')
_EXCLUDED_RE = re.compile(r'<figure class="mlq-quote" id="[^"]*" data-search-exclude markdown="0">')
"""The opening tag ``quoteblock.quote_html`` writes for a copy that search must skip."""
_CAPTION_RE = re.compile(r"^<figcaption data-search-exclude>.*</figcaption>$", re.MULTILINE)
"""The caption line of a block: who said it and the codes, always excluded from search."""
_DEFERRED = "<!--" + TOKEN_PREFIX + "{}-->"
_DEFERRED_RE = re.compile(r"<!--" + re.escape(TOKEN_PREFIX) + r"(\d+)-->")


class PlaceholderMismatch(ValueError):
    """The page's placeholders and its side file disagree (a stale file, or a template that indents a quote)."""


def token(number: int) -> str:
    """The placeholder paragraph of the ``number``-th quote block of a page (from 1)."""
    return f"{TOKEN_PREFIX}{number}"


def side_path(page_path: str) -> str:
    """Where the quote blocks of generated page ``page_path`` (``issues/x.md``) are stored."""
    stem = page_path[:-3] if page_path.endswith(".md") else page_path
    return stem + SIDE_SUFFIX


def is_side_file(path: str) -> bool:
    """Whether a generated file is the quote side file of a page (never published as a page)."""
    return path.endswith(SIDE_SUFFIX)


def usable(markdown: str, count: int) -> bool:
    """Whether ``markdown`` holds placeholders 1..``count``, each once on a line of its own, and nothing else like them.

    Anything else containing the prefix (a description quoting it, a template that puts a quote
    inside a list) would be replaced or missed by the plugin, so the page renders its quotes inline.
    """
    if markdown.count(TOKEN_PREFIX) != count:
        return False
    found = re.findall(r"(?:^|\n\n)" + re.escape(TOKEN_PREFIX) + r"(\d+)(?=\n\n|\n?$)", markdown)
    return found == [str(n) for n in range(1, count + 1)]


def collapse(markdown: str) -> str:
    """One placeholder per run of quotes: ``MLQQUOTES-1`` ... ``MLQQUOTES-30`` become ``MLQQUOTES-1-30``.

    For :func:`usable` Markdown only (its placeholders are whole paragraphs, numbered in order, so a
    run of adjacent ones is consecutive). Markdown then handles one paragraph per listing, not one
    per quote (a quotes page lists 100).
    """

    def run(match: re.Match[str]) -> str:
        if not match.group(2):
            return match.group(0)
        last = match.group(2).rsplit("-", 1)[1]
        return f"{token(int(match.group(1)))}-{last}"

    return _RUN_RE.sub(run, markdown)


def _numbers(match: re.Match[str], count: int) -> range:
    """The blocks a placeholder stands for: ``n``, or ``first-last``."""
    first = int(match.group(1))
    last = int(match.group(2)) if match.group(2) else first
    if not 1 <= first <= last <= count:
        raise PlaceholderMismatch(f"placeholder {match.group(0)} has no quote ({count} in the side file)")
    return range(first, last + 1)


def dump(blocks: list[str]) -> str:
    """The side file of a page: each block after a numbered HTML comment.

    Quote text and attributions are escaped (``<`` is ``&lt;``), so no line of a block can
    start like a separator.
    """
    return "".join(_SEPARATOR.format(n) + "\n" + block + "\n" for n, block in enumerate(blocks, 1))


def load(text: str) -> list[str]:
    """The blocks of a side file, in placeholder order."""
    parts = _SEPARATOR_RE.split(text)
    # parts: [before, "1", block1, "2", block2, ...]
    if parts[0] or [int(n) for n in parts[1::2]] != list(range(1, len(parts) // 2 + 1)):
        raise PlaceholderMismatch("the quote side file is damaged")
    return [block[:-1] if block.endswith("\n") else block for block in parts[2::2]]


def excluded_from_search(block: str) -> bool:
    """Whether the whole quote block carries ``data-search-exclude`` (a copy whose home is another page)."""
    return _EXCLUDED_RE.match(block) is not None


def _deferred_span(block: str) -> tuple[int, int] | None:
    """The part of ``block`` that search skips: all of it, or its caption; None if there is none to skip."""
    if excluded_from_search(block):
        return 0, len(block)
    caption = _CAPTION_RE.search(block)
    return caption.span() if caption else None


def inject(content: str, blocks: list[str], *, defer_excluded: bool = False) -> str:
    """``content`` (a page's HTML) with every placeholder paragraph replaced by its blocks.

    A run ``<p>MLQQUOTES-a-b</p>`` gets blocks a..b, a blank line between each two, as Markdown
    writes consecutive raw HTML blocks. One pass: what is put in is never searched again. Each
    block must be asked for exactly once.
    ``defer_excluded``: what search excludes (whole copies whose home is another page, and the
    captions) becomes ``<!--MLQQUOTES-n-->`` for :func:`finish` to fill in the finished page, so
    that the search plugin's HTML parser never walks it (the search index is the same: the parser
    skips excluded elements, and a comment in their place leaves the same whitespace).
    """
    seen: list[int] = []

    def one(number: int) -> str:
        seen.append(number)
        text = blocks[number - 1]
        span = _deferred_span(text) if defer_excluded else None
        if span is not None:
            text = text[: span[0]] + _DEFERRED.format(number) + text[span[1] :]
        return text

    def block(match: re.Match[str]) -> str:
        text = "\n\n".join(one(number) for number in _numbers(match, len(blocks)))
        # Python-Markdown ends a raw HTML block with a newline of its own, which its final strip()
        # removes at the end of the page: the same bytes as before.
        return text + ("" if match.end() == len(content) else "\n")

    out = _PLACEHOLDER_RE.sub(block, content)
    if sorted(seen) != list(range(1, len(blocks) + 1)):
        missing = sorted(set(range(1, len(blocks) + 1)) - set(seen))
        detail = f"{token(missing[0])} is missing" if missing else "a placeholder appears twice"
        raise PlaceholderMismatch(f"the page's quote placeholders do not match its side file: {detail}")
    return out


def finish(output: str, blocks: list[str]) -> str:
    """The finished page ``output`` with the blocks that :func:`inject` deferred in place, in one pass."""
    deferred: dict[int, str] = {}
    for number, text in enumerate(blocks, 1):
        span = _deferred_span(text)
        if span is not None:
            deferred[number] = text[span[0] : span[1]]
    seen: list[int] = []

    def block(match: re.Match[str]) -> str:
        number = int(match.group(1))
        if number not in deferred:
            return match.group(0)
        seen.append(number)
        return deferred[number]

    out = _DEFERRED_RE.sub(block, output)
    if sorted(seen) != sorted(deferred):
        raise PlaceholderMismatch("the finished page does not hold each deferred quote exactly once")
    return out


def anchor_ids(blocks: list[str]) -> set[str]:
    """The ``id`` of every quote figure, which MkDocs would have found in the raw HTML (for anchor checks)."""
    return {html.unescape(match) for block in blocks for match in _ID_RE.findall(block)}


def _side_blocks(page_path: str, pages_dir: Path) -> list[str] | None:
    try:
        text = (pages_dir / side_path(page_path)).read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    return load(text)


def inject_page(content: str, page_path: str, pages_dir: Path, *, defer_excluded: bool = False) -> tuple[str, set[str]]:
    """The HTML of generated page ``page_path`` with its quotes in place (see :func:`inject`), and their anchor ids.

    A page without a side file (hand-written, or with inline quotes) is returned unchanged.
    """
    blocks = _side_blocks(page_path, pages_dir)
    if blocks is None:
        return content, set()
    return inject(content, blocks, defer_excluded=defer_excluded), anchor_ids(blocks)


def finish_page(output: str, page_path: str, pages_dir: Path) -> str:
    """The finished HTML of ``page_path`` with the quotes :func:`inject_page` deferred in place.

    The side file is read again rather than kept: MkDocs holds every page's content in memory
    between the two hooks, and the deferred blocks are most of it.
    """
    blocks = _side_blocks(page_path, pages_dir)
    return output if blocks is None else finish(output, blocks)


def read_expanded(pages_dir: Path, page_path: str) -> str:
    """:func:`expand` for a page on disk in the generated-pages directory."""
    pages = {page_path: (pages_dir / page_path).read_text(encoding="utf-8")}
    side = pages_dir / side_path(page_path)
    if side.is_file():
        pages[side_path(page_path)] = side.read_text(encoding="utf-8")
    return expand(pages, page_path)


def page_of(path: str) -> str:
    """The page a generated file belongs to: itself, or the page of a side file."""
    return path[: -len(SIDE_SUFFIX)] + ".md" if is_side_file(path) else path


def expand(pages: dict[str, str], page_path: str) -> str:
    """The Markdown of ``page_path`` with its quote blocks inline: the page as Markdown alone would render it.

    ``pages`` is ``RenderedSite.pages`` (pages and side files). For readers of the Markdown (tests, tools).
    """
    markdown = pages[page_path]
    side = pages.get(side_path(page_path))
    if side is None:
        return markdown
    blocks = load(side)
    return _MD_PLACEHOLDER_RE.sub(
        lambda match: "\n\n".join(blocks[n - 1] for n in _numbers(match, len(blocks))), markdown
    )
