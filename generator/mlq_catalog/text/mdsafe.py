"""Contributor text in generated Markdown: it never becomes live markup.

**Plain text** (titles, summaries, names, roles, tag values, redaction placeholders) goes into
Markdown through :func:`md_inline`, which makes every Markdown and HTML special character
literal, entities included: ``&lt;script&gt;`` in a title shows as written, it is not decoded
into a tag.

**Issue and fix descriptions** are Markdown by design, so ``validate`` refuses in them whatever
could produce live markup (:func:`description_problems`, called from evidence/crosscheck/text.py after its own
raw-HTML and link checks):

* **Attribute lists**, all of them: ``{: onclick="..." }`` after a paragraph, list item, quote or
  table cell, ``{ .x onmouseover=... }`` after a link, image, emphasis or code span, ``{ #id }``
  after a heading (attr_list), and ``{ .lang key=value }`` on a code fence (pymdownx.superfences).
  Ids and classes are refused too, not only event handlers and URLs: an id can take the place of
  one the theme looks up (``#__config``, ``#__search``) or of a quote's anchor, a class can dress
  contributor text as the site's own banner or button, and no description needs either. One
  rule is easy to state, and ``\\{`` shows a literal brace. (A brace at the end of a line is an
  attribute list too: ``{0, 1}`` alone on a line would vanish into attributes.)
* **Anything else that renders to unsafe HTML**, as a net for what no rule foresaw: the
  description is rendered with the site's Markdown extensions and checked like a built page
  (htmlsafety.py), for instance a link whose ``javascript:`` hides behind a control character.
* **Admonition classes** other than Material's admonition types (``!!! note``, ``??? warning``):
  the words after ``!!!`` become classes, with the same reasons as attribute lists.

``AUDITED_EXTENSIONS`` are the Markdown extensions this was checked against, each with a planted
payload in tests/text/test_markup_safety.py; a test fails when mkdocs.yml enables another one, which
must be audited first. What each allows, and why it is safe, is in docs/contributing.md.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import markdown  # type: ignore[import-untyped]

# Only what Python-Markdown treats as escapable; escaping anything else would show a backslash.
MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|])")

AUDITED_EXTENSIONS: dict[str, dict[str, Any]] = {
    # MkDocs' built-ins, always on.
    "toc": {"permalink": True},
    "tables": {},
    "fenced_code": {},
    # mkdocs.yml
    "attr_list": {},
    "admonition": {},
    "pymdownx.details": {},
    "pymdownx.superfences": {},
}
"""Markdown extension -> its options in mkdocs.yml (the options that change the HTML)."""

# Material's admonition types with their aliases, and its placement modifiers: the only classes a description
# can give its admonitions (``!!! note``) and collapsible blocks (``??? note``).
ADMONITION_TYPES = (
    *("note", "abstract", "summary", "tldr", "info", "todo", "tip", "hint", "important", "success", "check", "done"),
    *("question", "help", "faq", "warning", "caution", "attention", "failure", "fail", "missing", "danger", "error"),
    *("bug", "example", "quote", "cite"),
)
_ADMONITION_CLASSES = frozenset([*ADMONITION_TYPES, "inline", "end"])
_ADMONITION_HTML = re.compile(r'<div class="admonition ([^"]*)">|<details class="([^"]*)"')
ATTR_LIST_MESSAGE = "attribute lists are not allowed in descriptions; write \\{ to show a brace"
UNSAFE_LINK_MESSAGE = "javascript:, vbscript: and data: links are not allowed"
# A code fence with attributes: ```{ .python #id key=value }, ~~~ {.x}, also inside lists and quotes.
_FENCE_ATTRIBUTES = re.compile(r"^[ \t>*+\-\d.]*(?:`{3,}|~{3,})[^`\n]*\{", re.MULTILINE)
_SHOWN = 40


def md_inline(value: object) -> str:
    """Escape text for inline Markdown: every Markdown and HTML special character is literal."""
    text = " ".join(str(value).split())
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return MD_SPECIAL.sub(r"\\\1", text)


class _Renderer:
    """One Markdown converter with the site's extensions that notes every attribute list it applies."""

    def __init__(self) -> None:
        import markdown
        from markdown.extensions.attr_list import (  # type: ignore[import-untyped]
            AttrListTreeprocessor,
            get_attrs_and_remainder,
        )

        self.applied: list[str] = []
        applied = self.applied

        class Recorder(AttrListTreeprocessor):  # type: ignore[misc]
            def assign_attrs(self, elem: Any, attrs_string: str, *, strict: bool = False) -> str:
                attrs, remainder = get_attrs_and_remainder(attrs_string)
                if attrs and not (strict and remainder):  # what attr_list applies, as it decides
                    applied.append(attrs_string)
                remainder = super().assign_attrs(elem, attrs_string, strict=strict)
                return str(remainder)

        self.md: markdown.Markdown = markdown.Markdown(
            extensions=list(AUDITED_EXTENSIONS), extension_configs=AUDITED_EXTENSIONS
        )
        self.md.treeprocessors.register(Recorder(self.md), "attr_list", 8)  # replaces attr_list's own

    def render(self, text: str) -> str:
        self.applied.clear()
        self.md.reset()
        return str(self.md.convert(text))


_renderer: _Renderer | None = None


def description_problems(text: str) -> list[str]:
    """Why the Markdown ``text`` could publish live markup: one message per kind, empty when it cannot."""
    from mlq_catalog.text.htmlsafety import find_unsafe

    global _renderer
    if _renderer is None:
        _renderer = _Renderer()
    html = _renderer.render(text)
    problems = []
    fence = _FENCE_ATTRIBUTES.search(text)
    if _renderer.applied or fence:
        shown = "{" + _renderer.applied[0] + "}" if _renderer.applied else fence.group(0).strip() if fence else ""
        problems.append(f"{ATTR_LIST_MESSAGE} (found {_printable(shown)})")
    classes = {c for m in _ADMONITION_HTML.finditer(html) for c in (m.group(1) or m.group(2)).split()}
    if strange := sorted(classes - _ADMONITION_CLASSES):
        problems.append(
            f"admonition type '{_printable(strange[0])}' is not allowed in descriptions; "
            "use one of note, abstract, info, tip, success, question, warning, failure, danger, bug, example, quote"
        )
    findings = find_unsafe(html)
    if any(f.kind == "url" for f in findings):
        problems.append(UNSAFE_LINK_MESSAGE)
    if not problems and findings:
        problems.append(f"the description would publish unsafe HTML: {findings[0].what}")
    return problems


def _printable(text: str) -> str:
    shown = "".join(c if c.isprintable() else f"\\x{ord(c):02x}" for c in text)
    return shown if len(shown) <= _SHOWN else shown[: _SHOWN - 1] + "…"


__all__ = ["AUDITED_EXTENSIONS", "MD_SPECIAL", "description_problems", "md_inline"]
