"""Finding live markup in HTML: what must never come out of contributor text.

Used three ways: ``validate`` checks what an issue or fix description renders to (mdsafe.py),
the build checks the content of every generated page before it is published (plugin.py), and
the tests check every page of a built site, theme included (tests/sitecheck.py).

A finding is any of:

* an event-handler attribute (``on...``), on any element;
* a ``javascript:``, ``vbscript:`` or ``data:`` URL in an attribute that a browser follows or loads
  (``href``, ``src``, ``action``, ``formaction``, ``xlink:href``, each ``srcset`` candidate, a
  refresh ``<meta>``, SVG animation values ...), compared as a browser reads it: entities decoded
  (html.parser does that), leading and trailing control characters and spaces dropped, tabs and
  line breaks removed, case folded;
* a ``<script>`` element the caller does not allow (by default: none);
* an element that runs or loads a document of its own (``iframe``, ``object``, ``embed`` ...) or
  that changes where every relative URL points (``base``);
* markup inside ``<style>``: html.parser reads it as text, but inside SVG a browser does not (an
  unclosed ``<style>`` too, whose text html.parser never hands over);
* markup where html.parser and a browser disagree on what it is: inside a comment (a browser ends
  ``<!-->`` at once, and any comment at ``--!>``), or inside an element a browser reads as raw text
  up to its end tag (``xmp``, ``noscript`` ...), which html.parser may find inside an attribute.

It errs on the safe side: html.parser sees markup in ``<title>`` and ``<textarea>``, which a
browser reads as text, so those are findings too.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Literal

UNSAFE_SCHEMES = ("javascript:", "vbscript:", "data:")
URL_ATTRIBUTES = frozenset(
    {
        "action",
        "archive",
        "background",
        "cite",
        "classid",
        "codebase",
        "data",
        "dynsrc",
        "formaction",
        "href",
        "icon",
        "longdesc",
        "lowsrc",
        "manifest",
        "ping",
        "poster",
        "profile",
        "src",
        "usemap",
        "xlink:href",
    }
)
SRCSET_ATTRIBUTES = frozenset({"srcset", "imagesrcset"})
ANIMATION_ATTRIBUTES = frozenset({"values", "to", "from", "by"})
"""SVG ``<animate attributeName="href" values="javascript:...">`` sets a link's target."""
FORBIDDEN_ELEMENTS = frozenset({"applet", "base", "embed", "frame", "frameset", "iframe", "object", "portal"})
_SPACE_CONTROL = "".join(chr(c) for c in range(0x21))
_TAB_NEWLINE = re.compile(r"[\t\n\r]")
_REFRESH_URL = re.compile(r"^\s*\d*\s*[;,]?\s*(?:url\s*=\s*)?(?P<url>.*)$", re.IGNORECASE | re.DOTALL)
_CSS_UNSAFE = re.compile(r"javascript:|vbscript:|expression\s*\(|-moz-binding|behavior\s*:", re.IGNORECASE)
_MARKUP = re.compile(r"<[A-Za-z/!?]")
RAW_TEXT_ELEMENTS = frozenset({"noembed", "noframes", "noscript", "textarea", "title", "xmp"})
"""Read by a browser as text up to their end tag, which html.parser finds inside an attribute instead."""

Kind = Literal["handler", "url", "script", "element", "style", "parser"]
Attrs = Mapping[str, str | None]
ScriptPolicy = Callable[[Attrs, str], bool]
"""Whether a ``<script>`` with these attributes and this text may stay (the theme's own)."""


@dataclass(frozen=True)
class Finding:
    line: int
    kind: Kind
    what: str


def unsafe_url(value: str) -> bool:
    """Whether a browser would run or load ``value`` as a javascript:, vbscript: or data: URL."""
    url = _TAB_NEWLINE.sub("", value.strip(_SPACE_CONTROL)).casefold()
    return url.startswith(UNSAFE_SCHEMES)


class _Scanner(HTMLParser):
    def __init__(self, scripts: ScriptPolicy | None) -> None:
        super().__init__(convert_charrefs=True)
        self.scripts = scripts
        self.findings: list[Finding] = []
        self._open: tuple[str, dict[str, str | None], int, list[str]] | None = None
        """The <script> or <style> being read: its name, attributes, line and text."""
        self._raw_text: str | None = None
        """The raw-text element (RAW_TEXT_ELEMENTS) being read."""

    def _add(self, kind: Kind, what: str, line: int | None = None) -> None:
        self.findings.append(Finding(self.getpos()[0] if line is None else line, kind, what))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._inside_raw_text(tag)
        self._check_tag(tag, attrs)
        if tag in ("script", "style"):
            self._open = (tag, dict(attrs), self.getpos()[0], [])
        if tag in RAW_TEXT_ELEMENTS and self._raw_text is None:
            self._raw_text = tag

    def _inside_raw_text(self, tag: str) -> None:
        # Where html.parser and a browser disagree on where the element ends, nothing inside can be
        # trusted: <xmp><p title="</xmp><img onerror=...>"> is an attribute to one, live markup to the other.
        if self._raw_text is not None:
            self._add("parser", f"markup <{tag}> inside <{self._raw_text}>, which a browser reads as text")

    def handle_comment(self, data: str) -> None:
        # A browser ends <!--> and <!---> at once, and any comment at --!>: what html.parser reads as the
        # rest of the comment can be live markup.
        if _MARKUP.search(data) or "--!>" in data:
            self._add("parser", "markup inside a comment, which a browser may end early (<!-->, --!>)")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._inside_raw_text(tag)
        self._check_tag(tag, attrs)
        if tag == "script":
            self._check_script(dict(attrs), "", self.getpos()[0])

    def handle_data(self, data: str) -> None:
        if self._open is not None:
            self._open[3].append(data)

    def handle_endtag(self, tag: str) -> None:
        if self._raw_text == tag:
            self._raw_text = None
        elif self._raw_text is not None:
            self._inside_raw_text(f"/{tag}")
        if self._open is not None and self._open[0] == tag:
            self._close()

    def close(self) -> None:
        super().close()
        if self._open is not None:  # never closed: a browser runs it all the same
            self._open[3].append(self.rawdata)  # html.parser never hands over the text of an unclosed one
            self._close()

    def _close(self) -> None:
        assert self._open is not None
        tag, attrs, line, parts = self._open
        self._open = None
        text = "".join(parts)
        if tag == "script":
            self._check_script(attrs, text, line)
        elif _MARKUP.search(text) or _CSS_UNSAFE.search(text):
            self._add("style", "markup or script inside <style>", line)

    def _check_script(self, attrs: dict[str, str | None], text: str, line: int) -> None:
        if self.scripts is None or not self.scripts(attrs, text):
            shown = f' src="{attrs["src"]}"' if attrs.get("src") else ""
            self._add("script", f"<script{shown}> that the theme did not put there", line)

    def _check_tag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in FORBIDDEN_ELEMENTS:
            self._add("element", f"<{tag}> element")
        values = dict(attrs)
        for name, value in attrs:
            if name.startswith("on"):
                self._add("handler", f"event-handler attribute {name} on <{tag}>")
            if value is None:
                continue
            if name in URL_ATTRIBUTES and unsafe_url(value):
                self._add("url", f"{_scheme(value)} URL in {name} of <{tag}>")
            elif _unsafe_url_list(name, value):
                self._add("url", f"unsafe URL in {name} of <{tag}>")
            elif name == "style" and _CSS_UNSAFE.search(value):
                self._add("style", f"script in the style of <{tag}>")
        if tag == "meta" and (values.get("http-equiv") or "").strip().casefold() == "refresh":
            match = _REFRESH_URL.match(values.get("content") or "")
            if match and unsafe_url(match.group("url").strip("'\"")):
                self._add("url", "unsafe URL in a refresh <meta>")


def _unsafe_url_list(name: str, value: str) -> bool:
    if name in SRCSET_ATTRIBUTES:  # "url 2x, url 640w"
        return any(unsafe_url(c.split()[0]) for c in value.split(",") if c.split())
    return name in ANIMATION_ATTRIBUTES and any(unsafe_url(v) for v in value.split(";"))


def _scheme(value: str) -> str:
    url = _TAB_NEWLINE.sub("", value.strip(_SPACE_CONTROL)).casefold()
    return next(s for s in UNSAFE_SCHEMES if url.startswith(s))


def find_unsafe(html: str, scripts: ScriptPolicy | None = None) -> list[Finding]:
    """Every finding in ``html`` (a page or a fragment), in document order.

    ``scripts`` decides which ``<script>`` elements may stay; without it, none may.
    """
    scanner = _Scanner(scripts)
    scanner.feed(html)
    scanner.close()
    return scanner.findings


__all__ = ["Finding", "ScriptPolicy", "find_unsafe", "unsafe_url"]
